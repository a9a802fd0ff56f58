"""asyncpg access to candidates, applications, their stage history and hire outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cds_contracts.recruitment import Stage
from cds_plumbing.db import Connection


@dataclass(frozen=True)
class Application:
    application_id: str
    vacancy_id: str
    candidate_id: str
    stage: Stage
    hire_status: str | None
    officer_id: str | None


@dataclass(frozen=True)
class CandidateRecord:
    candidate_id: str
    full_name: str | None  # None once erased
    birth_year: int | None
    gender: Literal["female", "male", "other"] | None
    email: str | None
    phone: str | None
    degree: str | None
    degree_field: str | None


class ApplicationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, application_id: str, *, lock: bool = False) -> Application | None:
        row = await self._conn.fetchrow(
            f"""SELECT application_id, vacancy_id, candidate_id, stage, hire_status, officer_id
                FROM applications WHERE application_id = $1{" FOR UPDATE" if lock else ""}""",
            application_id,
        )
        return Application(**dict(row)) if row else None

    async def candidate(self, candidate_id: str) -> CandidateRecord:
        row = await self._conn.fetchrow(
            """SELECT candidate_id, full_name, birth_year, gender, email, phone, degree, degree_field
               FROM candidates WHERE candidate_id = $1""",
            candidate_id,
        )
        assert row is not None  # applications reference candidates by foreign key
        return CandidateRecord(**dict(row))

    async def candidate_by_email(self, email: str) -> str | None:
        value = await self._conn.fetchval(
            "SELECT candidate_id FROM candidates WHERE lower(email) = lower($1) FOR UPDATE", email
        )
        return str(value) if value is not None else None

    async def save_candidate(self, c: CandidateRecord) -> None:
        """Insert, or refresh a returning candidate's data with what they gave this time."""
        await self._conn.execute(
            """INSERT INTO candidates (candidate_id, full_name, birth_year, gender, email, phone, degree, degree_field)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (candidate_id) DO UPDATE SET full_name = EXCLUDED.full_name,
                   birth_year = EXCLUDED.birth_year, gender = EXCLUDED.gender, email = EXCLUDED.email,
                   phone = EXCLUDED.phone, degree = EXCLUDED.degree, degree_field = EXCLUDED.degree_field,
                   updated_at = now()""",
            c.candidate_id,
            c.full_name,
            c.birth_year,
            c.gender,
            c.email,
            c.phone,
            c.degree,
            c.degree_field,
        )

    async def has_applied(self, vacancy_id: str, candidate_id: str) -> bool:
        found = await self._conn.fetchval(
            "SELECT true FROM applications WHERE vacancy_id = $1 AND candidate_id = $2", vacancy_id, candidate_id
        )
        return bool(found)

    async def insert(
        self, application_id: str, vacancy_id: str, candidate_id: str, at: dt.datetime, actor: str | None
    ) -> None:
        await self._conn.execute(
            """INSERT INTO applications (application_id, vacancy_id, candidate_id, stage, applied_at, stage_changed_at)
               VALUES ($1, $2, $3, 'applied', $4, $4)""",
            application_id,
            vacancy_id,
            candidate_id,
            at,
        )
        await self._history(application_id, None, "applied", at, None, actor)

    async def change_stage(
        self,
        application_id: str,
        from_stage: str,
        to_stage: str,
        at: dt.datetime,
        reason: str | None,
        actor: str | None,
    ) -> None:
        await self._conn.execute(
            "UPDATE applications SET stage = $2, stage_changed_at = $3 WHERE application_id = $1",
            application_id,
            to_stage,
            at,
        )
        await self._history(application_id, from_stage, to_stage, at, reason, actor)

    async def _history(
        self,
        application_id: str,
        from_stage: str | None,
        to_stage: str,
        at: dt.datetime,
        reason: str | None,
        actor: str | None,
    ) -> None:
        await self._conn.execute(
            """INSERT INTO application_stages (application_id, from_stage, to_stage, changed_at, reason, actor)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            application_id,
            from_stage,
            to_stage,
            at,
            reason,
            actor,
        )

    async def request_hire(
        self,
        application_id: str,
        employment_category: str,
        assignment: str,
        functions: Sequence[str],
        hired_on: dt.date,
        at: dt.datetime,
    ) -> None:
        await self._conn.execute(
            """UPDATE applications SET hire_status = 'pending', employment_category = $2, assignment = $3,
                   functions = $4, hired_on = $5, hire_requested_at = $6
               WHERE application_id = $1""",
            application_id,
            employment_category,
            assignment,
            list(functions),
            hired_on,
            at,
        )

    async def record_hire_outcome(
        self, application_id: str, appointed: bool, officer_id: str, reason: str | None, at: dt.datetime
    ) -> None:
        await self._conn.execute(
            """UPDATE applications SET hire_status = $2, officer_id = $3, hire_outcome_reason = $4,
                   hire_outcome_at = $5 WHERE application_id = $1""",
            application_id,
            "appointed" if appointed else "refused",
            officer_id,
            reason,
            at,
        )
