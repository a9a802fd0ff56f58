"""Training's own knowledge of officers and units, built from personnel's events (never asked of personnel).

Topics are not ordered with each other: an officer may be known before its unit is, so a unit's level is
looked up when it is needed (at enrolment) rather than copied when the officer arrives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cds_contracts.personnel_org_units import UnitLevel

from .errors import ConflictError, RuleViolationError

LEVELS: tuple[UnitLevel, ...] = ("province", "district", "commune")


@dataclass(frozen=True)
class KnownOfficer:
    officer_id: str
    full_name: str | None
    unit_id: str | None
    departed_on: dt.date | None
    unit_level: str | None  # None while the unit's events have not arrived


@dataclass(frozen=True)
class Trainee:
    """An officer who may be enrolled: serving, in a unit whose level is known."""

    officer_id: str
    unit_id: str
    level: UnitLevel


def trainee(officer_id: str, known: KnownOfficer | None, on: dt.date | None = None) -> Trainee:
    """Unknown officer → 422; departed → 409; unit or its level not known yet → 409."""
    if known is None or known.unit_id is None:
        raise RuleViolationError(
            f"officer {officer_id} is unknown to training (no appointment from personnel has arrived)"
        )
    if known.departed_on is not None and (on is None or known.departed_on <= on):
        raise ConflictError(f"officer {officer_id} departed on {known.departed_on} and cannot be enrolled")
    if known.unit_level not in LEVELS:
        raise ConflictError(
            f"the level of unit {known.unit_id} (officer {officer_id}'s unit) is not known to training yet; "
            "retry once personnel's unit events have arrived"
        )
    return Trainee(officer_id, known.unit_id, known.unit_level)
