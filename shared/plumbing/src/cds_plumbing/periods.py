"""Dated validity, the one statement every service uses: inclusive `valid_from`/`valid_to` (None = still
valid).

A change effective on day d is the first day of the new state: it closes the current period on d - 1
and opens a new one on d, or replaces the current period in place when that started on d itself.
Changes come in date order for one record: back-dating before the latest change would rewrite history
that other facts already rest on, so `plan_change` refuses it (personnel answers 409; reporting
dead-letters the event, since personnel never publishes such a change).

Pure (no I/O, standard library only) like `clock`, so a service's domain layer may import it
(pyproject.toml, import-linter contracts `domain-pure` and `pure-plumbing`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

ONE_DAY = dt.timedelta(days=1)


class OutOfOrderChangeError(ValueError):
    """A change dated before the record's latest period."""


class MissingPeriodError(LookupError):
    """A change to a record that has no period yet (its opening event was never applied)."""


@dataclass(frozen=True)
class Period:
    valid_from: dt.date
    valid_to: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return valid_on(self.valid_from, self.valid_to, day)


class Step(Enum):
    OPEN = "open"  # no period yet: open the first one on d
    REPLACE = "replace"  # the latest period starts on d: change it in place
    CLOSE_AND_OPEN = "close_and_open"  # close the latest period on d - 1, open a new one on d


def valid_on(valid_from: dt.date, valid_to: dt.date | None, day: dt.date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)


def day_before(day: dt.date) -> dt.date:
    return day - ONE_DAY


def plan_change(latest: Period | None, effective: dt.date) -> Step:
    """What a change effective on `effective` does to a record whose latest period is `latest`."""
    if latest is None:
        return Step.OPEN
    if effective < latest.valid_from:
        raise OutOfOrderChangeError(f"change effective {effective} precedes the latest period ({latest.valid_from})")
    return Step.REPLACE if effective == latest.valid_from else Step.CLOSE_AND_OPEN


def end_before(latest: Period, effective: dt.date) -> dt.date:
    """valid_to of `latest` once something stops on `effective`: d - 1, unless it already ended earlier
    (e.g. an officer who departed and is later appointed again keeps the earlier departure)."""
    end = day_before(effective)
    if latest.valid_to is not None and latest.valid_to < end:
        return latest.valid_to
    return end
