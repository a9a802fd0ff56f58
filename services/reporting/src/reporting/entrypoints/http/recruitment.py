"""Recruitment and attrition read endpoints under /api/v1/recruitment and /api/v1/attrition.

Every view takes `as_of` and the slice (see api_training); vacancies, the funnel, policies and staffing
fill count by the vacancy's or plan's unit, attrition by the departing officer's unit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from reporting.entrypoints.http.models import recruitment as m
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.training import NOT_FOUND, answer
from reporting.service_layer import recruitment_views as views

router = APIRouter(prefix="/api/v1", tags=["recruitment and attrition reports"])
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Only this year.")]


@router.get(
    "/recruitment/vacancies",
    summary="Vacancies open on a day and their age",
    response_model=m.VacanciesResponse,
    responses=NOT_FOUND,
)
async def vacancies(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> dict[str, Any]:
    return await answer(views.vacancies(ctx, day(as_of), sl))


@router.get(
    "/recruitment/pipeline",
    summary="Funnel conversion per stage, offer acceptance, time to fill",
    response_model=m.PipelineResponse,
    responses=NOT_FOUND,
)
async def pipeline(ctx: Ctx, sl: SliceQuery, year: Year = None, as_of: AsOf = None) -> dict[str, Any]:
    """Stages reached by the end of as_of, for applications of `year` (by day applied) when given."""
    return await answer(views.pipeline(ctx, day(as_of), sl, year))


@router.get(
    "/recruitment/policies",
    summary="Hires per incentive policy",
    response_model=m.PoliciesResponse,
    responses=NOT_FOUND,
)
async def policies(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> dict[str, Any]:
    """Hires up to as_of, by the unit of the vacancy hired into."""
    return await answer(views.policies(ctx, day(as_of), sl))


@router.get(
    "/recruitment/staffing-fill",
    summary="Staffing plan fill rate by unit",
    response_model=m.StaffingFillResponse,
    responses=NOT_FOUND,
)
async def staffing_fill(ctx: Ctx, sl: SliceQuery, year: Year = None, as_of: AsOf = None) -> dict[str, Any]:
    """Plans of `year` (default as_of's) of the slice's units, against officers serving on as_of."""
    on = day(as_of)
    return await answer(views.staffing_fill(ctx, on, sl, year or on.year))


@router.get(
    "/attrition",
    summary="Departures, hires and the 12-month rolling attrition rate up to a day",
    response_model=m.AttritionResponse,
    responses=NOT_FOUND,
)
async def attrition(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> dict[str, Any]:
    """Departures by the departing officer's last unit; headcounts by the officer's unit at each month end."""
    return await answer(views.attrition(ctx, day(as_of), sl))
