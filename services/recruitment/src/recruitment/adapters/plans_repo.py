"""asyncpg access to staffing plans."""

from __future__ import annotations

from cds_contracts.recruitment import Quotas
from cds_plumbing.db import Connection

_QUOTAS = "it_technical, information_security, data, leadership"


class PlanRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock(self, year: int) -> None:
        """Serialise plan changes of one year, so a parent and a child set together cannot both pass."""
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('staffing_plans'), $1)", year)

    async def get(self, unit_id: str, year: int) -> Quotas | None:
        row = await self._conn.fetchrow(
            f"SELECT {_QUOTAS} FROM staffing_plans WHERE unit_id = $1 AND year = $2", unit_id, year
        )
        return Quotas(**dict(row)) if row else None

    async def of_units(self, unit_ids: list[str], year: int) -> dict[str, Quotas]:
        rows = await self._conn.fetch(
            f"SELECT unit_id, {_QUOTAS} FROM staffing_plans WHERE unit_id = ANY($1::text[]) AND year = $2",
            unit_ids,
            year,
        )
        return {r["unit_id"]: Quotas(**{k: v for k, v in r.items() if k != "unit_id"}) for r in rows}

    async def put(self, unit_id: str, year: int, quotas: Quotas) -> None:
        await self._conn.execute(
            f"""INSERT INTO staffing_plans (unit_id, year, {_QUOTAS}) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (unit_id, year) DO UPDATE SET it_technical = EXCLUDED.it_technical,
                    information_security = EXCLUDED.information_security, data = EXCLUDED.data,
                    leadership = EXCLUDED.leadership, updated_at = now()""",
            unit_id,
            year,
            quotas.it_technical,
            quotas.information_security,
            quotas.data,
            quotas.leadership,
        )
