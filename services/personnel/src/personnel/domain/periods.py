"""Personnel's use of the dated-validity rule stated in `cds_plumbing.periods`: a change dated before the
record's latest change is a ConflictError (409) worded for the person who sent it."""

from __future__ import annotations

import datetime as dt

from cds_plumbing.periods import OutOfOrderChangeError, Period, Step, plan_change

# service_layer/imports.py imports valid_on from here; new code imports it from cds_plumbing.periods.
from cds_plumbing.periods import valid_on as valid_on

from .errors import ConflictError


def transition(current_from: dt.date, effective: dt.date, what: str) -> Step:
    """REPLACE or CLOSE_AND_OPEN for a change to a record whose current period starts on `current_from`."""
    try:
        return plan_change(Period(current_from), effective)
    except OutOfOrderChangeError:
        raise ConflictError(
            f"{what}: effective date {effective} is before the latest change ({current_from}); "
            "changes must be recorded in date order"
        ) from None
