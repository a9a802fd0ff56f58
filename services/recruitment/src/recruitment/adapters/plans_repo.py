"""asyncpg access to staffing plans."""

from __future__ import annotations

import datetime as dt

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

    async def nearest_planned_ancestor(self, unit_id: str, year: int) -> tuple[str, int, Quotas] | None:
        """The closest unit above `unit_id` in the read-model tree with a plan for `year`, skipping units
        without one: (unit id, how many levels up, its quotas)."""
        row = await self._conn.fetchrow(
            f"""WITH RECURSIVE up AS (
                    SELECT o.parent_id AS unit_id, 1 AS depth, ARRAY[o.unit_id] AS seen
                    FROM org_units o WHERE o.unit_id = $1 AND o.parent_id IS NOT NULL
                    UNION ALL
                    SELECT o.parent_id, up.depth + 1, up.seen || o.unit_id
                    FROM org_units o JOIN up ON o.unit_id = up.unit_id
                    WHERE o.parent_id IS NOT NULL AND NOT o.parent_id = ANY(up.seen) AND up.depth < 64)
                SELECT up.unit_id, up.depth, {_QUOTAS}
                FROM up JOIN staffing_plans p ON p.unit_id = up.unit_id AND p.year = $2
                ORDER BY up.depth LIMIT 1""",
            unit_id,
            year,
        )
        if row is None:
            return None
        return row["unit_id"], row["depth"], Quotas(**{k: row[k] for k in Quotas.model_fields})

    async def nearest_planned_descendants(self, unit_id: str, year: int, alive_on: dt.date) -> dict[str, Quotas]:
        """The closest units below `unit_id` (not ceased by `alive_on`) with a plan for `year`: the walk down
        passes units without a plan and stops at each unit that has one."""
        rows = await self._conn.fetch(
            """WITH RECURSIVE down AS (
                    SELECT o.unit_id, p.unit_id IS NOT NULL AS planned, 1 AS depth, ARRAY[$1::text, o.unit_id] AS seen
                    FROM org_units o
                    LEFT JOIN staffing_plans p ON p.unit_id = o.unit_id AND p.year = $2
                    WHERE o.parent_id = $1 AND o.unit_id <> $1 AND (o.ceased_on IS NULL OR o.ceased_on > $3)
                    UNION ALL
                    SELECT o.unit_id, p.unit_id IS NOT NULL, down.depth + 1, down.seen || o.unit_id
                    FROM down
                    JOIN org_units o ON o.parent_id = down.unit_id
                    LEFT JOIN staffing_plans p ON p.unit_id = o.unit_id AND p.year = $2
                    WHERE NOT down.planned AND NOT o.unit_id = ANY(down.seen) AND down.depth < 64
                      AND (o.ceased_on IS NULL OR o.ceased_on > $3))
                SELECT DISTINCT unit_id FROM down WHERE planned""",
            unit_id,
            year,
            alive_on,
        )
        return await self.of_units([r["unit_id"] for r in rows], year)

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
