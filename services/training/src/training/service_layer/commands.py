"""Commands (imperative) accepted by training; FastAPI validates request bodies against them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cds_contracts.bounds import Count, Day, Finite, Flag, Id, Line, ManyList, Text
from cds_contracts.personnel_org_units import UnitLevel
from cds_contracts.training import DrillFormat, PlanTargets, ProgrammeKind


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterProgramme(Command):
    programme_id: Id | None = Field(default=None, description="Generated when omitted.")
    name_vi: Line = Field(description="Vietnamese name.")
    name_en: Line | None = Field(default=None, description="English name.")
    kind: ProgrammeKind
    level: Literal["basic", "intermediate", "advanced"]
    hours: Annotated[Finite, Field(gt=0, le=10_000)] = Field(description="Nominal length in hours.")
    provider: Line = Field(description="Who teaches it.")
    issues_certificate: Flag = Field(description="Whether passing earns a certificate.")
    certificate_validity_months: Annotated[Count, Field(ge=1, le=600)] | None = Field(
        default=None, description="How long the certificate stays valid; omit if it does not expire."
    )


class AdoptPlan(Command):
    year: Annotated[Count, Field(ge=2000, le=2100)]
    targets: PlanTargets
    decision: Annotated[Line, Field(max_length=200)] | None = Field(
        default=None, description="Number of the adopting decision."
    )


class AmendPlan(Command):
    targets: PlanTargets = Field(description="The full new targets.")
    reason: Annotated[Text, Field(max_length=1000)] = Field(description="Why the plan changes.")


class ScheduleClass(Command):
    class_id: Id | None = Field(default=None, description="Generated when omitted.")
    programme_id: Id
    plan_year: Annotated[Count, Field(ge=2000, le=2100)]
    title: Line
    starts_on: Day
    ends_on: Day
    place: Line | None = None
    organiser_unit_id: Id
    capacity: Annotated[Count, Field(ge=1, le=10_000)]
    target_levels: ManyList[UnitLevel] = Field(
        default_factory=list, description="Levels it is meant for; all if empty."
    )


class StartClass(Command):
    started_on: Day


class CompleteClass(Command):
    completed_on: Day


class CancelClass(Command):
    cancelled_on: Day
    reason: Annotated[Text, Field(max_length=1000)]


class Enrol(Command):
    officer_id: Id
    enrolled_on: Day


class Withdraw(Command):
    withdrawn_on: Day


class AttendanceEntry(Command):
    officer_id: Id
    present: Flag
    hours: Annotated[Finite, Field(ge=0, le=24)] = Field(description="Hours attended (0 when absent).")


class RecordAttendance(Command):
    session_on: Day
    entries: Annotated[ManyList[AttendanceEntry], Field(min_length=1)]


class ResultEntry(Command):
    officer_id: Id
    passed: Flag
    score: Annotated[Finite, Field(ge=0, le=100)] | None = Field(default=None)
    hours: Annotated[Finite, Field(ge=0, le=10_000)] | None = Field(
        default=None, description="Hours attended in total; the attendance recorded when omitted."
    )


class RecordResults(Command):
    completed_on: Day = Field(description="Day the results were given.")
    results: Annotated[ManyList[ResultEntry], Field(min_length=1)]


class RecordDrill(Command):
    drill_id: Id | None = Field(default=None, description="Generated when omitted.")
    title: Line
    scenario: Annotated[Text, Field(max_length=2000)]
    format: DrillFormat
    held_on: Day
    plan_year: Annotated[Count, Field(ge=2000, le=2100)]
    unit_ids: Annotated[ManyList[Id], Field(min_length=1)] = Field(description="Participating units.")
    officer_ids: ManyList[Id] = Field(default_factory=list, description="Participating officers.")
    objectives: ManyList[Line] = Field(default_factory=list)


class RecordFinding(Command):
    description: Annotated[Text, Field(max_length=2000)]
    owner_unit_id: Id
    due_on: Day


class CloseFinding(Command):
    closed_on: Day
