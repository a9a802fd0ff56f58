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


def attrition_months(as_of: dt.date, departures: list[dict[str, Any]], hires: dict[str, int]) -> list[dict[str, Any]]:
    """One row per month of the window (oldest first), each with departures, by_reason and hires, from
    departure rows (month, reason, departures) dated in the window and hires per month."""
    total = {d.strftime("%Y-%m"): 0 for d in month_ends(as_of)}
    reasons: dict[str, dict[str, int]] = {m: {} for m in total}
    for r in departures:
        total[r["month"]] += r["departures"]  # a KeyError here means a departure outside the window's months
        reasons[r["month"]][r["reason"]] = reasons[r["month"]].get(r["reason"], 0) + r["departures"]
    return [{"month": m, "departures": n, "by_reason": reasons[m], "hires": hires.get(m, 0)} for m, n in total.items()]


def rolling_attrition(departures: int, headcounts: list[int]) -> dict[str, Any]:
    """Departures over the window divided by the window's average headcount."""
    average = mean(headcounts) if headcounts else 0
    return {
        "departures": departures,
        "average_headcount": round(average, 1),
        "attrition_rate_pct": pct(departures, average),
    }


def window_start(as_of: dt.date, months: int = 12) -> dt.date:
    """First day of the window of `months` calendar months ending with as_of's month (up to as_of).

    The window is made of whole months so that it holds exactly the months whose month-end headcounts
    (`month_ends`) the rate averages: every month has its departures, hires and headcount. On a month's
    last day it is the 12 months ending on as_of; mid-month it starts on the 1st eleven months before."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)
