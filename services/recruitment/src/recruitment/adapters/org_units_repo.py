"""Recruitment's read model of personnel's org units: written by the personnel subscribers, read for plan
limits and for the unit scope of unit editors. It keeps the current state (the last event wins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cds_plumbing.db import Connection


@dataclass(frozen=True)
class OrgUnit:
    unit_id: str
    name_vi: str
    level: str
    parent_id: str | None
    valid_from: dt.date
    ceased_on: dt.date | None

    def exists_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.ceased_on is None or day < self.ceased_on)


class OrgUnitRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, unit_id: str) -> OrgUnit | None:
        row = await self._conn.fetchrow(
            "SELECT unit_id, name_vi, level, parent_id, valid_from, ceased_on FROM org_units WHERE unit_id = $1",
            unit_id,
        )
        return OrgUnit(**dict(row)) if row else None

    async def children(self, unit_id: str, alive_on: dt.date) -> list[str]:
        """Direct sub-units that had not ceased by `alive_on`."""
        rows = await self._conn.fetch(
            """SELECT unit_id FROM org_units WHERE parent_id = $1 AND (ceased_on IS NULL OR ceased_on > $2)
               ORDER BY unit_id""",
            unit_id,
            alive_on,
        )
        return [r["unit_id"] for r in rows]

    async def is_within(self, scope_unit: str, target_unit: str) -> bool:
        """True when target_unit is scope_unit or lies beneath it in the current tree."""
        if scope_unit == target_unit:
            return True
        found = await self._conn.fetchval(
            """WITH RECURSIVE up AS (
                   SELECT unit_id, parent_id, 0 AS depth FROM org_units WHERE unit_id = $2
                   UNION ALL
                   SELECT o.unit_id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.unit_id = up.parent_id
                   WHERE up.depth < 64)
               SELECT true FROM up WHERE unit_id = $1 LIMIT 1""",
            scope_unit,
            target_unit,
        )
        return bool(found)

    async def subtree(self, scope_unit: str) -> frozenset[str]:
        """scope_unit and every unit beneath it in the current tree (depth-bounded, cycle-safe)."""
        rows = await self._conn.fetch(
            """WITH RECURSIVE down AS (
                   SELECT $1::text AS unit_id, 0 AS depth
                   UNION
                   SELECT o.unit_id, down.depth + 1 FROM org_units o JOIN down ON o.parent_id = down.unit_id
                   WHERE down.depth < 64)
               SELECT DISTINCT unit_id FROM down""",
            scope_unit,
        )
        return frozenset(r["unit_id"] for r in rows)

    # --- written from personnel's events ---------------------------------------------------------------

    async def registered(
        self, unit_id: str, name_vi: str, kind: str, level: str, parent_id: str | None, valid_from: dt.date
    ) -> None:
        await self._conn.execute(
            """INSERT INTO org_units (unit_id, name_vi, kind, level, parent_id, valid_from)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (unit_id) DO UPDATE SET name_vi = EXCLUDED.name_vi, kind = EXCLUDED.kind,
                   level = EXCLUDED.level, parent_id = EXCLUDED.parent_id, valid_from = EXCLUDED.valid_from,
                   updated_at = now()""",
            unit_id,
            name_vi,
            kind,
            level,
            parent_id,
            valid_from,
        )
        await self._apply_cessations([unit_id])  # a cessation consumed before the registration

    async def renamed(self, unit_id: str, name_vi: str) -> None:
        await self._conn.execute(
            "UPDATE org_units SET name_vi = $2, updated_at = now() WHERE unit_id = $1", unit_id, name_vi
        )

    async def moved(self, unit_id: str, parent_id: str | None, level: str) -> None:
        await self._conn.execute(
            "UPDATE org_units SET parent_id = $2, level = $3, updated_at = now() WHERE unit_id = $1",
            unit_id,
            parent_id,
            level,
        )

    async def ceased(self, unit_ids: list[str], day: dt.date, successor_id: str | None = None) -> None:
        """Store the cessation (the earliest day wins), then apply it to units already registered. A unit
        registered later gets it from `registered`: the two events may arrive in either order."""
        await self._conn.execute(
            """INSERT INTO org_unit_cessations (unit_id, ceased_on, successor_id)
               SELECT u, $2, $3 FROM unnest($1::text[]) AS u
               ON CONFLICT (unit_id) DO UPDATE SET
                   successor_id = CASE WHEN EXCLUDED.ceased_on <= org_unit_cessations.ceased_on
                                       THEN EXCLUDED.successor_id ELSE org_unit_cessations.successor_id END,
                   ceased_on = least(org_unit_cessations.ceased_on, EXCLUDED.ceased_on),
                   updated_at = now()""",
            unit_ids,
            day,
            successor_id,
        )
        await self._apply_cessations(unit_ids)

    async def _apply_cessations(self, unit_ids: list[str]) -> None:
        await self._conn.execute(
            """UPDATE org_units o SET ceased_on = c.ceased_on, successor_id = c.successor_id, updated_at = now()
               FROM org_unit_cessations c
               WHERE o.unit_id = ANY($1::text[]) AND c.unit_id = o.unit_id
                 AND (o.ceased_on IS DISTINCT FROM c.ceased_on OR o.successor_id IS DISTINCT FROM c.successor_id)""",
            unit_ids,
        )
