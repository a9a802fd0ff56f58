"""Response models of personnel's reads that show people. Personal fields are marked with `personal(...)`
and shown only to callers who may see the person (cds_plumbing.personal): province_admin everyone,
unit_editor the people of its subtree (an officer by their unit, a member by their team's commune),
viewer nobody; for the others they are present and null."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from cds_plumbing.personal import PersonalRecord, personal

Gender = Literal["female", "male", "other"]
ERASED = "True once the person's personal data were erased (the fields stay null for everyone)."


class OfficerRecord(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "officer_id"

    officer_id: str = Field(description="Stable id of the officer.")
    full_name: str | None = personal("Full name.", "name")
    birth_year: int | None = personal("Year of birth.", "birth_year")
    gender: Gender | None = personal("Gender.", "gender")
    employment_category: str = Field(description="cadre, civil_servant, public_employee, contract, other.")
    appointed_on: dt.date = Field(description="First day of CĐS work.")
    departed_on: dt.date | None = Field(description="Departure date, if departed.")
    departure_reason: str | None = personal("Why the officer left (a code), if departed.", "departure")
    unit_id: str = Field(description="Unit of the period shown (current, or on as_of).")
    assignment: str = Field(description="dedicated or concurrent.")
    functions: list[str] = Field(description="CĐS functions held.")
    erased: bool = Field(description=ERASED)


class OfficerPage(BaseModel):
    items: list[OfficerRecord]
    total: int
    limit: int
    offset: int


class Period(BaseModel):
    valid_from: dt.date
    valid_to: dt.date | None
    unit_id: str
    assignment: str
    functions: list[str]


class Qualification(BaseModel):
    degree_level: str
    field: str
    year: int | None


class Certificate(BaseModel):
    certificate_id: str
    name: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None


class OfficerDetail(OfficerRecord):
    departure_destination: str | None = personal("Where the officer went (free text), if departed.", "destination")
    status: Literal["serving", "departed"]
    periods: list[Period] = Field(description="Assignment periods in date order.")
    qualifications: list[Qualification]
    certificates: list[Certificate]
    created_at: dt.datetime
    updated_at: dt.datetime


class TeamMember(PersonalRecord):
    subject_kind: ClassVar[str] = "community_member"
    subject_id_field: ClassVar[str] = "member_id"

    member_id: str = Field(description="Stable id of the member.")
    full_name: str | None = personal("Full name of the member (a private citizen).", "name")
    affiliation: str = Field(description="Organisation the member comes from.")
    role: Literal["leader", "member"]
    joined_on: dt.date
    left_on: dt.date | None
    erased: bool = Field(description=ERASED)


class CommunityTeam(BaseModel):
    team_id: str
    village: str | None
    established_on: dt.date
    commune_id: str = Field(description="Commune the team serves now.")
    members: list[TeamMember]


class ResponseTeamMember(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "officer_id"

    officer_id: str
    full_name: str | None = personal("The member's full name.", "name")
    role: str = Field(description="lead, coordinator, analyst, network_admin or liaison.")
    joined_on: dt.date


class PastResponseTeamMember(ResponseTeamMember):
    left_on: dt.date
    left_reason: Literal["left", "departed"]


class UpcomingShift(BaseModel):
    shift_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    primary_officer_id: str
    backup_officer_id: str | None
    uncovered: bool = Field(description="The primary is no longer a member for all of the shift.")
    backup_unfilled: bool = Field(description="The backup is missing or no longer a member.")


class ResponseTeamDetail(BaseModel):
    team_id: str
    name: str
    scope: Literal["provincial", "unit"]
    unit_id: str
    formed_on: dt.date
    active_members: list[ResponseTeamMember]
    past_members: list[PastResponseTeamMember]
    upcoming_shifts: list[UpcomingShift]


class ErasureDone(BaseModel):
    subject_kind: str = Field(description="officer or community_member.")
    subject_id: str
    erased_at: dt.datetime = Field(description="When the person was first erased.")
    already_erased: bool = Field(description="True when an earlier request had erased the person already.")
