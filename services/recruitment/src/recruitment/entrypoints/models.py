"""Response models of recruitment's reads that show people. Candidate data, stage reasons, departure
reasons, exit-interview answers and notes are personal fields (cds_plumbing.personal): shown to
province_admin, to unit editors for the vacancy's (or the officer's) unit subtree, null for the others."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from cds_plumbing.personal import PersonalRecord, personal

ERASED = "True once the person's personal data were erased (the fields stay null for everyone)."


class CandidateData(PersonalRecord):
    subject_kind: ClassVar[str] = "candidate"
    subject_id_field: ClassVar[str] = "candidate_id"

    candidate_id: str
    full_name: str | None = personal("Full name.", "name")
    birth_year: int | None = personal("Year of birth.", "birth_year")
    gender: Literal["female", "male", "other"] | None = personal("Gender.", "gender")
    email: str | None = personal("E-mail address.", "contact")
    phone: str | None = personal("Phone number.", "contact")
    degree: str | None = personal("Highest degree.", "candidate")
    degree_field: str | None = personal("Field of that degree.", "candidate")
    erased: bool = Field(description=ERASED)


class StageChange(PersonalRecord):
    subject_kind: ClassVar[str] = "candidate"
    subject_id_field: ClassVar[str] = "candidate_id"

    candidate_id: str = Field(exclude=True, description="Whose application this is (not serialised).")
    from_stage: str | None = Field(description="Stage before; null for the submission.")
    to_stage: str
    changed_at: dt.datetime
    reason: str | None = personal("Why (rejections and declines), free text about the candidate.", "free_text")
    actor: str | None = Field(description="Token subject of the staff member who moved it.")


class Hire(BaseModel):
    status: Literal["pending", "appointed", "refused"]
    employment_category: str | None
    assignment: str | None
    functions: list[str]
    hired_on: dt.date | None
    requested_at: dt.datetime | None
    officer_id: str | None
    reason: str | None = Field(description="Why personnel refused the appointment (about the unit).")
    outcome_at: dt.datetime | None


class ApplicationDetail(BaseModel):
    application_id: str
    vacancy_id: str
    unit_id: str
    function: str
    stage: str
    applied_at: dt.datetime
    stage_changed_at: dt.datetime
    candidate: CandidateData
    hire_status: str | None
    officer_id: str | None
    hire: Hire | None
    stage_history: list[StageChange]


class ApplicationSummary(PersonalRecord):
    subject_kind: ClassVar[str] = "candidate"
    subject_id_field: ClassVar[str] = "candidate_id"

    application_id: str
    vacancy_id: str
    unit_id: str
    candidate_id: str
    full_name: str | None = personal("The candidate's full name.", "name")
    stage: str
    applied_at: dt.datetime
    stage_changed_at: dt.datetime
    hire_status: str | None
    officer_id: str | None


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    total: int
    limit: int
    offset: int


class DepartureRecord(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "officer_id"

    officer_id: str
    unit_id: str = Field(description="The unit the officer left.")
    departure_date: dt.date
    reason: str | None = personal("Why the officer left (a code).", "departure")
    interview_id: str | None = Field(description="The exit interview, once recorded.")


class DeparturePage(BaseModel):
    items: list[DepartureRecord]
    total: int
    limit: int
    offset: int


class ExitInterview(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "officer_id"

    interview_id: str
    officer_id: str
    unit_id: str
    departure_date: dt.date
    departure_reason: str | None = personal("Why the officer left (a code).", "departure")
    reasons: list[str] | None = personal("The reasons the officer gave, in order of weight.", "exit_interview")
    interviewed_on: dt.date
    notes: str | None = personal("Interviewer's notes, free text about the officer.", "free_text")


class ExitInterviewPage(BaseModel):
    items: list[ExitInterview]
    total: int
    limit: int
    offset: int


class ErasureDone(BaseModel):
    subject_kind: str = Field(description="candidate.")
    subject_id: str
    erased_at: dt.datetime = Field(description="When the person was first erased.")
    already_erased: bool = Field(description="True when an earlier request (or the retention job) had erased them.")
