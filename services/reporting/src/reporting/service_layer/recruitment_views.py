"""Recruitment and attrition views: vacancies, funnel, time to fill, offers, policies, staffing fill,
departures and hires per month, 12-month rolling attrition, exit-interview reasons."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from reporting.adapters import queries
from reporting.adapters import recruitment_queries as rq
from reporting.adapters.projection_schema import read_snapshot
from reporting.domain.recruitment import durations, funnel, month_ends, pct, rolling_attrition, window_start
from reporting.service_layer.views import UnknownUnitError, ViewContext, _header

POSITIONS = ("it_technical", "information_security", "data", "leadership")


async def vacancies(ctx: ViewContext, as_of: dt.date) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        rows = await rq.open_vacancies(conn, as_of)
        ages = [r["age_days"] for r in rows]
        return {
            **await _header(conn, ctx, as_of),
            "open": len(rows),
            "positions": sum(r["positions"] for r in rows),
            "age": durations(ages),
            "vacancies": rows,
        }


async def pipeline(ctx: ViewContext, year: int | None) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        reached = await rq.stages_reached(conn, year)
        accepted, declined = reached.get("accepted", 0), reached.get("declined", 0)
        return {
            **await _header(conn, ctx, None),
            "year": year,
            "funnel": funnel(reached),
            "exits": {"declined": declined, "rejected": reached.get("rejected", 0)},
            "offer_acceptance_pct": pct(accepted, accepted + declined),
            "time_to_fill": durations(await rq.fill_days(conn, year)),
        }


async def policies(ctx: ViewContext) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        return {**await _header(conn, ctx, None), "policies": await rq.hires_by_policy(conn)}


async def staffing_fill(ctx: ViewContext, year: int, as_of: dt.date) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        units = []
        for r in await rq.staffing_fill(conn, year, as_of):
            per = {
                f: {
                    "quota": r[f"q_{f}"],
                    "filled": r[f"f_{f}"],
                    "fill_rate_pct": pct(min(r[f"f_{f}"], r[f"q_{f}"]), r[f"q_{f}"]),
                }
                for f in POSITIONS
            }
            quota = sum(p["quota"] for p in per.values())
            filled = sum(min(p["filled"], p["quota"]) for p in per.values())
            units.append({"unit_id": r["unit_id"], "positions": per, "fill_rate_pct": pct(filled, quota)})
        return {**await _header(conn, ctx, as_of), "year": year, "units": units}


async def attrition(ctx: ViewContext, as_of: dt.date, unit_id: str | None = None) -> dict[str, Any]:
    """The 12 months ending on as_of: rolling rate, private-sector share, by unit, per month with hires.
    With `unit_id`, only that unit and the units under it in the tree of as_of."""
    start = window_start(as_of)
    async with read_snapshot(ctx.pool) as conn:
        units = None
        if unit_id is not None:
            if not await queries.unit_exists_on(conn, unit_id, as_of):
                raise UnknownUnitError(f"unit {unit_id} does not exist on {as_of}")
            units = [r["unit_id"] for r in await queries.headcount(conn, as_of, unit_id)]
        rows = await rq.departures(conn, start, as_of, units)
        hires = await rq.hires_per_month(conn, start, as_of, units)
        headcounts = await rq.headcount_on(conn, month_ends(as_of), units)
        reasons = await rq.exit_reasons(conn, start, as_of, units)
        total = sum(r["departures"] for r in rows)
        private = sum(r["departures"] for r in rows if r["reason"] == "private_sector")
        by_unit: dict[str, int] = defaultdict(int)
        by_month: dict[str, dict[str, Any]] = {}
        for r in rows:
            by_unit[r["unit_id"]] += r["departures"]
            month = by_month.setdefault(r["month"], {"month": r["month"], "departures": 0, "by_reason": {}})
            month["departures"] += r["departures"]
            month["by_reason"][r["reason"]] = month["by_reason"].get(r["reason"], 0) + r["departures"]
        for m in [d.strftime("%Y-%m") for d in month_ends(as_of)]:
            by_month.setdefault(m, {"month": m, "departures": 0, "by_reason": {}})["hires"] = hires.get(m, 0)
        return {
            **await _header(conn, ctx, as_of),
            "unit_id": unit_id,
            "window": {"from": start.isoformat(), "to": as_of.isoformat()},
            **rolling_attrition(total, headcounts),
            "private_sector_share_pct": pct(private, total),
            "by_unit": [{"unit_id": u, "departures": n} for u, n in sorted(by_unit.items())],
            "months": [by_month[m] for m in sorted(by_month)],
            "exit_interview_reasons": reasons,
        }
