"""asyncpg access to vacancies and the incentive policies they offer."""

from __future__ import annotations

import datetime as dt

from cds_plumbing.db import Connection
from recruitment.domain.vacancies import Vacancy


class VacancyRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, vacancy_id: str, *, lock: bool = False) -> Vacancy | None:
        row = await self._conn.fetchrow(
            f"""SELECT vacancy_id, unit_id, function, positions, opened_on, closes_on, status, closed_on
                FROM vacancies WHERE vacancy_id = $1{" FOR UPDATE" if lock else ""}""",
            vacancy_id,
        )
        if row is None:
            return None
        policies = await self._conn.fetch(
            "SELECT policy_id FROM vacancy_policies WHERE vacancy_id = $1 ORDER BY position", vacancy_id
        )
        return Vacancy(**dict(row), policy_ids=tuple(p["policy_id"] for p in policies))

    async def exists(self, vacancy_id: str) -> bool:
        return bool(await self._conn.fetchval("SELECT true FROM vacancies WHERE vacancy_id = $1", vacancy_id))

    async def insert(self, v: Vacancy, title: str | None) -> None:
        await self._conn.execute(
            """INSERT INTO vacancies (vacancy_id, unit_id, function, positions, title, opened_on, closes_on, status)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')""",
            v.vacancy_id,
            v.unit_id,
            v.function,
            v.positions,
            title,
            v.opened_on,
            v.closes_on,
        )
        await self._conn.executemany(
            "INSERT INTO vacancy_policies (vacancy_id, policy_id, position) VALUES ($1, $2, $3)",
            [(v.vacancy_id, p, i) for i, p in enumerate(v.policy_ids)],
        )

    async def close(self, vacancy_id: str, status: str, day: dt.date) -> None:
        await self._conn.execute(
            "UPDATE vacancies SET status = $2, closed_on = $3 WHERE vacancy_id = $1", vacancy_id, status, day
        )

    async def reopen(self, vacancy_id: str) -> None:
        await self._conn.execute(
            "UPDATE vacancies SET status = 'open', closed_on = NULL WHERE vacancy_id = $1", vacancy_id
        )

    async def hires(self, vacancy_id: str) -> int:
        """Hires that count against the positions: hired applications whose appointment was not refused."""
        n = await self._conn.fetchval(
            """SELECT count(*) FROM applications WHERE vacancy_id = $1 AND stage = 'hired'
               AND hire_status IS DISTINCT FROM 'refused'""",
            vacancy_id,
        )
        return int(n)
