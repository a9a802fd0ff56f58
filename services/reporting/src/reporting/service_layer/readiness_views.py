"""Readiness of each incident-response team on a day (see domain/readiness.py for the score)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import asyncpg

from cds_plumbing.clock import PROVINCE_TZ, day_start
from reporting.adapters import readiness_queries as rq
from reporting.adapters.attribution import slice_units
from reporting.adapters.projection_schema import read_snapshot
from reporting.domain import readiness as r
from reporting.domain.slices import Slice
from reporting.service_layer.context import ViewContext, header


async def readiness(ctx: ViewContext, as_of: dt.date, sl: Slice, now: dt.datetime | None = None) -> dict[str, Any]:
    """The teams of the slice's units (a provincial team belongs to the unit it was formed for) on as_of.

    The projection keeps only a team's current unit, so a team carried to a successor by a reorganisation
    also counts for its predecessors' slices. `now` starts the 30-day coverage window (default: as_of's
    midnight in the province)."""
    start = now or day_start(as_of)
    window = r.Interval(start, start + dt.timedelta(days=30))
    async with read_snapshot(ctx.pool) as conn:
        units = await slice_units(conn, as_of, sl, successors=True)
        teams = await rq.teams(conn, as_of, units, start - dt.timedelta(days=90), start)
        team_ids = [t["team_id"] for t in teams]
        memberships: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for m in await rq.memberships(conn, team_ids, as_of):
            memberships[m["team_id"]].append(m)
        shifts: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for s in await rq.shifts(conn, team_ids, window.start, window.end):
            shifts[s["team_id"]].append(s)
        out = []
        for team in teams:  # each row also carries its last drill and its incidents of the 90 days before start
            members = [m for m in memberships[team["team_id"]] if m["active"]]
            roles = dict(Counter(m["role"] for m in members))
            ids = [m["officer_id"] for m in members]
            certified = sum(1 for m in members if m["certified"])
            drilled: dt.date | None = team["last_drill_on"]
            days_since = (as_of - drilled).days if drilled else None
            periods: dict[str, list[r.Interval]] = {}
            for m in memberships[team["team_id"]]:  # a shift covers only while its primary is a member
                left = day_start(m["left_on"]) if m["left_on"] else dt.datetime.max.replace(tzinfo=dt.UTC)
                periods.setdefault(m["officer_id"], []).append(r.Interval(day_start(m["joined_on"]), left))
            covering = [
                r.Interval(max(s["starts_at"], p.start), min(s["ends_at"], p.end))
                for s in shifts[team["team_id"]]
                for p in periods.get(s["primary_officer_id"], [])
            ]
            covered, holes = r.gaps(window, covering)
            total = (window.end - window.start).total_seconds()
            mtta = float(team["mtta_minutes"]) if team["mtta_minutes"] is not None else None
            parts = {
                "certified": certified / len(members) if members else 0.0,
                "coverage": covered / total,
                "drill_recency": r.drill_recency(days_since),
                "staffing": r.staffing(roles),
                "responsiveness": r.responsiveness(mtta),
            }
            out.append(
                {
                    "team_id": team["team_id"],
                    "name": team["name"],
                    "scope": team["scope"],
                    "unit_id": team["unit_id"],
                    "members": len(members),
                    "members_by_role": roles,
                    "member_ids": ids,
                    "certified_members": certified,
                    "certified_share_pct": round(100 * parts["certified"], 1) if members else None,
                    "last_drill_on": drilled.isoformat() if drilled else None,
                    "days_since_last_drill": days_since,
                    "coverage_next_30_days": {
                        "from": window.start.isoformat(),
                        "to": window.end.isoformat(),
                        "coverage_pct": round(100 * covered / total, 1),
                        "gaps": [
                            {
                                "from": g.start.astimezone(PROVINCE_TZ).isoformat(),
                                "to": g.end.astimezone(PROVINCE_TZ).isoformat(),
                            }
                            for g in holes
                        ],
                    },
                    "incidents_90_days": {
                        "incidents": team["incidents"],
                        "open": team["open"],
                        "mean_time_to_acknowledge_minutes": round(mtta, 1) if mtta is not None else None,
                        "mean_time_to_resolve_hours": round(float(team["mttr_hours"]), 2)
                        if team["mttr_hours"] is not None
                        else None,
                    },
                    "score_parts": {k: round(v, 3) for k, v in parts.items()},
                    "readiness_score": r.score(parts),
                }
            )
        return {**await header(conn, ctx, as_of), "slice": sl.as_dict(), "teams": out}
