"""The province's clock: days in Asia/Ho_Chi_Minh (UTC+7), whatever the machine's zone; pinnable for tests."""

from __future__ import annotations

import datetime as dt

import pytest

from cds_plumbing import clock


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("at", "today"),
    [
        (utc(14, 16, 59), dt.date(2025, 3, 14)),  # 23:59 in Vietnam: still the 14th
        (utc(14, 17, 0), dt.date(2025, 3, 15)),  # midnight in Vietnam
        (utc(14, 23, 30), dt.date(2025, 3, 15)),  # 06:30 in Vietnam: the machine's UTC date lags a day
        (dt.datetime(2025, 3, 15, 1, 0, tzinfo=clock.PROVINCE_TZ), dt.date(2025, 3, 15)),
    ],
)
def test_today_is_the_province_day(at: dt.datetime, today: dt.date) -> None:
    with clock.pinned(at):
        assert clock.today() == today
        assert clock.now() == at and clock.now().utcoffset() == dt.timedelta(hours=7)
        assert clock.utc_now() == at and clock.utc_now().tzinfo is dt.UTC


def test_day_start_and_province_day() -> None:
    assert clock.day_start(dt.date(2025, 3, 15)) == utc(14, 17)
    assert clock.province_day(utc(14, 17)) == dt.date(2025, 3, 15)
    assert clock.province_day(utc(14, 16, 59)) == dt.date(2025, 3, 14)


def test_pinned_restores_the_previous_source_even_on_error() -> None:
    with pytest.raises(RuntimeError), clock.pinned(utc(1, 0)):
        raise RuntimeError("boom")
    real = dt.datetime.now(dt.UTC)
    assert abs(clock.utc_now() - real) < dt.timedelta(seconds=5)


def test_pinned_takes_a_function_and_refuses_naive_times() -> None:
    ticks = iter([utc(1, 0), utc(1, 1)])
    with clock.pinned(lambda: next(ticks)):
        assert clock.utc_now() == utc(1, 0)
        assert clock.utc_now() == utc(1, 1)
    with pytest.raises(ValueError, match="aware"), clock.pinned(dt.datetime(2025, 3, 1)):
        pass
