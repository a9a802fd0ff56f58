"""Monthly trend series: which months a series covers, and each month's figures from its counts (pure).

A month's counts are read on its month end: the month's last day, or as_of for as_of's own month (a
series never looks past the day it is as of). Departures and hires count the events dated in the month
up to that day. Shares are fractions (0..1, four decimals) or None when nobody is counted, like the
overview cards.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

DEFAULT_MONTHS = 24
MAX_MONTHS = 120
_MONTH = re.compile(r"^(19\d\d|2[01]\d\d)-(0[1-9]|1[0-2])$")  # 1900-01..2199-12, like every date
MONTH_PATTERN = _MONTH.pattern
COUNTS = ("headcount", "dedicated", "information_security", "trained", "departures", "hires")


class InvalidRangeError(ValueError):
    """The months asked for are reversed, too many, or reach past as_of's month."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.match(text)
        if not match:
            raise InvalidRangeError(f"{text!r} is not a month (YYYY-MM)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.plus(1).first_day - dt.timedelta(days=1)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """Months from `other` to self (0 when equal)."""
        return (self.year - other.year) * 12 + self.month - other.month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_range(as_of: dt.date, start: str | None, end: str | None) -> tuple[Month, Month]:
    """First and last month of the series. Default: the 24 months ending with as_of's month; with only
    `end`, the 24 months ending there; with only `start`, from there to as_of's month."""
    current = Month.of(as_of)
    last = Month.parse(end) if end else current
    first = Month.parse(start) if start else last.plus(1 - DEFAULT_MONTHS)
    if first > last:
        raise InvalidRangeError(f"from ({first}) is after to ({last})")
    if last > current:
        raise InvalidRangeError(f"to ({last}) is after the month of as_of ({current})")
    if last.minus(first) + 1 > MAX_MONTHS:
        raise InvalidRangeError(f"{last.minus(first) + 1} months asked for; at most {MAX_MONTHS}")
    return first, last


def month_end(month: Month, as_of: dt.date) -> dt.date:
    """The day a month's counts are read on."""
    return min(month.last_day, as_of)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def month_row(month: Month, as_of: dt.date, counts: dict[str, int]) -> dict[str, Any]:
    """One month of the series; a month without any row in `counts` is all zeros."""
    c = {k: int(counts.get(k, 0)) for k in COUNTS}
    return {
        "month": str(month),
        "month_end": month_end(month, as_of).isoformat(),
        "headcount": c["headcount"],
        "dedicated": c["dedicated"],
        "dedicated_share": share(c["dedicated"], c["headcount"]),
        "information_security": c["information_security"],
        "trained": c["trained"],
        "trained_share": share(c["trained"], c["headcount"]),
        "departures": c["departures"],
        "hires": c["hires"],
    }


def series(first: Month, last: Month, as_of: dt.date, by_month: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Every month from first to last, in order, from counts keyed by "YYYY-MM"."""
    months = [first.plus(i) for i in range(last.minus(first) + 1)]
    return [month_row(m, as_of, by_month.get(str(m), {})) for m in months]
