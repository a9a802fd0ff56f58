"""Expected training attainment and incident-response readiness, computed from a data set's calls the way
reporting computes them (see services/reporting/src/reporting/domain/{training,readiness}.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from cds_contracts.training import PLAN_TARGET_NAMES
from cds_plumbing.clock import day_start

from .dataset import DataSet

TARGETS = PLAN_TARGET_NAMES
SECURITY_KINDS = ("infosec_sysadmin", "cyber_drill")
WEIGHTS = {"certified": 0.25, "coverage": 0.25, "drill_recency": 0.20, "staffing": 0.15, "responsiveness": 0.15}


def _classes(ds: DataSet) -> dict[str, dict[str, Any]]:
    """Per class: programme kind and level, plan year, trainees, who passed, completed_on (None if not completed)."""
    programmes = {c.body["programme_id"]: c.body for c in ds.training if c.path == "/api/v1/programmes"}
    classes: dict[str, dict[str, Any]] = {}
    for call in ds.training:
        parts = call.path.split("/")
        if call.path == "/api/v1/classes":
            prog = programmes[call.body["programme_id"]]
            classes[call.body["class_id"]] = {"programme": prog, "year": call.body["plan_year"], "trainees": []}
            classes[call.body["class_id"]] |= {"passed": set(), "completed_on": None, "results_on": None}
        elif len(parts) == 6 and parts[3] == "classes":
            c = classes[parts[4]]
            if parts[5] == "enrolments":
                c["trainees"].append(call.body["officer_id"])
            elif parts[5] == "results":
                c["passed"] |= {r["officer_id"] for r in call.body["results"] if r["passed"]}
                c["results_on"] = dt.date.fromisoformat(call.body["completed_on"])
            elif parts[5] == "complete":
                c["completed_on"] = call.body["completed_on"]
    return classes


def training_attainment(ds: DataSet, year: int) -> dict[str, Any]:
    plan = next(c.body["targets"] for c in ds.training if c.path == "/api/v1/plans" and c.body["year"] == year)
    level = {u["unit_id"]: u["level"] for u in ds.units}
    unit_of = {o["officer_id"]: o["unit_id"] for o in ds.officers}
    actual: Counter[str] = Counter()
    for c in _classes(ds).values():
        if c["year"] != year or c["completed_on"] is None:
            continue
        advanced = c["programme"]["kind"] == "advanced_it" or c["programme"]["level"] == "advanced"
        actual["advanced_classes" if advanced else "classes"] += 1
        for officer in c["passed"]:
            actual["advanced_trainees" if advanced else f"trainees_{level[unit_of[officer]]}"] += 1
    actual["drills"] = sum(1 for c in ds.training if c.path == "/api/v1/drills" and c.body["plan_year"] == year)
    ratios = [min(actual[t] / plan[t], 1.0) for t in TARGETS if plan[t]]
    return {
        "targets": {t: plan[t] for t in TARGETS},
        "actuals": {t: actual[t] for t in TARGETS},
        "overall_attainment_pct": round(100 * sum(ratios) / len(ratios), 1),
    }


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return day.replace(year=year, month=month, day=min(day.day, last))


def readiness(ds: DataSet) -> dict[str, Any]:
    team = f"/api/v1/response-teams/{ds.response_team_id}"
    members = {c.body["officer_id"]: c.body["role"] for c in ds.personnel if c.path == f"{team}/members"}
    certified = set()
    for c in _classes(ds).values():
        validity = c["programme"]["certificate_validity_months"]
        security = c["programme"]["kind"] in SECURITY_KINDS and c["results_on"] and validity
        if security and c["results_on"] <= ds.today <= _add_months(c["results_on"], validity):
            certified |= c["passed"] & set(members)
    start = day_start(ds.today)
    end = start + dt.timedelta(days=30)
    shifts = sorted(
        (
            max(start, dt.datetime.fromisoformat(c.body["starts_at"])),
            min(end, dt.datetime.fromisoformat(c.body["ends_at"])),
        )
        for c in ds.personnel
        if c.path == f"{team}/shifts"
    )
    covered, cursor, gaps = 0.0, start, []
    for s, e in shifts:
        if e <= s or e <= cursor:
            continue
        if s > cursor:
            gaps.append((cursor.isoformat(), s.isoformat()))
        covered += (e - max(s, cursor)).total_seconds()
        cursor = e
    if cursor < end:
        gaps.append((cursor.isoformat(), end.isoformat()))
    drills = [
        dt.date.fromisoformat(c.body["held_on"])
        for c in ds.training
        if c.path == "/api/v1/drills" and set(c.body["officer_ids"]) & set(members)
    ]
    last = max((d for d in drills if d <= ds.today), default=None)
    days_since = (ds.today - last).days if last else None
    reported = {
        c.body["incident_id"]: dt.datetime.fromisoformat(c.body["reported_at"])
        for c in ds.personnel
        if c.path == f"{team}/incidents"
    }
    acks = [
        (dt.datetime.fromisoformat(c.body["acknowledged_at"]) - reported[c.path.split("/")[6]]).total_seconds() / 60
        for c in ds.personnel
        if c.path.startswith(f"{team}/incidents/")
        and c.path.endswith("/acknowledge")
        and start - dt.timedelta(days=90) < reported[c.path.split("/")[6]] <= start
    ]
    mtta = sum(acks) / len(acks) if acks else None
    roles = Counter(members.values())
    parts = {
        "certified": len(certified) / len(members) if members else 0.0,
        "coverage": covered / (end - start).total_seconds(),
        "drill_recency": 0.0
        if days_since is None
        else 1.0
        if days_since <= 180
        else max(0.0, (365 - days_since) / 185),
        "staffing": sum([roles["lead"] >= 1, roles["network_admin"] >= 1, len(members) >= 3]) / 3,
        "responsiveness": 1.0 if mtta is None or mtta <= 15 else max(0.0, (240 - mtta) / 225),
    }
    return {
        "team_id": ds.response_team_id,
        "members": len(members),
        "members_by_role": dict(sorted(roles.items())),
        "certified_members": len(certified),
        "certified_share_pct": round(100 * parts["certified"], 1),
        "coverage_pct": round(100 * parts["coverage"], 1),
        "gaps": gaps,
        "days_since_last_drill": days_since,
        "incidents_90_days": len(acks),
        "mean_time_to_acknowledge_minutes": round(mtta, 1) if mtta is not None else None,
        "score_parts": {k: round(v, 3) for k, v in parts.items()},
        "readiness_score": round(100 * sum(WEIGHTS[k] * parts[k] for k in WEIGHTS), 1),
    }
