"""Training views: plan attainment, completion rate, trained share by unit, expiring certificates, drills."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.adapters import queries
from reporting.adapters import training_queries as tq
from reporting.adapters.projection_schema import read_snapshot
from reporting.domain.training import TARGETS, plan_attainment, rate, roll_up
from reporting.domain.units import UnitNode, build_tree
from reporting.service_layer.views import UnknownUnitError, ViewContext, _header


async def attainment(ctx: ViewContext, year: int) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        plan = await tq.plan(conn, year)
        targets = {k: plan[k] for k in TARGETS} if plan else {}
        done = await tq.actuals(conn, year)
        completion = await tq.completion(conn, year)
        return {
            **await _header(conn, ctx, None),
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


async def trained_share(ctx: ViewContext, as_of: dt.date, unit_id: str | None) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        units = [UnitNode(**dict(r)) for r in await queries.units_as_of(conn, as_of)]
        if unit_id is not None and unit_id not in {u.unit_id for u in units}:
            raise UnknownUnitError(f"unit {unit_id} does not exist on {as_of}")
        own = {r["unit_id"]: (int(r["officers"]), int(r["trained"])) for r in await tq.trained_by_unit(conn, as_of)}
        build_tree(units)
        children = {u.unit_id: [c.unit_id for c in u.children] for u in units}
        wanted = [u for u in units if unit_id is None or u.unit_id == unit_id or _under(u, unit_id, units)]
        rows = []
        for u in sorted(wanted, key=lambda u: u.unit_id):
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
            **await _header(conn, ctx, as_of),
            "unit_id": unit_id,
            "units": rows,
            "totals": {"officers": total_o, "trained_12m": total_t, "trained_share_pct": rate(total_t, total_o)},
        }


def _under(unit: UnitNode, root: str, units: list[UnitNode]) -> bool:
    by_id = {u.unit_id: u for u in units}
    seen: set[str] = set()
    parent = unit.parent_id
    while parent is not None and parent not in seen:
        if parent == root:
            return True
        seen.add(parent)
        parent = by_id[parent].parent_id if parent in by_id else None
    return False


async def expiring(ctx: ViewContext, as_of: dt.date, days: int) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        rows = await tq.expiring_certificates(conn, as_of, days)
        return {**await _header(conn, ctx, as_of), "within_days": days, "certificates": rows}


async def drills(ctx: ViewContext, as_of: dt.date, year: int | None) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        rows = await tq.drills_by_unit(conn, as_of, year or as_of.year)
        return {
            **await _header(conn, ctx, as_of),
            "year": year or as_of.year,
            "units": [dict(r) for r in rows],
            "totals": {
                "open_findings": sum(r["open_findings"] for r in rows),
                "overdue_findings": sum(r["overdue_findings"] for r in rows),
            },
        }
