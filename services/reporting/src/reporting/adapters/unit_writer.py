"""Projection of org-unit events into unit_versions, unit_cessations and unit_lineage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cds_contracts.personnel_org_units import (
    OrgUnitDissolved,
    OrgUnitMoved,
    OrgUnitRegistered,
    OrgUnitRenamed,
    OrgUnitsMerged,
    OrgUnitSplit,
)
from cds_plumbing.db import Connection

from . import periods

TABLE = "unit_versions"


async def registered(conn: Connection, e: OrgUnitRegistered) -> None:
    values = {"name_vi": e.name_vi, "name_en": e.name_en, "kind": e.kind, "level": e.level, "parent_id": e.parent_id}
    await periods.change(conn, TABLE, {"unit_id": e.unit_id}, e.valid_from, values, may_open=True)
    await _apply_cessation(conn, e.unit_id)


async def renamed(conn: Connection, e: OrgUnitRenamed) -> None:
    values = {"name_vi": e.name_vi, "name_en": e.name_en}
    await periods.change(conn, TABLE, {"unit_id": e.unit_id}, e.effective_date, values, may_open=False)
    await _apply_cessation(conn, e.unit_id)


async def moved(conn: Connection, e: OrgUnitMoved) -> None:
    values = {"parent_id": e.parent_id, "level": e.level}
    await periods.change(conn, TABLE, {"unit_id": e.unit_id}, e.effective_date, values, may_open=False)
    await _apply_cessation(conn, e.unit_id)


async def merged(conn: Connection, e: OrgUnitsMerged) -> None:
    ceasing = [p for p in e.predecessor_ids if p != e.successor_id]  # a continuing successor does not cease
    await _cease(conn, ceasing, e.effective_date)
    await _lineage(conn, [(p, e.successor_id) for p in ceasing], "merge", e.effective_date)


async def split(conn: Connection, e: OrgUnitSplit) -> None:
    await _cease(conn, [e.unit_id], e.effective_date)
    await _lineage(conn, [(e.unit_id, s) for s in e.successor_ids if s != e.unit_id], "split", e.effective_date)


async def dissolved(conn: Connection, e: OrgUnitDissolved) -> None:
    await _cease(conn, [e.unit_id], e.effective_date)


async def _cease(conn: Connection, unit_ids: Iterable[str], ceased_on: dt.date) -> None:
    for unit_id in unit_ids:
        await conn.execute(
            """INSERT INTO unit_cessations (unit_id, ceased_on) VALUES ($1, $2)
               ON CONFLICT (unit_id) DO UPDATE SET ceased_on = least(unit_cessations.ceased_on, EXCLUDED.ceased_on)""",
            unit_id,
            ceased_on,
        )
        await _apply_cessation(conn, unit_id)


async def _apply_cessation(conn: Connection, unit_id: str) -> None:
    """Cap the unit's versions at the day before it ceased, whichever of the two events came first."""
    await conn.execute(
        """UPDATE unit_versions v SET valid_to = c.ceased_on - 1
           FROM unit_cessations c
           WHERE v.unit_id = $1 AND c.unit_id = v.unit_id AND (v.valid_to IS NULL OR v.valid_to >= c.ceased_on)""",
        unit_id,
    )


async def _lineage(conn: Connection, pairs: list[tuple[str, str]], kind: str, effective: dt.date) -> None:
    await conn.executemany(
        """INSERT INTO unit_lineage (predecessor_id, successor_id, kind, effective_date)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
        [(pred, succ, kind, effective) for pred, succ in pairs],
    )
