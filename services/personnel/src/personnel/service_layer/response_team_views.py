"""Read views of incident-response teams: the roster with its upcoming rotation, and on-call coverage.

The SQL is in adapters.queries; the rules (who counts as on call, the interval arithmetic) are the
domain's, so the API and the write side agree on what "covered" means.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from personnel.adapters import queries
from personnel.domain import response_teams as rules
from personnel.domain.errors import NotFoundError
from personnel.domain.response_teams import Membership, Shift, Span


def _memberships(members: list[dict[str, Any]]) -> list[Membership]:
    return [Membership(m["officer_id"], m["role"], m["joined_on"], m["left_on"], m["left_reason"]) for m in members]


def _shift(row: dict[str, Any]) -> Shift:
    return Shift(
        row["shift_id"],
        row["starts_at"],
        row["ends_at"],
        row["primary_officer_id"],
        row["backup_officer_id"],
        row["cancelled_at"] is not None,
    )


async def _team(pool: asyncpg.Pool, team_id: str) -> dict[str, Any]:
    team = await queries.response_team(pool, team_id)
    if team is None:
        raise NotFoundError(f"response team {team_id} does not exist")
    return team


async def team_detail(pool: asyncpg.Pool, team_id: str, now: dt.datetime, days: int) -> dict[str, Any]:
    """Active members (role, joined), past members, and the non-cancelled shifts of the next `days` days."""
    team = await _team(pool, team_id)
    members = team.pop("members")
    memberships = _memberships(members)
    rows = await queries.response_team_shifts(pool, team_id, now, now + dt.timedelta(days=days))
    upcoming = []
    for row in rows:
        shift = _shift(row)
        if shift.cancelled:
            continue
        status = rules.shift_status(shift, memberships)
        upcoming.append(
            {
                **{k: v for k, v in row.items() if k not in ("cancelled_at", "cancel_reason")},
                "uncovered": status.uncovered,
                "backup_unfilled": status.backup_unfilled,
            }
        )
    return {
        **team,
        "active_members": [
            {k: m[k] for k in ("officer_id", "full_name", "role", "joined_on", "scope_unit")}
            for m in members
            if m["left_on"] is None
        ],
        "past_members": [m for m in members if m["left_on"] is not None],
        "upcoming_shifts": upcoming,
    }


async def team_coverage(pool: asyncpg.Pool, team_id: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """On-call coverage of [start, end) and its exact gaps, in the time zone of `start`."""
    team = await _team(pool, team_id)
    window = Span(start, end)
    rows = await queries.response_team_shifts(pool, team_id, start, end)
    result = rules.coverage(window, [_shift(r) for r in rows], _memberships(team["members"]))
    tz = start.tzinfo

    def span(s: Span) -> dict[str, dt.datetime]:
        return {"from": s.start.astimezone(tz), "to": s.end.astimezone(tz)}

    return {
        "team_id": team_id,
        "window": span(window),
        "covered_seconds": result.covered_seconds,
        "total_seconds": result.total_seconds,
        "coverage_pct": result.coverage_pct,
        "gaps": [span(g) for g in result.gaps],
    }
