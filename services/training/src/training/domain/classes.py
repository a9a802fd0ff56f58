"""Classes: dates, status transitions, capacity, enrolment, attendance and per-trainee results.

Status: scheduled → running → completed, or cancelled from any of those three (cancelling a completed
class annuls it after the fact); nothing leaves cancelled. Enrolment and withdrawal are accepted while
scheduled or running; attendance and results only while running. A result is final once recorded (one
per trainee) and earns its certificate at once; completing the class needs a result for every trainee
still enrolled, so a completed class's results are all final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .directory import Trainee
from .errors import ConflictError, NotFoundError, RuleViolationError

ClassStatus = Literal["scheduled", "running", "completed", "cancelled"]
Action = Literal["start", "complete", "cancel", "enrol", "withdraw", "record attendance", "record results"]

ALLOWED: dict[Action, tuple[ClassStatus, ...]] = {
    "start": ("scheduled",),
    "complete": ("running",),
    "cancel": ("scheduled", "running", "completed"),
    "enrol": ("scheduled", "running"),
    "withdraw": ("scheduled", "running"),
    "record attendance": ("running",),
    "record results": ("running",),
}
NEXT: dict[Action, ClassStatus] = {"start": "running", "complete": "completed", "cancel": "cancelled"}


def check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise RuleViolationError(f"a class cannot end ({ends_on}) before it starts ({starts_on})")


@dataclass(frozen=True)
class Enrolment:
    officer_id: str
    unit_id: str
    level: str
    enrolled_on: dt.date
    status: Literal["enrolled", "withdrawn"]
    withdrawn_on: dt.date | None = None
    has_result: bool = False

    @property
    def active(self) -> bool:
        return self.status == "enrolled"


@dataclass(frozen=True)
class TrainingClass:
    class_id: str
    programme_id: str
    plan_year: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    place: str | None
    organiser_unit_id: str
    capacity: int
    target_levels: tuple[str, ...]
    advanced: bool
    status: ClassStatus
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    cancelled_on: dt.date | None = None

    def require(self, action: Action) -> None:
        allowed = ALLOWED[action]
        if self.status not in allowed:
            raise ConflictError(
                f"cannot {action} class {self.class_id}: it is {self.status} (allowed only when {' or '.join(allowed)})"
            )

    def transition(self, action: Action) -> ClassStatus:
        """The status after `action`, or a 409 when the current status does not allow it."""
        self.require(action)
        return NEXT[action]

    def within_dates(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def start(self, day: dt.date) -> ClassStatus:
        status = self.transition("start")
        if not self.within_dates(day):
            raise RuleViolationError(
                f"class {self.class_id} runs from {self.starts_on} to {self.ends_on}; it cannot start on {day}"
            )
        return status

    def complete(self, day: dt.date, enrolments: Iterable[Enrolment]) -> ClassStatus:
        status = self.transition("complete")
        first = self.started_on or self.starts_on
        if day < first:
            raise RuleViolationError(f"class {self.class_id} started on {first}; it cannot be completed on {day}")
        pending = sorted(e.officer_id for e in enrolments if e.active and not e.has_result)
        if pending:
            raise ConflictError(
                f"class {self.class_id} still has trainees without a result: {', '.join(pending)}; "
                "record their results (or withdraw them) before completing it"
            )
        return status

    def cancel(self) -> ClassStatus:
        return self.transition("cancel")

    def check_enrolment(self, trainee: Trainee, enrolments: Sequence[Enrolment]) -> None:
        """Status, duplicate, target level, then capacity (409 when full)."""
        self.require("enrol")
        if any(e.officer_id == trainee.officer_id and e.active for e in enrolments):
            raise ConflictError(f"officer {trainee.officer_id} is already enrolled in class {self.class_id}")
        if self.target_levels and trainee.level not in self.target_levels:
            raise RuleViolationError(
                f"class {self.class_id} is meant for {', '.join(self.target_levels)} level units; "
                f"officer {trainee.officer_id} works in {trainee.unit_id} ({trainee.level} level)"
            )
        seats_taken = sum(1 for e in enrolments if e.active)
        if seats_taken >= self.capacity:
            raise ConflictError(f"class {self.class_id} is full ({seats_taken} of {self.capacity} seats taken)")

    def enrolment_of(self, officer_id: str, enrolment: Enrolment | None) -> Enrolment:
        """The officer's active enrolment: 404 when never enrolled, 409 when withdrawn."""
        if enrolment is None:
            raise NotFoundError(f"officer {officer_id} is not enrolled in class {self.class_id}")
        if not enrolment.active:
            raise ConflictError(f"officer {officer_id} withdrew from class {self.class_id} on {enrolment.withdrawn_on}")
        return enrolment

    def check_withdrawal(self, officer_id: str, enrolment: Enrolment | None, day: dt.date) -> None:
        self.require("withdraw")
        e = self.enrolment_of(officer_id, enrolment)
        if e.has_result:
            raise ConflictError(f"officer {officer_id} already has a final result in class {self.class_id}")
        if day < e.enrolled_on:
            raise RuleViolationError(f"withdrawal on {day} is before the enrolment ({e.enrolled_on})")

    def check_attendance(self, officer_id: str, enrolment: Enrolment | None, session_on: dt.date) -> None:
        self.require("record attendance")
        if not self.within_dates(session_on):
            raise RuleViolationError(
                f"session on {session_on} is outside class {self.class_id}'s dates ({self.starts_on} to {self.ends_on})"
            )
        self.enrolment_of(officer_id, enrolment)

    def check_result(self, officer_id: str, enrolment: Enrolment | None, completed_on: dt.date) -> None:
        self.require("record results")
        e = self.enrolment_of(officer_id, enrolment)
        if e.has_result:
            raise ConflictError(f"officer {officer_id} already has a final result in class {self.class_id}")
        first = self.started_on or self.starts_on
        if completed_on < first:
            raise RuleViolationError(f"a result on {completed_on} is before class {self.class_id} started ({first})")
