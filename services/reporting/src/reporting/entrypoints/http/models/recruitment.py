"""Response models of the recruitment and attrition views, so /openapi.json documents them. They
describe the bodies the service layer builds, never reshape them."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from reporting.entrypoints.http.models.common import Frozen
from reporting.entrypoints.http.models.training import Header, Number, Pct


class DurationStats(Frozen):
    count: int = Field(description="How many were measured.")
    mean_days: Number | None = Field(description="Mean in days, one decimal; null when none.")
    median_days: Number | None = Field(description="Median in days; null when none.")


class OpenVacancy(Frozen):
    vacancy_id: str = Field(description="Vacancy identifier.")
    unit_id: str = Field(description="Unit recruiting.")
    function: str = Field(description="Position function: it_technical, information_security, data, leadership.")
    positions: int = Field(description="Positions offered.")
    policy_ids: list[str] = Field(description="Incentive policies attached.")
    opened_on: dt.date = Field(description="Day it opened.")
    closes_on: dt.date | None = Field(description="Planned closing day, if any.")
    age_days: int = Field(description="Days open on as_of.")
    hired: int = Field(description="Hires into it up to as_of.")


class VacanciesResponse(Header):
    open: int = Field(description="Vacancies of the slice open on as_of.")
    positions: int = Field(description="Positions they offer.")
    age: DurationStats = Field(description="Their age on as_of.")
    vacancies: list[OpenVacancy] = Field(description="The open vacancies, oldest first.")


class FunnelStage(Frozen):
    stage: str = Field(description="applied, screened, interviewed, offered, accepted or hired.")
    reached: int = Field(description="Applications that reached the stage by the end of as_of.")
    conversion_pct: Pct = Field(description="reached / reached of the stage before, in percent; null for the first.")


class FunnelExits(Frozen):
    declined: int = Field(description="Offers declined by the candidate.")
    rejected: int = Field(description="Applications rejected at any stage.")


class PipelineResponse(Header):
    year: int | None = Field(description="Year of application counted; null = every year.")
    funnel: list[FunnelStage] = Field(description="The stages in pipeline order, for the slice's vacancies.")
    exits: FunnelExits = Field(description="Applications leaving the funnel.")
    offer_acceptance_pct: Pct = Field(description="accepted / (accepted + declined) in percent.")
    time_to_fill: DurationStats = Field(description="Days from opening to closing of the vacancies filled by as_of.")


class PolicyHires(Frozen):
    policy_id: str = Field(description="Incentive policy identifier.")
    name: str = Field(description="Policy name.")
    document_number: str = Field(description="Number of the legal document adopting it.")
    monthly_allowance_vnd: int = Field(description="Monthly allowance in VND.")
    hires: int = Field(description="Hires under it up to as_of into the slice's vacancies.")
    appointed: int = Field(description="Of those, hires personnel appointed as officers.")


class PoliciesResponse(Header):
    policies: list[PolicyHires] = Field(description="Every policy, sorted by policy_id.")


class PositionFill(Frozen):
    quota: int = Field(description="Planned positions.")
    filled: int = Field(description="Officers holding the function on as_of (data: appointed hires).")
    fill_rate_pct: Pct = Field(description="min(filled, quota) / quota in percent; null when no quota.")


class PositionsFill(Frozen):
    it_technical: PositionFill = Field(description="IT technical positions.")
    information_security: PositionFill = Field(description="Information security positions.")
    data: PositionFill = Field(description="Data positions.")
    leadership: PositionFill = Field(description="Leader in charge of IT.")


class UnitFill(Frozen):
    unit_id: str = Field(description="Unit with a staffing plan for the year.")
    positions: PositionsFill = Field(description="Quota and fill per function.")
    fill_rate_pct: Pct = Field(description="Filled (capped per function) / quota over every function, in percent.")


class StaffingFillResponse(Header):
    year: int = Field(description="Year of the staffing plans (default: as_of's year).")
    units: list[UnitFill] = Field(description="The slice's units with a plan, sorted by unit_id.")


class AttritionWindow(Frozen):
    from_: dt.date = Field(
        alias="from", description="1st of the first of the 12 calendar months (as_of's month is the 12th)."
    )
    to: dt.date = Field(description="Last day (as_of).")


class UnitDepartures(Frozen):
    unit_id: str = Field(description="The departing officers' last unit.")
    departures: int = Field(description="Departures in the window.")


class AttritionMonth(Frozen):
    month: str = Field(description="Month, YYYY-MM.")
    departures: int = Field(description="Departures dated in the month.")
    by_reason: dict[str, int] = Field(description="Departures per reason.")
    hires: int = Field(description="Officers appointed through a hire whose first day is in the month.")


class AttritionResponse(Header):
    unit_id: str | None = Field(description="The slice's unit (same as slice.unit_id), kept for older clients.")
    window: AttritionWindow = Field(
        description="The 12 calendar months ending with as_of's month, that month up to as_of (on a month's "
        "last day: the 12 months ending on as_of)."
    )
    departures: int = Field(description="Departures of the slice's officers (by their last unit) in the window.")
    average_headcount: Number = Field(
        description="Mean of the slice's headcounts on the 12 months' last days (as_of for its own month)."
    )
    attrition_rate_pct: Pct = Field(description="departures / average_headcount in percent.")
    private_sector_share_pct: Pct = Field(description="Share of departures to the private sector, in percent.")
    by_unit: list[UnitDepartures] = Field(description="Departures per unit, sorted by unit_id.")
    months: list[AttritionMonth] = Field(description="Each of the window's 12 months, oldest first.")
    exit_interview_reasons: dict[str, int] = Field(description="Reasons given in the window's exit interviews.")
