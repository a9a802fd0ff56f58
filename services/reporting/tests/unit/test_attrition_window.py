"""The attrition window: 12 whole calendar months ending with as_of's month, each month complete."""

from __future__ import annotations

import datetime as dt

from reporting.domain.recruitment import attrition_months, month_ends, window_start

D = dt.date


def test_the_window_starts_on_the_first_of_a_month_eleven_months_before() -> None:
    assert window_start(D(2025, 6, 15)) == D(2024, 7, 1)
    assert window_start(D(2025, 3, 1)) == D(2024, 4, 1)
    assert window_start(D(2025, 12, 31)) == D(2025, 1, 1)  # a month end: the 12 months ending on it
    assert window_start(D(2025, 1, 10)) == D(2024, 2, 1)
    assert window_start(D(2024, 2, 29)) == D(2023, 3, 1)
    for as_of in (D(2025, 6, 15), D(2025, 3, 1), D(2024, 2, 29)):
        ends = month_ends(as_of)  # the month ends the rate averages fall in the window, one per month
        assert ends[0].replace(day=1) == window_start(as_of) and ends[-1] == as_of and len(ends) == 12


def test_every_month_of_the_window_has_departures_reasons_and_hires() -> None:
    rows = [
        {"month": "2024-07", "reason": "retirement", "departures": 1},
        {"month": "2024-07", "reason": "private_sector", "departures": 2},
        {"month": "2025-06", "reason": "retirement", "departures": 1},
    ]
    months = attrition_months(D(2025, 6, 15), rows, {"2024-07": 3, "2025-01": 1})
    assert [m["month"] for m in months][:2] == ["2024-07", "2024-08"] and len(months) == 12
    assert months[0] == {
        "month": "2024-07",
        "departures": 3,
        "by_reason": {"retirement": 1, "private_sector": 2},
        "hires": 3,
    }
    assert months[1] == {"month": "2024-08", "departures": 0, "by_reason": {}, "hires": 0}
    assert months[6]["hires"] == 1 and months[-1]["departures"] == 1
