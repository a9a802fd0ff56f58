"""asyncpg access to drills and their findings."""

from __future__ import annotations

import datetime as dt

from cds_plumbing.db import Connection
from training.domain.drills import Finding
from training.domain.errors import ConflictError


class DrillRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def held_on(self, drill_id: str) -> dt.date | None:
        day: dt.date | None = await self._conn.fetchval("SELECT held_on FROM drills WHERE drill_id = $1", drill_id)
        return day

    async def exists(self, drill_id: str) -> bool:
        return bool(await self._conn.fetchval("SELECT true FROM drills WHERE drill_id = $1", drill_id))

    async def insert(
        self,
        drill_id: str,
        title: str,
        scenario: str,
        format: str,
        held_on: dt.date,
        plan_year: int,
        unit_ids: tuple[str, ...],
        officer_ids: tuple[str, ...],
        objectives: tuple[str, ...],
    ) -> None:
        status = await self._conn.execute(
            """INSERT INTO drills (drill_id, title, scenario, format, held_on, plan_year, unit_ids, officer_ids,
                                   objectives) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (drill_id) DO NOTHING""",
            drill_id,
            title,
            scenario,
            format,
            held_on,
            plan_year,
            list(unit_ids),
            list(officer_ids),
            list(objectives),
        )
        if status == "INSERT 0 0":
            raise ConflictError(f"drill id {drill_id} is already used")

    async def finding(self, finding_id: str, *, lock: bool = False) -> Finding | None:
        row = await self._conn.fetchrow(
            "SELECT finding_id, drill_id, description, owner_unit_id, due_on, closed_on FROM drill_findings"
            f" WHERE finding_id = $1{' FOR UPDATE' if lock else ''}",
            finding_id,
        )
        return None if row is None else Finding(**dict(row))

    async def add_finding(self, f: Finding) -> None:
        await self._conn.execute(
            """INSERT INTO drill_findings (finding_id, drill_id, description, owner_unit_id, due_on)
               VALUES ($1, $2, $3, $4, $5)""",
            f.finding_id,
            f.drill_id,
            f.description,
            f.owner_unit_id,
            f.due_on,
        )

    async def close_finding(self, finding_id: str, day: dt.date) -> None:
        await self._conn.execute("UPDATE drill_findings SET closed_on = $2 WHERE finding_id = $1", finding_id, day)
