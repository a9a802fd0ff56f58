"""Events published by the recruitment and retention service.

Candidates' personal data stay inside recruitment: application events carry ids, stages and dates only.
For a hire, what personnel needs to create the officer record (name, birth year, gender) goes on the
compacted `recruitment.candidate-profile` topic (cds_contracts.profiles), which recruitment empties once
personnel has answered. Version 1 of CandidateHired carried those fields and version 1 of
ApplicationStageChanged a free-text reason: consumers still read such records but never store those
fields; producers emit v2 only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Event
from .bounds import Count, Day, Id, Line, Many, Moment, Money, Text
from .personnel_officers import Assignment, EmploymentCategory, OfficerFunction
from .registry import REGISTRY
from .topics import (
    RECRUITMENT_APPLICATION,
    RECRUITMENT_EXIT_INTERVIEW,
    RECRUITMENT_POLICY,
    RECRUITMENT_STAFFING_PLAN,
    RECRUITMENT_VACANCY,
)

PositionFunction = Literal["it_technical", "information_security", "data", "leadership"]
Stage = Literal["applied", "screened", "interviewed", "offered", "accepted", "declined", "hired", "rejected"]
ExitReason = Literal["pay", "workload", "career", "private_sector_offer", "family", "other"]


class Quotas(BaseModel):
    """Positions planned per function."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    it_technical: Annotated[Count, Field(ge=0)] = Field(description="IT technical positions.")
    information_security: Annotated[Count, Field(ge=0)] = Field(description="Information-security positions.")
    data: Annotated[Count, Field(ge=0)] = Field(description="Data positions.")
    leadership: Annotated[Count, Field(ge=0)] = Field(description="Leaders in charge of IT.")


@REGISTRY.register("vn.cds.recruitment.staffing_plan.set", 1, RECRUITMENT_STAFFING_PLAN, key="plan_id")
class StaffingPlanSet(Event):
    """A unit's staffing plan for a year was set or replaced (full quotas)."""

    plan_id: Id = Field(description="'<unit_id>:<year>'.")
    unit_id: Id = Field(description="Unit the plan is for.")
    year: Annotated[Count, Field(ge=2000, le=2100)] = Field(description="Plan year.")
    quotas: Quotas = Field(description="Positions per function.")


@REGISTRY.register("vn.cds.recruitment.incentive_policy.published", 1, RECRUITMENT_POLICY, key="policy_id")
class IncentivePolicyPublished(Event):
    """An incentive policy to attract or keep IT specialists took effect."""

    policy_id: Id = Field(description="Stable id of the policy.")
    name: Line = Field(description="Name of the policy.")
    document_number: Line = Field(description="Number of the legal document (e.g. 15/2024/NQ-HĐND).")
    document_date: Day = Field(description="Date of the legal document.")
    monthly_allowance_vnd: Money = Field(description="Monthly allowance in VND (0 if none).")
    housing: bool = Field(description="Whether housing support is offered.")
    training_sponsorship: bool = Field(description="Whether training is sponsored.")
    other_benefits: Text | None = Field(default=None, description="Other benefits, free text.")
    eligibility: Text = Field(description="Who is eligible.")
    effective_from: Day = Field(description="First day in force.")
    effective_to: Day | None = Field(default=None, description="Last day in force, if limited.")


@REGISTRY.register("vn.cds.recruitment.vacancy.opened", 1, RECRUITMENT_VACANCY, key="vacancy_id")
class VacancyOpened(Event):
    """Positions were opened for recruitment."""

    vacancy_id: Id = Field(description="Stable id of the vacancy.")
    unit_id: Id = Field(description="Unit recruiting.")
    function: PositionFunction = Field(description="Function of the positions.")
    positions: Annotated[Count, Field(ge=1)] = Field(description="Number of positions.")
    policy_ids: Many[Id] = Field(default=(), description="Incentive policies offered.")
    opened_on: Day = Field(description="Day applications open.")
    closes_on: Day | None = Field(default=None, description="Closing date for applications, if set.")


@REGISTRY.register("vn.cds.recruitment.vacancy.closed", 1, RECRUITMENT_VACANCY, key="vacancy_id")
class VacancyClosed(Event):
    """A vacancy closed, filled or not."""

    vacancy_id: Id = Field(description="Stable id of the vacancy.")
    closed_on: Day = Field(description="Day it closed.")
    outcome: Literal["filled", "cancelled", "expired"] = Field(description="Why it closed.")


@REGISTRY.register("vn.cds.recruitment.vacancy.reopened", 1, RECRUITMENT_VACANCY, key="vacancy_id")
class VacancyReopened(Event):
    """A vacancy closed as filled opened again, because personnel refused a hire that filled it."""

    vacancy_id: Id = Field(description="Stable id of the vacancy.")
    reopened_on: Day = Field(description="Day it reopened.")
    reason: Text = Field(description="Why (e.g. the refused hire's reason, about the unit).")


@REGISTRY.register("vn.cds.recruitment.application.submitted", 1, RECRUITMENT_APPLICATION, key="application_id")
class ApplicationSubmitted(Event):
    """A candidate applied to a vacancy (the candidate's data stay in recruitment)."""

    application_id: Id = Field(description="Stable id of the application.")
    vacancy_id: Id = Field(description="Vacancy applied to.")
    applied_at: Moment = Field(description="When the application arrived.")


@REGISTRY.register("vn.cds.recruitment.application.stage_changed", 1, RECRUITMENT_APPLICATION, key="application_id")
class ApplicationStageChangedV1(Event):
    """Version 1 (read only): carried the rejection or decline reason as free text about the candidate."""

    application_id: Id = Field(description="Stable id of the application.")
    vacancy_id: Id = Field(description="Vacancy applied to.")
    from_stage: Stage = Field(description="Stage before.")
    to_stage: Stage = Field(description="Stage after.")
    changed_at: Moment = Field(description="When it moved.")
    reason: Text | None = Field(default=None, description="Reason, for rejections and declines.")


@REGISTRY.register("vn.cds.recruitment.application.candidate_hired", 1, RECRUITMENT_APPLICATION, key="application_id")
class CandidateHiredV1(Event):
    """Version 1 (read only): carried the new officer's name, birth year and gender."""

    application_id: Id = Field(description="Stable id of the application.")
    vacancy_id: Id = Field(description="Vacancy filled.")
    unit_id: Id = Field(description="Unit the officer joins.")
    function: PositionFunction = Field(description="Function of the position filled.")
    policy_ids: Many[Id] = Field(default=(), description="Incentive policies granted.")
    full_name: Line = Field(description="The new officer's full name, for the officer record.")
    birth_year: Annotated[Count, Field(ge=1940, le=2015)] | None = Field(
        default=None, description="Year of birth, if known."
    )
    gender: Literal["female", "male", "other"] | None = Field(default=None, description="Gender, optional.")
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    assignment: Assignment = Field(description="Dedicated or concurrent CĐS work.")
    functions: Many[OfficerFunction] = Field(default=(), description="CĐS functions of the new officer.")
    hired_on: Day = Field(description="First day of service.")


@REGISTRY.register("vn.cds.recruitment.application.stage_changed", 2, RECRUITMENT_APPLICATION, key="application_id")
class ApplicationStageChanged(Event):
    """An application moved to another stage of the pipeline (a reason given stays in recruitment)."""

    application_id: Id = Field(description="Stable id of the application.")
    vacancy_id: Id = Field(description="Vacancy applied to.")
    from_stage: Stage = Field(description="Stage before.")
    to_stage: Stage = Field(description="Stage after.")
    changed_at: Moment = Field(description="When it moved.")


@REGISTRY.register("vn.cds.recruitment.application.candidate_hired", 2, RECRUITMENT_APPLICATION, key="application_id")
class CandidateHired(Event):
    """A candidate was hired. Personnel appoints the officer once it also holds the candidate's profile
    (`recruitment.candidate-profile`, key `candidate_id`; either may arrive first) and answers with
    OfficerAppointed (carrying this application id) or OfficerAppointmentRefused."""

    application_id: Id = Field(description="Stable id of the application.")
    candidate_id: Id = Field(description="Key of the candidate's record on the profile topic.")
    vacancy_id: Id = Field(description="Vacancy filled.")
    unit_id: Id = Field(description="Unit the officer joins.")
    function: PositionFunction = Field(description="Function of the position filled.")
    policy_ids: Many[Id] = Field(default=(), description="Incentive policies granted.")
    employment_category: EmploymentCategory = Field(description="cán bộ / công chức / viên chức / other.")
    assignment: Assignment = Field(description="Dedicated or concurrent CĐS work.")
    functions: Many[OfficerFunction] = Field(default=(), description="CĐS functions of the new officer.")
    hired_on: Day = Field(description="First day of service.")


@REGISTRY.register(
    "vn.cds.recruitment.application.hire_outcome_recorded", 1, RECRUITMENT_APPLICATION, key="application_id"
)
class HireOutcomeRecorded(Event):
    """Recruitment learnt personnel's answer to a hire: the officer id, or why it was refused."""

    application_id: Id = Field(description="Stable id of the application.")
    vacancy_id: Id = Field(description="Vacancy filled.")
    officer_id: Id = Field(description="Personnel's officer id (the would-be id when refused).")
    appointed: bool = Field(description="True when personnel appointed the officer.")
    reason: Text | None = Field(default=None, description="Why personnel refused, when it did.")


@REGISTRY.register("vn.cds.recruitment.exit_interview.recorded", 1, RECRUITMENT_EXIT_INTERVIEW, key="officer_id")
class ExitInterviewRecorded(Event):
    """An exit interview with a departing officer, linked to the departure recorded in personnel."""

    interview_id: Id = Field(description="Stable id of the interview.")
    officer_id: Id = Field(description="Officer who left.")
    departure_date: Day = Field(description="Departure date as recorded in personnel.")
    reasons: Annotated[Many[ExitReason], Field(min_length=1)] = Field(description="Reasons given, in order of weight.")
    interviewed_on: Day = Field(description="Day of the interview.")
