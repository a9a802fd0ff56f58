"""Commands (imperative) accepted by personnel; FastAPI validates request bodies against them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    unit_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Stable code.")
    name_vi: str = Field(min_length=1, max_length=300, description="Vietnamese name.")
    name_en: str | None = Field(default=None, max_length=300, description="English name.")
    kind: UnitKind
    level: UnitLevel
    parent_id: str | None = None
    valid_from: dt.date


class RenameUnit(Command):
    name_vi: str = Field(min_length=1, max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    effective_date: dt.date


class MoveUnit(Command):
    parent_id: str | None
    level: UnitLevel | None = Field(default=None, description="New level; unchanged when omitted.")
    effective_date: dt.date


class MergeUnits(Command):
    successor_id: str = Field(min_length=1, max_length=64)
    predecessor_ids: list[str] = Field(min_length=1)
    effective_date: dt.date


class SplitUnit(Command):
    successor_ids: list[str] = Field(min_length=2)
    officers_to: str | None = Field(default=None, description="Successor receiving officers, teams, sub-units.")
    effective_date: dt.date


class DissolveUnit(Command):
    effective_date: dt.date


class AppointOfficer(Command):
    officer_id: str | None = Field(default=None, min_length=1, max_length=64, description="Generated when omitted.")
    full_name: str = Field(min_length=1, max_length=200)
    birth_year: int | None = Field(default=None, ge=1940, le=2015)
    gender: Literal["female", "male", "other"] | None = None
    unit_id: str = Field(min_length=1)
    employment_category: EmploymentCategory
    assignment: Assignment
    functions: list[OfficerFunction] = Field(default_factory=list)
    effective_date: dt.date


class ChangeAssignment(Command):
    assignment: Assignment
    functions: list[OfficerFunction] = Field(default_factory=list)
    effective_date: dt.date


class TransferOfficer(Command):
    to_unit_id: str = Field(min_length=1)
    effective_date: dt.date


class AddQualification(Command):
    degree_level: DegreeLevel
    field: DegreeField
    year: int | None = Field(default=None, ge=1950, le=2100)


class AddCertificate(Command):
    name: str = Field(min_length=1, max_length=300)
    issuer: str = Field(min_length=1, max_length=300)
    issued_on: dt.date
    expires_on: dt.date | None = None


class RecordDeparture(Command):
    effective_date: dt.date
    reason: DepartureReason
    destination: str | None = Field(default=None, max_length=300)


class CorrectOfficer(Command):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    birth_year: int | None = Field(default=None, ge=1940, le=2015)
    gender: Literal["female", "male", "other"] | None = None
    employment_category: EmploymentCategory | None = None
    departure_date: dt.date | None = None
    departure_reason: DepartureReason | None = None
    departure_destination: str | None = Field(default=None, max_length=300)
    note: str = Field(min_length=1, max_length=1000, description="Why the correction is made.")


class EstablishTeam(Command):
    team_id: str | None = Field(default=None, min_length=1, max_length=64)
    commune_id: str = Field(min_length=1)
    village: str | None = Field(default=None, max_length=200)
    established_on: dt.date


class AddTeamMember(Command):
    member_id: str | None = Field(default=None, min_length=1, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    affiliation: Affiliation
    role: Literal["leader", "member"] = "member"
    joined_on: dt.date


class RemoveTeamMember(Command):
    left_on: dt.date


class FormResponseTeam(Command):
    team_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Generated when omitted."
    )
    name: str = Field(min_length=1, max_length=300)
    scope: Literal["provincial", "unit"] = Field(description="The provincial team (only one), or a unit's own team.")
    unit_id: str = Field(min_length=1, description="Unit the team belongs to; must exist on formed_on.")
    formed_on: dt.date


class AddResponseTeamMember(Command):
    officer_id: str = Field(min_length=1)
    role: TeamRole
    joined_on: dt.date


class LeaveResponseTeam(Command):
    left_on: dt.date = Field(description="First day the officer no longer counts as a member.")


class ScheduleShift(Command):
    shift_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Generated when omitted."
    )
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="Exclusive; after starts_at.")
    primary_officer_id: str = Field(min_length=1)
    backup_officer_id: str | None = Field(default=None, min_length=1)


class ReassignShift(Command):
    primary_officer_id: str = Field(min_length=1)
    backup_officer_id: str | None = Field(default=None, min_length=1)
    kind: Literal["override", "swap"]


class CancelShift(Command):
    reason: str = Field(min_length=1, max_length=1000)


class ReportIncident(Command):
    incident_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="Generated when omitted."
    )
    reported_at: AwareDatetime
    severity: Severity
    affected_unit_id: str = Field(min_length=1)
    summary: str = Field(min_length=1, max_length=2000)


class AcknowledgeIncident(Command):
    acknowledged_at: AwareDatetime
    responder_ids: list[str] = Field(min_length=1, description="Active members responding.")


class ResolveIncident(Command):
    resolved_at: AwareDatetime
    outcome: Literal["true_positive", "false_positive", "other"]
