"""Recruitment and attrition figures computed from counts (pure; the queries fetch the counts)."""

from __future__ import annotations

import datetime as dt
from statistics import mean, median
from typing import Any

FUNNEL = ("applied", "screened", "interviewed", "offered", "accepted", "hired")
"""Stages in pipeline order; declined and rejected are exits, not steps."""

FUNCTION_OF_POSITION = {
    "it_technical": "it_technical",
    "information_security": "information_security",
    "leadership": "it_leader",
}
"""Which officer function fills a planned position (data positions are filled by hires only)."""


def pct(part: float, whole: float) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def funnel(reached: dict[str, int]) -> list[dict[str, Any]]:
    """Each stage with how many applications reached it and the conversion from the stage before."""
    rows = []
    previous: int | None = None
    for stage in FUNNEL:
        n = reached.get(stage, 0)
        rows.append({"stage": stage, "reached": n, "conversion_pct": None if previous is None else pct(n, previous)})
        previous = n
    return rows


def durations(days: list[int]) -> dict[str, Any]:
    return {
        "count": len(days),
        "mean_days": round(mean(days), 1) if days else None,
        "median_days": median(days) if days else None,
    }


def month_ends(as_of: dt.date, months: int = 12) -> list[dt.date]:
    """The last day of each of the `months` months ending with as_of's month (as_of itself for that one)."""
    ends = [as_of]
    first = as_of.replace(day=1)
    for _ in range(months - 1):
        last = first - dt.timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    return sorted(ends)


def rolling_attrition(departures: int, headcounts: list[int]) -> dict[str, Any]:
    """Departures over the window divided by the window's average headcount."""
    average = mean(headcounts) if headcounts else 0
    return {
        "departures": departures,
        "average_headcount": round(average, 1),
        "attrition_rate_pct": pct(departures, average),
    }


def window_start(as_of: dt.date) -> dt.date:
    """First day of the 12 months ending on as_of (29 February counts from 1 March a year before)."""
    day = min(as_of.day, 28) if as_of.month == 2 else as_of.day
    return as_of.replace(year=as_of.year - 1, day=day) + dt.timedelta(days=1)
