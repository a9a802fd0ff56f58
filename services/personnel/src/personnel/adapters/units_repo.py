"""asyncpg access to org units, their dated versions and lineage."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from cds_plumbing.periods import Step, day_before
from personnel.domain.errors import ConflictError
from personnel.domain.periods import transition
from personnel.domain.units import Unit, UnitVersion

_VERSION_COLS = "unit_id, valid_from, valid_to, name_vi, name_en, kind, level, parent_id"
_V_COLS = ", ".join("v." + c for c in _VERSION_COLS.split(", "))  # the version columns in a join, `v` the alias


def _version(row: asyncpg.Record) -> UnitVersion:
    return UnitVersion(**{k: row[k] for k in UnitVersion.__dataclass_fields__})


class UnitRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, unit_id: str, *, lock: bool = False) -> Unit | None:
        if not lock:
            return await self._get_unlocked(unit_id)
        # Locked: the versions are read by a statement after the lock is held, so they include whatever the
        # previous holder committed (one statement's joined rows would come from before the wait).
        head = await self._conn.fetchrow(
            f"SELECT unit_id, valid_from, valid_to FROM org_units WHERE unit_id = $1{' FOR UPDATE' if lock else ''}",
            unit_id,
        )
        if head is None:
            return None
        rows = await self._conn.fetch(
            f"SELECT {_VERSION_COLS} FROM org_unit_versions WHERE unit_id = $1 ORDER BY valid_from", unit_id
        )
        return Unit(head["unit_id"], head["valid_from"], head["valid_to"], tuple(_version(r) for r in rows))

    async def _get_unlocked(self, unit_id: str) -> Unit | None:
        """The unit and its versions in one round trip (most commands read the unit they touch this way)."""
        rows = await self._conn.fetch(
            f"""SELECT u.valid_from AS unit_from, u.valid_to AS unit_to, {_V_COLS}
                FROM org_units u LEFT JOIN org_unit_versions v ON v.unit_id = u.unit_id
                WHERE u.unit_id = $1 ORDER BY v.valid_from""",
            unit_id,
        )
        if not rows:
            return None
        head = rows[0]
        versions = tuple(_version(r) for r in rows if r["unit_id"] is not None)
        return Unit(unit_id, head["unit_from"], head["unit_to"], versions)

    async def existing_ids(self, unit_ids: list[str]) -> set[str]:
        rows = await self._conn.fetch("SELECT unit_id FROM org_units WHERE unit_id = ANY($1)", unit_ids)
        return {r["unit_id"] for r in rows}

    async def versions_on(self, day: dt.date, unit_ids: list[str] | None = None) -> dict[str, UnitVersion]:
        rows = await self._conn.fetch(
            f"""SELECT {_V_COLS}
                FROM org_unit_versions v JOIN org_units u USING (unit_id)
                WHERE v.valid_from <= $1 AND (v.valid_to IS NULL OR $1 <= v.valid_to)
                  AND u.valid_from <= $1 AND (u.valid_to IS NULL OR $1 <= u.valid_to)
                  AND ($2::text[] IS NULL OR v.unit_id = ANY($2))
                ORDER BY v.unit_id""",
            day,
            unit_ids,
        )
        return {r["unit_id"]: _version(r) for r in rows}

    async def insert(self, v: UnitVersion) -> None:
        await self._conn.execute("INSERT INTO org_units (unit_id, valid_from) VALUES ($1, $2)", v.unit_id, v.valid_from)
        await self._insert_version(v)

    async def insert_many(self, versions: list[UnitVersion]) -> None:
        await self._conn.executemany(
            "INSERT INTO org_units (unit_id, valid_from) VALUES ($1, $2)", [(v.unit_id, v.valid_from) for v in versions]
        )
        await self._conn.executemany(
            f"INSERT INTO org_unit_versions ({_VERSION_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            [tuple(getattr(v, c) for c in UnitVersion.__dataclass_fields__) for v in versions],
        )

    async def _insert_version(self, v: UnitVersion) -> None:
        await self._conn.execute(
            f"INSERT INTO org_unit_versions ({_VERSION_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            *(getattr(v, c) for c in UnitVersion.__dataclass_fields__),
        )

    async def change_version(self, unit: Unit, effective: dt.date, what: str, **changes: Any) -> UnitVersion:
        """Record a rename or move effective on `effective`; returns the new version."""
        latest = unit.latest
        new = replace(latest, **changes, valid_from=effective, valid_to=None)
        if transition(latest.valid_from, effective, f"{what} of {unit.unit_id}") is Step.REPLACE:
            sets = ", ".join(f"{k} = ${i + 3}" for i, k in enumerate(changes))
            await self._conn.execute(
                f"UPDATE org_unit_versions SET {sets} WHERE unit_id = $1 AND valid_from = $2",
                unit.unit_id,
                latest.valid_from,
                *changes.values(),
            )
        else:
            await self._close_version(unit.unit_id, latest.valid_from, day_before(effective))
            await self._insert_version(new)
        return new

    async def _close_version(self, unit_id: str, version_from: dt.date, valid_to: dt.date) -> None:
        await self._conn.execute(
            "UPDATE org_unit_versions SET valid_to = $3 WHERE unit_id = $1 AND valid_from = $2",
            unit_id,
            version_from,
            valid_to,
        )

    async def cease(self, unit: Unit, effective: dt.date) -> None:
        """The unit exists until the day before `effective`.

        A version that would only have started on `effective` itself (e.g. the unit was carried under a new
        parent by a same-day reorganisation) never takes effect and is dropped."""
        versions = [v for v in unit.versions if v.valid_from < effective]
        if len(versions) < len(unit.versions) - sum(v.valid_from == effective for v in unit.versions) or not versions:
            raise ConflictError(f"{unit.unit_id} has changes recorded after {effective}; it cannot end before them")
        await self._conn.execute(
            "DELETE FROM org_unit_versions WHERE unit_id = $1 AND valid_from = $2", unit.unit_id, effective
        )
        await self._close_version(unit.unit_id, versions[-1].valid_from, day_before(effective))
        await self._conn.execute(
            "UPDATE org_units SET valid_to = $2 WHERE unit_id = $1", unit.unit_id, day_before(effective)
        )

    async def add_lineage(self, predecessor: str, successor: str, change: str, effective: dt.date) -> None:
        await self._conn.execute(
            "INSERT INTO org_unit_lineage VALUES ($1, $2, $3, $4)", predecessor, successor, change, effective
        )

    async def lineage(self, unit_id: str) -> list[asyncpg.Record]:
        return await self._conn.fetch(
            """SELECT predecessor_id, successor_id, change, effective_date FROM org_unit_lineage
               WHERE predecessor_id = $1 OR successor_id = $1 ORDER BY effective_date""",
            unit_id,
        )

    async def children_on(self, unit_id: str, day: dt.date) -> list[UnitVersion]:
        versions = await self.versions_on(day)
        return [v for v in versions.values() if v.parent_id == unit_id]

    async def descendants_on(self, unit_id: str, day: dt.date) -> set[str]:
        rows = await self._conn.fetch(
            """WITH RECURSIVE live AS (
                   SELECT v.unit_id, v.parent_id FROM org_unit_versions v JOIN org_units u USING (unit_id)
                   WHERE v.valid_from <= $2 AND (v.valid_to IS NULL OR $2 <= v.valid_to)
                     AND u.valid_from <= $2 AND (u.valid_to IS NULL OR $2 <= u.valid_to)),
               sub AS (SELECT unit_id FROM live WHERE parent_id = $1
                       UNION SELECT l.unit_id FROM live l JOIN sub s ON l.parent_id = s.unit_id)
               SELECT unit_id FROM sub""",
            unit_id,
            day,
        )
        return {r["unit_id"] for r in rows}

    async def descendants_from(self, unit_id: str, day: dt.date) -> set[str]:
        """Units under `unit_id` on `day` or on any later day the tree changes (every later version start):
        a move valid from `day` must not put a unit under one of them on any of those days."""
        rows = await self._conn.fetch(
            """WITH RECURSIVE days AS (
                   SELECT $2::date AS day
                   UNION SELECT valid_from FROM org_unit_versions WHERE valid_from > $2
                   UNION SELECT valid_from FROM org_units WHERE valid_from > $2),
               live AS (
                   SELECT d.day, v.unit_id, v.parent_id
                   FROM days d
                   JOIN org_unit_versions v ON v.valid_from <= d.day AND (v.valid_to IS NULL OR d.day <= v.valid_to)
                   JOIN org_units u ON u.unit_id = v.unit_id
                    AND u.valid_from <= d.day AND (u.valid_to IS NULL OR d.day <= u.valid_to)),
               sub AS (SELECT day, unit_id FROM live WHERE parent_id = $1
                       UNION SELECT l.day, l.unit_id FROM live l
                             JOIN sub s ON l.day = s.day AND l.parent_id = s.unit_id)
               SELECT DISTINCT unit_id FROM sub""",
            unit_id,
            day,
        )
        return {r["unit_id"] for r in rows}
