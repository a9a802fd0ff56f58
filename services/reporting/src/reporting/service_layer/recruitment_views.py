"""Recruitment and attrition views: vacancies, funnel, time to fill, offers, policies, staffing fill,
departures and hires per month, 12-month rolling attrition, exit-interview reasons.

Each takes the day and the Slice. Vacancies, applications, hires and staffing plans belong to their
vacancy's or plan's unit; a departure to the departing officer's last unit; headcounts and hires per month
to the officer's unit on the day counted. The slice is walked through time (adapters/attribution.py):
a record counts when its unit was in the slice's tree on the record's day, so the province's root unit
gives the whole province's figures across the 2025 reorganisation.

Attrition covers the 12 calendar months ending with as_of's month (as_of's month up to as_of): the
months whose month-end headcounts the rate averages (domain/recruitment.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from reporting.adapters import recruitment_queries as rq
from reporting.adapters.attribution import slice_scope
from reporting.adapters.projection_schema import read_snapshot
from reporting.domain.recruitment import (
    attrition_months,
    durations,
    funnel,
    month_ends,
    pct,
    rolling_attrition,
    window_start,
)
from reporting.domain.slices import Slice
from reporting.service_layer.context import ViewContext, header

POSITIONS = ("it_technical", "information_security", "data", "leadership")


async def vacancies(ctx: ViewContext, as_of: dt.date, sl: Slice) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        rows = await rq.open_vacancies(conn, as_of, await slice_scope(conn, as_of, sl))
        ages = [r["age_days"] for r in rows]
        return {
            **await header(conn, ctx, as_of),
            "slice": sl.as_dict(),
            "open": len(rows),
            "positions": sum(r["positions"] for r in rows),
            "age": durations(ages),
            "vacancies": rows,
        }


async def pipeline(ctx: ViewContext, as_of: dt.date, sl: Slice, year: int | None) -> dict[str, Any]:
    """Stages reached by the end of as_of (applications of `year` when given); vacancies filled by as_of."""
    async with read_snapshot(ctx.pool) as conn:
        scope = await slice_scope(conn, as_of, sl)
        reached = await rq.stages_reached(conn, year, as_of, scope)
        accepted, declined = reached.get("accepted", 0), reached.get("declined", 0)
        return {
            **await header(conn, ctx, as_of),
            "slice": sl.as_dict(),
            "year": year,
            "funnel": funnel(reached),
            "exits": {"declined": declined, "rejected": reached.get("rejected", 0)},
            "offer_acceptance_pct": pct(accepted, accepted + declined),
            "time_to_fill": durations(await rq.fill_days(conn, year, as_of, scope)),
        }


async def policies(ctx: ViewContext, as_of: dt.date, sl: Slice) -> dict[str, Any]:
    """Every incentive policy with the hires under it up to as_of into the slice's vacancies."""
    async with read_snapshot(ctx.pool) as conn:
        rows = await rq.hires_by_policy(conn, as_of, await slice_scope(conn, as_of, sl))
        return {**await header(conn, ctx, as_of), "slice": sl.as_dict(), "policies": rows}


async def staffing_fill(ctx: ViewContext, as_of: dt.date, sl: Slice, year: int) -> dict[str, Any]:
    """Per unit of the slice with a plan for `year`: quotas against officers serving on as_of."""
    async with read_snapshot(ctx.pool) as conn:
        units = []
        for r in await rq.staffing_fill(conn, year, as_of, await slice_scope(conn, as_of, sl)):
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
        return {**await header(conn, ctx, as_of), "slice": sl.as_dict(), "year": year, "units": units}


async def attrition(ctx: ViewContext, as_of: dt.date, sl: Slice) -> dict[str, Any]:
    """The 12 months ending with as_of's month: rolling rate, private-sector share, by unit, every month
    with its departures and hires, for the slice walked through time."""
    start = window_start(as_of)
    async with read_snapshot(ctx.pool) as conn:
        scope = await slice_scope(conn, as_of, sl)
        rows = await rq.departures(conn, start, as_of, scope)
        hires = await rq.hires_per_month(conn, start, as_of, scope)
        headcounts = await rq.headcount_on(conn, month_ends(as_of), scope)
        reasons = await rq.exit_reasons(conn, start, as_of, scope)
        total = sum(r["departures"] for r in rows)
        private = sum(r["departures"] for r in rows if r["reason"] == "private_sector")
        by_unit: dict[str, int] = defaultdict(int)
        for r in rows:
            by_unit[r["unit_id"]] += r["departures"]
        return {
            **await header(conn, ctx, as_of),
            "slice": sl.as_dict(),
            "unit_id": sl.unit_id,
            "window": {"from": start.isoformat(), "to": as_of.isoformat()},
            **rolling_attrition(total, headcounts),
            "private_sector_share_pct": pct(private, total),
            "by_unit": [{"unit_id": u, "departures": n} for u, n in sorted(by_unit.items())],
            "months": attrition_months(as_of, rows, hires),
            "exit_interview_reasons": reasons,
        }
