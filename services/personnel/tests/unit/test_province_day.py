"""Personnel's default "today" is the province's day: at 23:30 UTC it is already tomorrow in Vietnam (UTC+7),
where the machine's clock (date.today() on a UTC server) would still say today."""

from __future__ import annotations

import datetime as dt

from cds_plumbing import clock
from personnel.entrypoints.deps import day


def test_default_day_at_2330_utc_is_the_next_calendar_day() -> None:
    with clock.pinned(dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)):
        assert day(None) == dt.date(2025, 7, 1)


def test_default_day_at_1659_utc_is_the_same_day() -> None:
    with clock.pinned(dt.datetime(2025, 6, 30, 16, 59, tzinfo=dt.UTC)):
        assert day(None) == dt.date(2025, 6, 30)


def test_an_explicit_day_wins() -> None:
    with clock.pinned(dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)):
        assert day(dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)
