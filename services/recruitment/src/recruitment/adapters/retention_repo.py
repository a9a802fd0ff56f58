"""asyncpg access to the departures read model (from personnel) and to exit interviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cds_plumbing.db import Connection


@dataclass(frozen=True)
class Departure:
    officer_id: str
    unit_id: str
    departure_date: dt.date
    reason: str


class RetentionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def departure(self, officer_id: str) -> Departure | None:
        row = await self._conn.fetchrow(
            "SELECT officer_id, unit_id, departure_date, reason FROM departures WHERE officer_id = $1", officer_id
        )
        return Departure(**dict(row)) if row else None

    async def interview_of(self, officer_id: str) -> str | None:
        value = await self._conn.fetchval(
            "SELECT interview_id FROM exit_interviews WHERE officer_id = $1 FOR UPDATE", officer_id
        )
        return str(value) if value is not None else None

    async def insert_interview(
        self,
        interview_id: str,
        departure: Departure,
        reasons: Sequence[str],
        interviewed_on: dt.date,
        notes: str | None,
        actor: str | None,
    ) -> None:
        await self._conn.execute(
            """INSERT INTO exit_interviews
                   (interview_id, officer_id, unit_id, departure_date, reasons, interviewed_on, notes, actor)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            interview_id,
            departure.officer_id,
            departure.unit_id,
            departure.departure_date,
            list(reasons),
            interviewed_on,
            notes,
            actor,
        )

    # --- written from personnel's events ---------------------------------------------------------------

    async def departed(self, officer_id: str, unit_id: str, day: dt.date, reason: str) -> None:
        await self._conn.execute(
            """INSERT INTO departures (officer_id, unit_id, departure_date, reason)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (officer_id) DO UPDATE SET unit_id = EXCLUDED.unit_id,
                   departure_date = EXCLUDED.departure_date, reason = EXCLUDED.reason, updated_at = now()""",
            officer_id,
            unit_id,
            day,
            reason,
        )

    async def corrected(self, officer_id: str, day: dt.date, reason: str | None) -> None:
        await self._conn.execute(
            """UPDATE departures SET departure_date = $2, reason = coalesce($3, reason), updated_at = now()
               WHERE officer_id = $1""",
            officer_id,
            day,
            reason,
        )
