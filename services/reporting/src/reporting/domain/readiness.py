"""Incident-response readiness: on-call coverage and the readiness score.

Readiness score (0-100) = 100 x weighted mean of five parts, each between 0 and 1:
- certified (25%): share of active members holding a valid security certificate from training
  (programme kinds infosec_sysadmin or cyber_drill, class not cancelled, not expired);
- coverage (25%): share of the next 30 days covered by on-call shifts whose primary is an active member;
- drill recency (20%): 1 if the team's last drill (one a member took part in) is at most 180 days old,
  falling linearly to 0 at 365 days; 0 without any drill;
- staffing (15%): share of three conditions met: a lead, a network/system administrator, at least 3 members;
- responsiveness (15%): 1 without incidents in the last 90 days or with a mean time to acknowledge of at
  most 15 minutes, falling linearly to 0 at 4 hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

WEIGHTS = {"certified": 0.25, "coverage": 0.25, "drill_recency": 0.20, "staffing": 0.15, "responsiveness": 0.15}


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime


def gaps(window: Interval, covered: Iterable[Interval]) -> tuple[float, list[Interval]]:
    """Seconds covered within the window, and the maximal uncovered intervals, in order."""
    clipped = sorted(
        (Interval(max(c.start, window.start), min(c.end, window.end)) for c in covered),
        key=lambda i: i.start,
    )
    holes: list[Interval] = []
    cursor = window.start
    seconds = 0.0
    for c in clipped:
        if c.end <= c.start or c.end <= cursor:
            continue
        if c.start > cursor:
            holes.append(Interval(cursor, c.start))
        seconds += (c.end - max(c.start, cursor)).total_seconds()
        cursor = c.end
    if cursor < window.end:
        holes.append(Interval(cursor, window.end))
    return seconds, holes


def drill_recency(days_since: int | None) -> float:
    if days_since is None:
        return 0.0
    if days_since <= 180:
        return 1.0
    return max(0.0, (365 - days_since) / (365 - 180))


def responsiveness(mean_ack_minutes: float | None) -> float:
    if mean_ack_minutes is None or mean_ack_minutes <= 15:
        return 1.0
    return max(0.0, (240 - mean_ack_minutes) / (240 - 15))


def staffing(roles: dict[str, int]) -> float:
    met = [roles.get("lead", 0) >= 1, roles.get("network_admin", 0) >= 1, sum(roles.values()) >= 3]
    return sum(met) / len(met)


def score(parts: dict[str, float]) -> float:
    return round(100 * sum(WEIGHTS[k] * parts[k] for k in WEIGHTS), 1)
