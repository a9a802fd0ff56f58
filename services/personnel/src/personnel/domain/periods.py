"""Dated validity: inclusive `valid_from`/`valid_to` (None = still valid).

A change effective on day d is the first day of the new state: it closes the current period on d - 1
and opens a new one on d, or replaces the current period when that started on d itself. Changes must
come in date order for one record: back-dating before the latest change would rewrite history that
other facts already rest on, so it is refused.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from .errors import ConflictError

ONE_DAY = dt.timedelta(days=1)


class Transition(Enum):
    REPLACE = "replace"  # the current period starts on d: change it in place
    CLOSE_AND_OPEN = "close_and_open"  # close the current period on d - 1, open a new one on d


def valid_on(valid_from: dt.date, valid_to: dt.date | None, day: dt.date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)


def transition(current_from: dt.date, effective: dt.date, what: str) -> Transition:
    if effective < current_from:
        raise ConflictError(
            f"{what}: effective date {effective} is before the latest change ({current_from}); "
            "changes must be recorded in date order"
        )
    return Transition.REPLACE if effective == current_from else Transition.CLOSE_AND_OPEN


def day_before(day: dt.date) -> dt.date:
    return day - ONE_DAY
