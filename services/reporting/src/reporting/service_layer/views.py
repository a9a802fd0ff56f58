"""The read models served under /api/v1: each view reads one consistent snapshot of the active schema.

Every body carries `as_of` (the day asked about) and `current_to` (the newest event time applied), so a
dashboard can say how fresh it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from reporting.adapters import queries
from reporting.adapters.projection_schema import read_snapshot
from reporting.domain.officers import AgencyCoverage, Counts, summarise_coverage
from reporting.domain.periods import valid_on
from reporting.domain.slices import UnknownUnitError
from reporting.domain.units import UnitNode, build_tree
from reporting.service_layer.context import ViewContext

__all__ = ["UnknownUnitError", "ViewContext"]


async def _header(conn: Connection, ctx: ViewContext, as_of: dt.date | None) -> dict[str, Any]:
    body: dict[str, Any] = {"as_of": as_of.isoformat() if as_of else None}
    current = await queries.current_to(conn, ctx.consumer)
    body["current_to"] = current.isoformat() if current else None
    return body


async def unit_tree(ctx: ViewContext, as_of: dt.date) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        rows = await queries.units_as_of(conn, as_of)
        roots = build_tree([UnitNode(**dict(r)) for r in rows])
        return {**await _header(conn, ctx, as_of), "units": [r.as_dict() for r in roots]}


async def unit_history(ctx: ViewContext, unit_id: str, as_of: dt.date) -> dict[str, Any]:
    """All versions of a unit (`valid_on_as_of` marks the one valid that day) and its lineage."""
    async with read_snapshot(ctx.pool) as conn:
        versions = await queries.unit_versions(conn, unit_id)
        lineage = await queries.unit_lineage(conn, unit_id)
        if not versions and not lineage:
            raise UnknownUnitError(f"unit {unit_id} is unknown")
        return {
            **await _header(conn, ctx, as_of),
            "unit_id": unit_id,
            "versions": [
                {**_jsonable(dict(v)), "valid_on_as_of": valid_on(v["valid_from"], v["valid_to"], as_of)}
                for v in versions
            ],
            "predecessors": [
                {"unit_id": r["predecessor_id"], "kind": r["kind"], "effective_date": r["effective_date"].isoformat()}
                for r in lineage
                if r["successor_id"] == unit_id
            ],
            "successors": [
                {"unit_id": r["successor_id"], "kind": r["kind"], "effective_date": r["effective_date"].isoformat()}
                for r in lineage
                if r["predecessor_id"] == unit_id
            ],
        }


async def headcount(ctx: ViewContext, as_of: dt.date, unit_id: str | None) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        if unit_id is not None and not await queries.unit_exists_on(conn, unit_id, as_of):
            raise UnknownUnitError(f"unit {unit_id} does not exist on {as_of}")
        rows = await queries.headcount(conn, as_of, unit_id)
        totals = await queries.province_totals(conn, as_of)
        units = [
            {
                "unit_id": r["unit_id"],
                "parent_id": r["parent_id"],
                "name_vi": r["name_vi"],
                "kind": r["kind"],
                "level": r["level"],
                "own": _counts(r, "own_").as_dict(),
                "rolled_up": _counts(r, "rolled_").as_dict(),
            }
            for r in rows
        ]
        return {
            **await _header(conn, ctx, as_of),
            "unit_id": unit_id,
            "units": units,
            "totals": _counts(totals, "").as_dict(),
        }


async def _scope(conn: Connection, as_of: dt.date, unit_id: str | None) -> list[str] | None:
    """The units of `unit_id`'s subtree on as_of (None = the whole province); unknown unit -> UnknownUnitError."""
    if unit_id is None:
        return None
    units = await queries.subtree(conn, as_of, unit_id)
    if not units:
        raise UnknownUnitError(f"unit {unit_id} does not exist on {as_of}")
    return units


async def coverage(ctx: ViewContext, as_of: dt.date, unit_id: str | None = None) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        units = await _scope(conn, as_of, unit_id)
        agencies = [AgencyCoverage(**dict(r)) for r in await queries.agency_coverage(conn, as_of, units)]
        return {**await _header(conn, ctx, as_of), "unit_id": unit_id, **summarise_coverage(agencies)}


async def community_teams(ctx: ViewContext, as_of: dt.date, unit_id: str | None = None) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        units = await _scope(conn, as_of, unit_id)
        totals = await queries.team_totals(conn, as_of, units)
        affiliations = await queries.members_by_affiliation(conn, as_of, units)
        communes = await queries.teams_by_commune(conn, as_of, units)
        return {
            **await _header(conn, ctx, as_of),
            "unit_id": unit_id,
            "totals": {"teams": totals["teams"], "members": totals["members"]},
            "members_by_affiliation": {r["affiliation"]: r["members"] for r in affiliations},
            "by_commune": [dict(r) for r in communes],
        }


async def freshness(ctx: ViewContext) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:  # plumbing tables only: no projection schema needed
        rows = await queries.checkpoints(conn, ctx.consumer)
        topics: dict[str, dict[str, Any]] = {t: {"topic": t, "event_time": None, "offsets": []} for t in ctx.topics}
        for r in rows:
            entry = topics.setdefault(r["topic"], {"topic": r["topic"], "event_time": None, "offsets": []})
            entry["offsets"].append({"partition": r["kafka_partition"], "next_offset": r["next_offset"]})
            if r["event_time"] is not None and (entry["event_time"] is None or r["event_time"] > entry["event_time"]):
                entry["event_time"] = r["event_time"]
        for entry in topics.values():
            entry["event_time"] = entry["event_time"].isoformat() if entry["event_time"] else None
        return {**await _header(conn, ctx, None), "consumer": ctx.consumer, "topics": list(topics.values())}


def _counts(row: asyncpg.Record, prefix: str) -> Counts:
    return Counts(**{f: row[prefix + f] for f in queries.COUNT_FIELDS})


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
