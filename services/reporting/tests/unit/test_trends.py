"""The trend series' months: default and explicit ranges, month ends, shares, empty months."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.domain.trends import InvalidRangeError, Month, month_end, month_range, series, share

D = dt.date


def test_month_arithmetic() -> None:
    assert Month.parse("2024-12").plus(1) == Month(2025, 1)
    assert Month(2025, 1).plus(-13) == Month(2023, 12)
    assert Month(2025, 3).minus(Month(2024, 12)) == 3
    assert Month(2024, 2).last_day == D(2024, 2, 29)  # leap year
    assert str(Month(2025, 7)) == "2025-07"
    for bad in ("2024-13", "2024-1", "24-01", "2024-00", "2024-01-01"):
        with pytest.raises(InvalidRangeError):
            Month.parse(bad)


def test_default_range_is_the_24_months_ending_with_as_of() -> None:
    assert month_range(D(2025, 10, 15), None, None) == (Month(2023, 11), Month(2025, 10))
    assert month_range(D(2025, 1, 1), None, None) == (Month(2023, 2), Month(2025, 1))


def test_explicit_and_half_open_ranges() -> None:
    as_of = D(2025, 10, 15)
    assert month_range(as_of, "2024-01", "2024-03") == (Month(2024, 1), Month(2024, 3))
    assert month_range(as_of, "2025-10", "2025-10") == (Month(2025, 10), Month(2025, 10))
    assert month_range(as_of, None, "2024-06") == (Month(2022, 7), Month(2024, 6))
    assert month_range(as_of, "2025-01", None) == (Month(2025, 1), Month(2025, 10))
    assert month_range(as_of, "2015-11", "2025-10")[0] == Month(2015, 11)  # exactly 120 months


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-03", "2025-02", "after to"),
        ("2025-01", "2025-11", "after the month of as_of"),
        ("2015-10", "2025-10", "at most 120"),
    ],
)
def test_invalid_ranges(start: str, end: str, message: str) -> None:
    with pytest.raises(InvalidRangeError, match=message):
        month_range(D(2025, 10, 15), start, end)


def test_month_end_is_the_last_day_or_as_of() -> None:
    assert month_end(Month(2025, 9), D(2025, 10, 15)) == D(2025, 9, 30)
    assert month_end(Month(2025, 10), D(2025, 10, 15)) == D(2025, 10, 15)
    assert month_end(Month(2025, 10), D(2025, 10, 31)) == D(2025, 10, 31)


def test_shares_are_fractions_or_none() -> None:
    assert share(2, 7) == 0.2857
    assert share(0, 3) == 0.0
    assert share(0, 0) is None


def test_series_fills_every_month_in_order() -> None:
    rows = series(Month(2025, 8), Month(2025, 10), D(2025, 10, 15), {"2025-09": {"headcount": 4, "dedicated": 1}})
    assert [r["month"] for r in rows] == ["2025-08", "2025-09", "2025-10"]
    assert [r["month_end"] for r in rows] == ["2025-08-31", "2025-09-30", "2025-10-15"]
    assert rows[0] == {
        "month": "2025-08",
        "month_end": "2025-08-31",
        "headcount": 0,
        "dedicated": 0,
        "dedicated_share": None,
        "information_security": 0,
        "trained": 0,
        "trained_share": None,
        "departures": 0,
        "hires": 0,
    }
    assert rows[1]["dedicated_share"] == 0.25 and rows[1]["trained_share"] == 0.0
