"""The province's clock: the one place every service asks for "now" and "today".

The province counts days in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), whatever zone the server's
clock is set to: between 17:00 and 24:00 UTC the machine's date and the province's differ, and a service
that used `date.today()` would call yesterday "today" until 07:00 in Vietnam.

No I/O and no state besides the time source, so the domain layer may import it too. Tests pin the time
with `pinned(at)`; it replaces the source for the whole process (not per task), because an app under
test answers requests on the event loop or in a thread that would not see a context variable set by
the test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

PROVINCE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _system_utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_source: Callable[[], dt.datetime] = _system_utc_now


def utc_now() -> dt.datetime:
    """The current instant, timezone-aware, in UTC (what gets stored and put on the wire)."""
    return _source().astimezone(dt.UTC)


def now() -> dt.datetime:
    """The current instant in the province's zone (what a person in the province reads on a clock)."""
    return _source().astimezone(PROVINCE_TZ)


def today() -> dt.date:
    """The calendar day in the province: the default `as_of` of every dated answer."""
    return now().date()


def day_start(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the province."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=PROVINCE_TZ)


def province_day(at: dt.datetime) -> dt.date:
    """The province's calendar day of an aware instant."""
    return at.astimezone(PROVINCE_TZ).date()


@contextmanager
def pinned(at: dt.datetime | Callable[[], dt.datetime]) -> Iterator[None]:
    """For tests: `utc_now()`, `now()` and `today()` answer from `at` (an aware instant, or a function
    returning one) until the block ends; the previous source is restored even when the block raises."""
    global _source
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise ValueError("pin the clock to an aware instant (naive times are ambiguous)")
        instant = at
        source: Callable[[], dt.datetime] = lambda: instant  # noqa: E731
    else:
        source = at
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
