"""Commands (imperative) accepted by personnel; FastAPI validates request bodies against them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cds_contracts.bounds import NOT_NULL, Count, Day, Id, Line, ManyList, Moment, Text
from cds_contracts.personnel_officers import (
    Assignment,
    DegreeField,
    DegreeLevel,
    DepartureReason,
    EmploymentCategory,
    OfficerFunction,
)
from cds_contracts.personnel_org_units import UnitKind, UnitLevel
from cds_contracts.personnel_response_teams import Severity, TeamRole
from cds_contracts.personnel_teams import Affiliation


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterUnit(Command):
    unit_id: Id = Field(description="Stable code.")
    name_vi: Line = Field(description="Vietnamese name.")
    name_en: Line | None = Field(default=None, description="English name.")
    kind: UnitKind
    level: UnitLevel
    parent_id: Id | None = None
    valid_from: Day


class RenameUnit(Command):
    name_vi: Line
    name_en: Line | None = None
    effective_date: Day


class MoveUnit(Command):
    parent_id: Id | None
    level: UnitLevel | None = Field(default=None, description="New level; unchanged when omitted.")
    effective_date: Day


class MergeUnits(Command):
    successor_id: Id
    predecessor_ids: Annotated[ManyList[Id], Field(min_length=1)]
    effective_date: Day
    dissolve_districts: bool = Field(
        default=False,
        description="Also dissolve the merged units' district-level units on the day, their communes, officers "
        "and teams going to the successor (the 2025 reform: provinces merged, districts abolished).",
    )


class SplitUnit(Command):
    successor_ids: Annotated[ManyList[Id], Field(min_length=2)]
    officers_to: Id | None = Field(default=None, description="Successor receiving officers, teams, sub-units.")
    effective_date: Day


class DissolveUnit(Command):
    effective_date: Day


class AppointOfficer(Command):
    officer_id: Id | None = Field(default=None, description="Generated when omitted.")
    full_name: Annotated[Line, Field(max_length=200)]
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(default=None)
    gender: Literal["female", "male", "other"] | None = None
    unit_id: Id
    employment_category: EmploymentCategory
    assignment: Assignment
    functions: ManyList[OfficerFunction] = Field(default_factory=list)
    effective_date: Day


class ChangeAssignment(Command):
    assignment: Assignment
    functions: ManyList[OfficerFunction] = Field(default_factory=list)
    effective_date: Day


class TransferOfficer(Command):
    to_unit_id: Id
    effective_date: Day


class AddQualification(Command):
    degree_level: DegreeLevel
    field: DegreeField
    year: Annotated[Count, Field(ge=1950, le=2100)] | None = Field(default=None)


class AddCertificate(Command):
    name: Line
    issuer: Line
    issued_on: Day
    expires_on: Day | None = None


class RecordDeparture(Command):
    effective_date: Day
    reason: DepartureReason
    destination: Line | None = None


class CorrectOfficer(Command):
    """Only the fields sent change. `birth_year`, `gender` and `departure_destination` may be cleared with
    null; the others hold a required value and may only be omitted."""

    full_name: Annotated[Line | None, NOT_NULL] = Field(default=None, max_length=200)
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(default=None)
    gender: Literal["female", "male", "other"] | None = None
    employment_category: Annotated[EmploymentCategory | None, NOT_NULL] = None
    departure_date: Annotated[Day | None, NOT_NULL] = None
    departure_reason: Annotated[DepartureReason | None, NOT_NULL] = None
    departure_destination: Line | None = None
    note: Annotated[Text, Field(max_length=1000)] = Field(description="Why the correction is made.")


class EstablishTeam(Command):
    team_id: Id | None = None
    commune_id: Id
    village: Annotated[Line, Field(max_length=200)] | None = Field(default=None)
    established_on: Day


class AddTeamMember(Command):
    member_id: Id | None = None
    full_name: Annotated[Line, Field(max_length=200)]
    affiliation: Affiliation
    role: Literal["leader", "member"] = "member"
    joined_on: Day


class RemoveTeamMember(Command):
    left_on: Day


class FormResponseTeam(Command):
    team_id: Id | None = Field(default=None, description="Generated when omitted.")
    name: Line
    scope: Literal["provincial", "unit"] = Field(description="The provincial team (only one), or a unit's own team.")
    unit_id: Id = Field(description="Unit the team belongs to; must exist on formed_on.")
    formed_on: Day


class AddResponseTeamMember(Command):
    officer_id: Id
    role: TeamRole
    joined_on: Day


class LeaveResponseTeam(Command):
    left_on: Day = Field(description="First day the officer no longer counts as a member.")


class ScheduleShift(Command):
    shift_id: Id | None = Field(default=None, description="Generated when omitted.")
    starts_at: Moment
    ends_at: Moment = Field(description="Exclusive; after starts_at.")
    primary_officer_id: Id
    backup_officer_id: Id | None = None


class ReassignShift(Command):
    primary_officer_id: Id
    backup_officer_id: Id | None = None
    kind: Literal["override", "swap"]


class CancelShift(Command):
    reason: Annotated[Text, Field(max_length=1000)]


class ReportIncident(Command):
    incident_id: Id | None = Field(default=None, description="Generated when omitted.")
    reported_at: Moment
    severity: Severity
    affected_unit_id: Id
    summary: Annotated[Text, Field(max_length=2000)]


class AcknowledgeIncident(Command):
    acknowledged_at: Moment
    responder_ids: Annotated[ManyList[Id], Field(min_length=1)] = Field(description="Active members responding.")


class ResolveIncident(Command):
    resolved_at: Moment
    outcome: Literal["true_positive", "false_positive", "other"]
