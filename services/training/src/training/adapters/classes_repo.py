"""asyncpg access to classes, enrolments, attendance, results and certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from training.domain.classes import ClassStatus, Enrolment, TrainingClass
from training.domain.errors import ConflictError

_COLS = (
    "class_id, programme_id, plan_year, title, starts_on, ends_on, place, organiser_unit_id, capacity,"
    " target_levels, advanced, status, started_on, completed_on, cancelled_on"
)


def _class(row: asyncpg.Record) -> TrainingClass:
    return TrainingClass(**{**dict(row), "target_levels": tuple(row["target_levels"])})


class ClassRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, class_id: str, *, lock: bool = False) -> TrainingClass | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLS} FROM classes WHERE class_id = $1{' FOR UPDATE' if lock else ''}", class_id
        )
        return None if row is None else _class(row)

    async def exists(self, class_id: str) -> bool:
        return bool(await self._conn.fetchval("SELECT true FROM classes WHERE class_id = $1", class_id))

    async def insert(self, c: TrainingClass) -> None:
        status = await self._conn.execute(
            f"INSERT INTO classes ({_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
            " ON CONFLICT (class_id) DO NOTHING",
            c.class_id,
            c.programme_id,
            c.plan_year,
            c.title,
            c.starts_on,
            c.ends_on,
            c.place,
            c.organiser_unit_id,
            c.capacity,
            list(c.target_levels),
            c.advanced,
            c.status,
            c.started_on,
            c.completed_on,
            c.cancelled_on,
        )
        if status == "INSERT 0 0":
            raise ConflictError(f"class id {c.class_id} is already used")

    async def set_status(self, class_id: str, status: ClassStatus, **dates: Any) -> None:
        fields = {"status": status, **dates}
        sets = ", ".join(f"{k} = ${i + 2}" for i, k in enumerate(fields))
        await self._conn.execute(
            f"UPDATE classes SET {sets}, updated_at = now() WHERE class_id = $1", class_id, *fields.values()
        )

    async def enrolments(self, class_id: str) -> list[Enrolment]:
        rows = await self._conn.fetch(
            """SELECT e.officer_id, e.unit_id, e.level, e.enrolled_on, e.status, e.withdrawn_on,
                      r.officer_id IS NOT NULL AS has_result
               FROM enrolments e LEFT JOIN results r USING (class_id, officer_id)
               WHERE e.class_id = $1 ORDER BY e.officer_id""",
            class_id,
        )
        return [Enrolment(**dict(r)) for r in rows]

    async def enrol(self, class_id: str, officer_id: str, unit_id: str, level: str, day: dt.date) -> None:
        """A new enrolment, or the re-enrolment of an officer who had withdrawn."""
        await self._conn.execute(
            """INSERT INTO enrolments (class_id, officer_id, unit_id, level, enrolled_on, status)
               VALUES ($1, $2, $3, $4, $5, 'enrolled')
               ON CONFLICT (class_id, officer_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, level = EXCLUDED.level,
                   enrolled_on = EXCLUDED.enrolled_on, status = 'enrolled', withdrawn_on = NULL""",
            class_id,
            officer_id,
            unit_id,
            level,
            day,
        )

    async def withdraw(self, class_id: str, officer_id: str, day: dt.date) -> None:
        await self._conn.execute(
            "UPDATE enrolments SET status = 'withdrawn', withdrawn_on = $3 WHERE class_id = $1 AND officer_id = $2",
            class_id,
            officer_id,
            day,
        )

    async def recorded_sessions(self, class_id: str, session_on: dt.date) -> set[str]:
        rows = await self._conn.fetch(
            "SELECT officer_id FROM attendance WHERE class_id = $1 AND session_on = $2", class_id, session_on
        )
        return {r["officer_id"] for r in rows}

    async def add_attendance(self, class_id: str, session_on: dt.date, entries: list[tuple[str, bool, float]]) -> None:
        await self._conn.executemany(
            "INSERT INTO attendance (class_id, officer_id, session_on, present, hours) VALUES ($1, $2, $3, $4, $5)",
            [(class_id, officer_id, session_on, present, hours) for officer_id, present, hours in entries],
        )

    async def attended_hours(self, class_id: str, officer_id: str) -> float:
        total = await self._conn.fetchval(
            "SELECT coalesce(sum(hours), 0) FROM attendance WHERE class_id = $1 AND officer_id = $2 AND present",
            class_id,
            officer_id,
        )
        return float(total)

    async def add_result(
        self, class_id: str, officer_id: str, passed: bool, score: float | None, hours: float, day: dt.date
    ) -> None:
        await self._conn.execute(
            """INSERT INTO results (class_id, officer_id, passed, score, hours, completed_on)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            class_id,
            officer_id,
            passed,
            score,
            hours,
            day,
        )

    async def add_certificate(
        self,
        certificate_id: str,
        class_id: str,
        officer_id: str,
        programme_id: str,
        name: str,
        issued_on: dt.date,
        expires_on: dt.date | None,
    ) -> None:
        await self._conn.execute(
            """INSERT INTO certificates
                 (certificate_id, class_id, officer_id, programme_id, name, issued_on, expires_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            certificate_id,
            class_id,
            officer_id,
            programme_id,
            name,
            issued_on,
            expires_on,
        )
