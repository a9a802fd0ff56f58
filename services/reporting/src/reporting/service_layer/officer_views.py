"""The read models served under /api/v1: each view reads one consistent snapshot of the active schema.

Every body carries `as_of` (the day asked about) and `current_to` (the newest event time applied), so a
dashboard can say how fresh it is. Views over units take a Slice (see domain/slices.py), resolved to the
units it covers on as_of, and echo it as `slice`; a slice unit not valid on as_of -> UnknownUnitError.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.periods import valid_on
from reporting.adapters import queries
from reporting.adapters.projection_schema import read_snapshot
from reporting.adapters.scope import units_in_slice
from reporting.domain.officers import AgencyCoverage, Counts, summarise_coverage
from reporting.domain.slices import WHOLE_PROVINCE, Slice, UnknownUnitError
from reporting.domain.units import UnitNode, build_tree, slice_units
from reporting.service_layer.context import ViewContext, header

__all__ = ["UnknownUnitError", "ViewContext"]


def as_slice(sl: Slice | str | None) -> Slice:
    """Earlier callers pass a unit id (or None for the whole province) where a Slice now goes."""
    return sl if isinstance(sl, Slice) else Slice(unit_id=sl)


async def unit_tree(ctx: ViewContext, as_of: dt.date, sl: Slice | str | None = WHOLE_PROVINCE) -> dict[str, Any]:
    """The tree valid on as_of. With the slice's unit, the subtree rooted there; with sectors or levels,
    the units that match (`in_slice` true) and their ancestors (`in_slice` false) so the tree stays
    navigable; `units` is empty when nothing matches."""
    sl = as_slice(sl)
    async with read_snapshot(ctx.pool) as conn:
        members = await units_in_slice(conn, as_of, sl)
        rows = await queries.units_as_of(conn, as_of)
        roots = build_tree(slice_units([UnitNode(**dict(r)) for r in rows], members, sl.unit_id))
        return {**await header(conn, ctx, as_of, sl), "units": [r.as_dict() for r in roots]}


async def unit_history(
    ctx: ViewContext, unit_id: str, as_of: dt.date, sl: Slice | str | None = WHOLE_PROVINCE
) -> dict[str, Any]:
    """All versions of a unit (`valid_on_as_of` marks the one valid that day) and its lineage, whatever
    the day: a merged unit's predecessors stay reachable, and their figures are asked for on a day they
    existed. `in_slice`: the unit exists on as_of and belongs to the slice."""
    sl = as_slice(sl)
    async with read_snapshot(ctx.pool) as conn:
        versions = await queries.unit_versions(conn, unit_id)
        lineage = await queries.unit_lineage(conn, unit_id)
        if not versions and not lineage:
            raise UnknownUnitError(f"unit {unit_id} is unknown")
        members = await units_in_slice(conn, as_of, sl)
        valid = [valid_on(v["valid_from"], v["valid_to"], as_of) for v in versions]
        return {
            **await header(conn, ctx, as_of, sl),
            "unit_id": unit_id,
            "in_slice": any(valid) if members is None else unit_id in members,
            "versions": [{**_jsonable(dict(v)), "valid_on_as_of": ok} for v, ok in zip(versions, valid, strict=True)],
            "predecessors": [_link(r["predecessor_id"], r) for r in lineage if r["successor_id"] == unit_id],
            "successors": [_link(r["successor_id"], r) for r in lineage if r["predecessor_id"] == unit_id],
        }


async def headcount(ctx: ViewContext, as_of: dt.date, sl: Slice | str | None = WHOLE_PROVINCE) -> dict[str, Any]:
    """`units`: the slice's units on as_of with their own counts and counts rolled up over their
    descendants that are in the slice too ("Party agencies only" rolls up Party agencies only).
    `totals`: officers whose unit on as_of is in the slice; for the whole province every officer, also
    one whose unit is missing from that day's tree."""
    sl = as_slice(sl)
    async with read_snapshot(ctx.pool) as conn:
        members = await units_in_slice(conn, as_of, sl)
        rows = await queries.headcount(conn, as_of, None, members)
        totals = await queries.province_totals(conn, as_of, members)
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
            **await header(conn, ctx, as_of, sl),
            "unit_id": sl.unit_id,
            "units": units,
            "totals": _counts(totals, "").as_dict(),
        }


async def coverage(ctx: ViewContext, as_of: dt.date, sl: Slice | str | None = WHOLE_PROVINCE) -> dict[str, Any]:
    """Agencies (AGENCY_KINDS) of the slice on as_of: `summary` counts, `failing` those lacking an IT
    leader or an IT technical officer of their own, `agencies` every one of them."""
    sl = as_slice(sl)
    async with read_snapshot(ctx.pool) as conn:
        members = await units_in_slice(conn, as_of, sl)
        agencies = [AgencyCoverage(**dict(r)) for r in await queries.agency_coverage(conn, as_of, members)]
        return {**await header(conn, ctx, as_of, sl), "unit_id": sl.unit_id, **summarise_coverage(agencies)}


async def community_teams(ctx: ViewContext, as_of: dt.date, sl: Slice | str | None = WHOLE_PROVINCE) -> dict[str, Any]:
    """Teams active on as_of whose commune (that day) is in the slice, and their members that day."""
    sl = as_slice(sl)
    async with read_snapshot(ctx.pool) as conn:
        members = await units_in_slice(conn, as_of, sl)
        totals, affiliations, communes = await queries.team_summary(conn, as_of, members)
        return {
            **await header(conn, ctx, as_of, sl),
            "unit_id": sl.unit_id,
            "totals": {"teams": totals["teams"], "members": totals["members"]},
            "members_by_affiliation": {r["affiliation"]: r["members"] for r in affiliations},
            "by_commune": [{k: r[k] for k in ("commune_id", "name_vi", "teams", "members")} for r in communes],
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
        return {**await header(conn, ctx, None), "consumer": ctx.consumer, "topics": list(topics.values())}


def _counts(row: asyncpg.Record, prefix: str) -> Counts:
    return Counts(**{f: row[prefix + f] for f in queries.COUNT_FIELDS})


def _link(unit_id: str, row: asyncpg.Record) -> dict[str, Any]:
    return {"unit_id": unit_id, "kind": row["kind"], "effective_date": row["effective_date"].isoformat()}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
