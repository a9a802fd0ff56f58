"""CĐS officers: dated assignment periods and the lifecycle rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cds_plumbing.periods import Step, valid_on

from .errors import ConflictError, RuleViolationError
from .periods import transition

FUNCTIONS = ("it_technical", "information_security", "it_leader", "cds_network_member")


@dataclass(frozen=True)
class OfficerPeriod:
    valid_from: dt.date
    valid_to: dt.date | None
    unit_id: str
    assignment: str
    functions: tuple[str, ...]


@dataclass(frozen=True)
class Officer:
    officer_id: str
    full_name: str | None  # None once erased
    birth_year: int | None
    gender: str | None
    employment_category: str
    appointed_on: dt.date
    departed_on: dt.date | None
    departure_reason: str | None
    departure_destination: str | None
    periods: tuple[OfficerPeriod, ...]  # in date order

    @property
    def current(self) -> OfficerPeriod:
        return self.periods[-1]

    def period_on(self, day: dt.date) -> OfficerPeriod | None:
        return next((p for p in self.periods if valid_on(p.valid_from, p.valid_to, day)), None)

    def require_serving(self) -> None:
        if self.departed_on is not None:
            raise ConflictError(
                f"officer {self.officer_id} departed on {self.departed_on}; only a correction can change the record"
            )

    def plan_change(self, effective: dt.date, what: str) -> Step:
        self.require_serving()
        return transition(self.current.valid_from, effective, f"{what} of officer {self.officer_id}")

    def check_departure(self, day: dt.date) -> None:
        self.require_serving()
        if day <= self.current.valid_from:
            raise ConflictError(
                f"departure on {day} must come after the officer's latest change ({self.current.valid_from})"
            )


def normalise_functions(functions: Sequence[str]) -> tuple[str, ...]:
    """Each function once, in a stable order."""
    unknown = set(functions) - set(FUNCTIONS)
    if unknown:
        raise RuleViolationError(f"unknown functions {sorted(unknown)}")
    return tuple(f for f in FUNCTIONS if f in functions)


def check_transfer(current_unit: str, to_unit: str) -> None:
    if current_unit == to_unit:
        raise RuleViolationError(f"the officer already works in {to_unit}")
