"""Commands (imperative) accepted by training; FastAPI validates request bodies against them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cds_contracts.personnel_org_units import UnitLevel
from cds_contracts.training import DrillFormat, PlanTargets, ProgrammeKind


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterProgramme(Command):
    programme_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Generated when omitted."
    )
    name_vi: str = Field(min_length=1, max_length=300, description="Vietnamese name.")
    name_en: str | None = Field(default=None, max_length=300, description="English name.")
    kind: ProgrammeKind
    level: Literal["basic", "intermediate", "advanced"]
    hours: float = Field(gt=0, le=10_000, description="Nominal length in hours.")
    provider: str = Field(min_length=1, max_length=300, description="Who teaches it.")
    issues_certificate: bool = Field(description="Whether passing earns a certificate.")
    certificate_validity_months: int | None = Field(
        default=None, ge=1, le=600, description="How long the certificate stays valid; omit if it does not expire."
    )


class AdoptPlan(Command):
    year: int = Field(ge=2000, le=2100)
    targets: PlanTargets
    decision: str | None = Field(default=None, max_length=200, description="Number of the adopting decision.")


class AmendPlan(Command):
    targets: PlanTargets = Field(description="The full new targets.")
    reason: str = Field(min_length=1, max_length=1000, description="Why the plan changes.")


class ScheduleClass(Command):
    class_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Generated when omitted."
    )
    programme_id: str = Field(min_length=1)
    plan_year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=300)
    starts_on: dt.date
    ends_on: dt.date
    place: str | None = Field(default=None, max_length=300)
    organiser_unit_id: str = Field(min_length=1)
    capacity: int = Field(ge=1, le=10_000)
    target_levels: list[UnitLevel] = Field(default_factory=list, description="Levels it is meant for; all if empty.")


class StartClass(Command):
    started_on: dt.date


class CompleteClass(Command):
    completed_on: dt.date


class CancelClass(Command):
    cancelled_on: dt.date
    reason: str = Field(min_length=1, max_length=1000)


class Enrol(Command):
    officer_id: str = Field(min_length=1)
    enrolled_on: dt.date


class Withdraw(Command):
    withdrawn_on: dt.date


class AttendanceEntry(Command):
    officer_id: str = Field(min_length=1)
    present: bool
    hours: float = Field(ge=0, le=24, description="Hours attended (0 when absent).")


class RecordAttendance(Command):
    session_on: dt.date
    entries: list[AttendanceEntry] = Field(min_length=1)


class ResultEntry(Command):
    officer_id: str = Field(min_length=1)
    passed: bool
    score: float | None = Field(default=None, ge=0, le=100)
    hours: float | None = Field(
        default=None, ge=0, le=10_000, description="Hours attended in total; the attendance recorded when omitted."
    )


class RecordResults(Command):
    completed_on: dt.date = Field(description="Day the results were given.")
    results: list[ResultEntry] = Field(min_length=1)


class RecordDrill(Command):
    drill_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Generated when omitted."
    )
    title: str = Field(min_length=1, max_length=300)
    scenario: str = Field(min_length=1, max_length=2000)
    format: DrillFormat
    held_on: dt.date
    plan_year: int = Field(ge=2000, le=2100)
    unit_ids: list[str] = Field(min_length=1, description="Participating units.")
    officer_ids: list[str] = Field(default_factory=list, description="Participating officers.")
    objectives: list[str] = Field(default_factory=list)


class RecordFinding(Command):
    description: str = Field(min_length=1, max_length=2000)
    owner_unit_id: str = Field(min_length=1)
    due_on: dt.date


class CloseFinding(Command):
    closed_on: dt.date
