"""Response models of training's reads that name officers. The name comes from personnel's profile topic
and is a personal field (cds_plumbing.personal): shown to province_admin, to unit editors for officers
of their subtree, and null for everyone else."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, Field

from cds_plumbing.personal import PersonalRecord, personal


class Result(BaseModel):
    passed: bool
    score: float | None
    hours: float
    completed_on: dt.date
    certificate_id: str | None
    certificate_expires_on: dt.date | None


class Enrolment(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "officer_id"

    officer_id: str
    full_name: str | None = personal("The trainee's full name (from personnel's profile topic).", "name")
    unit_id: str = Field(description="The trainee's unit when enrolled.")
    level: str = Field(description="Administrative level of that unit.")
    enrolled_on: dt.date
    status: str = Field(description="enrolled or withdrawn.")
    withdrawn_on: dt.date | None
    sessions_attended: int
    hours_attended: float
    result: Result | None


class TrainingClass(BaseModel):
    class_id: str
    programme_id: str
    programme_name: str
    programme_kind: str
    plan_year: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    place: str | None
    organiser_unit_id: str
    capacity: int
    target_levels: list[str]
    advanced: bool
    status: str
    started_on: dt.date | None
    completed_on: dt.date | None
    cancelled_on: dt.date | None
    cancel_reason: str | None
    enrolled: int
    seats_left: int
    created_at: dt.datetime
    updated_at: dt.datetime
    enrolments: list[Enrolment]


class OfficerClass(BaseModel):
    class_id: str
    title: str
    programme_id: str
    class_status: str
    status: str
    enrolled_on: dt.date
    passed: bool | None
    score: float | None
    completed_on: dt.date | None


class OfficerCertificate(BaseModel):
    certificate_id: str
    class_id: str
    officer_id: str
    programme_id: str
    name: str
    issued_on: dt.date
    expires_on: dt.date | None
    valid: bool = Field(description="False once the class was cancelled (annulled).")


class KnownOfficer(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "officer_id"

    officer_id: str
    full_name: str | None = personal("Full name (from personnel's profile topic).", "name")
    unit_id: str | None
    unit_level: str | None
    appointed_on: dt.date | None
    departed_on: dt.date | None
    status: str = Field(description="serving or departed.")
    classes: list[OfficerClass]
    certificates: list[OfficerCertificate]
