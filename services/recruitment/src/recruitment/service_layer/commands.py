"""Commands (imperative) accepted by recruitment; FastAPI validates request bodies against them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cds_contracts.bounds import Count, Day, Flag, Id, Line, ManyList, Money, Text
from cds_contracts.personnel_officers import Assignment, DegreeField, DegreeLevel, EmploymentCategory, OfficerFunction
from cds_contracts.recruitment import ExitReason, PositionFunction, Quotas, Stage

ID_PATTERN = r"^[A-Za-z0-9._-]+$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SetStaffingPlan(Command):
    quotas: Quotas = Field(description="Positions planned per function; setting again replaces the plan.")


class PublishIncentivePolicy(Command):
    policy_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=ID_PATTERN, description="Stable id; generated when omitted."
    )
    name: Line
    document_number: Annotated[Line, Field(max_length=100)] = Field(description="e.g. 15/2024/NQ-HĐND.")
    document_date: Day
    monthly_allowance_vnd: Money = 0
    housing: Flag = False
    training_sponsorship: Flag = False
    other_benefits: Annotated[Text, Field(max_length=2000)] | None = Field(default=None)
    eligibility: Annotated[Text, Field(max_length=2000)]
    effective_from: Day
    effective_to: Day | None = None


class OpenVacancy(Command):
    vacancy_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=ID_PATTERN, description="Stable id; generated when omitted."
    )
    unit_id: Id
    function: PositionFunction
    positions: Annotated[Count, Field(ge=1, le=10_000)]
    title: Line | None = None
    policy_ids: ManyList[Id] = Field(default_factory=list, description="Incentive policies offered; each must exist.")
    opened_on: Day
    closes_on: Day | None = None


class CloseVacancy(Command):
    outcome: Literal["cancelled", "expired"]
    closed_on: Day | None = Field(default=None, description="Today when omitted.")


class Candidate(Command):
    full_name: Annotated[Line, Field(max_length=200)]
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(default=None)
    gender: Literal["female", "male", "other"] | None = None
    email: str | None = Field(
        default=None, max_length=254, pattern=EMAIL_PATTERN, description="Identifies a returning candidate."
    )
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+() .-]{6,30}$")
    degree: DegreeLevel | None = None
    degree_field: DegreeField | None = None


class SubmitApplication(Command):
    vacancy_id: Id
    candidate: Candidate


class ChangeStage(Command):
    to_stage: Stage
    reason: Annotated[Text, Field(max_length=1000)] | None = Field(
        default=None, description="Required for a rejection."
    )


class HireCandidate(Command):
    employment_category: EmploymentCategory
    assignment: Assignment
    functions: ManyList[OfficerFunction] = Field(default_factory=list)
    hired_on: Day


class RecordExitInterview(Command):
    officer_id: Id
    reasons: Annotated[ManyList[ExitReason], Field(min_length=1)] = Field(
        description="Reasons given, in order of weight."
    )
    interviewed_on: Day
    notes: Text | None = None
