"""Training views: plan attainment, completion rate, trained share by unit, expiring certificates, drills.

Each takes the day and the Slice. Records are filtered by the unit each belongs to: a trainee by the
unit training enrolled them from, an officer by their unit on as_of, a drill by its units, a finding by
its owner unit (see adapters/attribution.py for records of units reorganised since)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.adapters import queries
from reporting.adapters import training_queries as tq
from reporting.adapters.attribution import slice_units
from reporting.adapters.projection_schema import read_snapshot
from reporting.domain.slices import Slice
from reporting.domain.training import TARGETS, plan_attainment, rate, roll_up
from reporting.domain.units import UnitNode, build_tree
from reporting.service_layer.context import ViewContext, header


async def attainment(ctx: ViewContext, as_of: dt.date, sl: Slice, year: int) -> dict[str, Any]:
    """The year's plan (current revision) against what was done by as_of.

    The plan is the province's: its targets stay whole under a slice, and the actuals count only the
    slice's trainees (by the unit they were enrolled from, whose level the level targets use), the
    classes they took part in and the drills the slice's units took part in. A sliced attainment is
    therefore the slice's contribution to the provincial plan."""
    async with read_snapshot(ctx.pool) as conn:
        units = await slice_units(conn, as_of, sl)
        plan = await tq.plan(conn, year)
        targets = {k: plan[k] for k in TARGETS} if plan else {}
        done = await tq.actuals(conn, year, as_of, units)
        completion = await tq.completion(conn, year, as_of, units)
        return {
            **await header(conn, ctx, as_of),
            "slice": sl.as_dict(),
            "year": year,
            "plan_revision": plan["revision"] if plan else None,
            **plan_attainment(targets, done),
            "completion": {
                "enrolled": completion["enrolled"],
                "passed": completion["passed"],
                "failed": completion["failed"],
                "completion_rate_pct": rate(completion["passed"], completion["enrolled"]),
            },
        }


async def trained_share(ctx: ViewContext, as_of: dt.date, sl: Slice) -> dict[str, Any]:
    """Per unit of the slice, rolled up over the units under it that are in the slice too (a "People's
    Committees" report does not add a department to its province's row); totals over the slice."""
    async with read_snapshot(ctx.pool) as conn:
        wanted = await slice_units(conn, as_of, sl)
        units = [UnitNode(**dict(r)) for r in await queries.units_as_of(conn, as_of)]
        own = {
            r["unit_id"]: (int(r["officers"]), int(r["trained"]))
            for r in await tq.trained_by_unit(conn, as_of)
            if wanted is None or r["unit_id"] in wanted
        }
        build_tree(units)  # nests children, breaking parent cycles
        children = {u.unit_id: [c.unit_id for c in u.children] for u in units}
        rows = []
        for u in sorted(units, key=lambda u: u.unit_id):
            if wanted is not None and u.unit_id not in wanted:
                continue
            officers, trained = roll_up(children, own, u.unit_id)
            rows.append(
                {
                    "unit_id": u.unit_id,
                    "name_vi": u.name_vi,
                    "level": u.level,
                    "officers": officers,
                    "trained_12m": trained,
                    "trained_share_pct": rate(trained, officers),
                }
            )
        total_o, total_t = (sum(v[0] for v in own.values()), sum(v[1] for v in own.values()))
        return {
            **await header(conn, ctx, as_of),
            "slice": sl.as_dict(),
            "unit_id": sl.unit_id,
            "units": rows,
            "totals": {"officers": total_o, "trained_12m": total_t, "trained_share_pct": rate(total_t, total_o)},
        }


async def expiring(ctx: ViewContext, as_of: dt.date, sl: Slice, days: int) -> dict[str, Any]:
    """Certificates of officers serving in the slice on as_of, expiring within `days`."""
    async with read_snapshot(ctx.pool) as conn:
        rows = await tq.expiring_certificates(conn, as_of, days, await slice_units(conn, as_of, sl))
        return {**await header(conn, ctx, as_of), "slice": sl.as_dict(), "within_days": days, "certificates": rows}


async def drills(ctx: ViewContext, as_of: dt.date, sl: Slice, year: int | None) -> dict[str, Any]:
    """Per unit of the slice: drills of `year` (default as_of's) taken part in, findings owned still open."""
    async with read_snapshot(ctx.pool) as conn:
        rows = await tq.drills_by_unit(conn, as_of, year or as_of.year, await slice_units(conn, as_of, sl))
        return {
            **await header(conn, ctx, as_of),
            "slice": sl.as_dict(),
            "year": year or as_of.year,
            "units": [dict(r) for r in rows],
            "totals": {
                "open_findings": sum(r["open_findings"] for r in rows),
                "overdue_findings": sum(r["overdue_findings"] for r in rows),
            },
        }
