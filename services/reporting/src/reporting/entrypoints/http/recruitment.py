"""Recruitment and attrition read endpoints under /api/v1/recruitment and /api/v1/attrition.

Every view takes `as_of` and the slice (see training.py); vacancies, the funnel, policies and staffing
fill count by the vacancy's or plan's unit, attrition by the departing officer's unit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from reporting.entrypoints.http.errors import NOT_FOUND
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.registry import VIEWS, ViewArgs

router = APIRouter(tags=["recruitment and attrition reports"])  # paths are the registry's
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Only this year.")]
VACANCIES, PIPELINE, POLICIES, FILL, ATTRITION = (
    VIEWS[n] for n in ("vacancies", "pipeline", "policies", "staffing-fill", "attrition")
)


@router.get(
    VACANCIES.path,
    summary="Vacancies open on a day and their age",
    response_model=VACANCIES.model,
    responses=NOT_FOUND,
)
async def vacancies(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    return await VACANCIES.read(ctx, ViewArgs(day(as_of), sl))


@router.get(
    PIPELINE.path,
    summary="Funnel conversion per stage, offer acceptance, time to fill",
    response_model=PIPELINE.model,
    responses=NOT_FOUND,
)
async def pipeline(ctx: Ctx, sl: SliceQuery, year: Year = None, as_of: AsOf = None) -> BaseModel:
    """Stages reached by the end of as_of, for applications of `year` (by day applied) when given."""
    return await PIPELINE.read(ctx, ViewArgs(day(as_of), sl, year=year))


@router.get(POLICIES.path, summary="Hires per incentive policy", response_model=POLICIES.model, responses=NOT_FOUND)
async def policies(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """Hires up to as_of, by the unit of the vacancy hired into."""
    return await POLICIES.read(ctx, ViewArgs(day(as_of), sl))


@router.get(FILL.path, summary="Staffing plan fill rate by unit", response_model=FILL.model, responses=NOT_FOUND)
async def staffing_fill(ctx: Ctx, sl: SliceQuery, year: Year = None, as_of: AsOf = None) -> BaseModel:
    """Plans of `year` (default as_of's) of the slice's units, against officers serving on as_of."""
    return await FILL.read(ctx, ViewArgs(day(as_of), sl, year=year))


@router.get(
    ATTRITION.path,
    summary="Departures, hires and the 12-month rolling attrition rate up to a day",
    response_model=ATTRITION.model,
    responses=NOT_FOUND,
)
async def attrition(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """Departures by the departing officer's last unit; headcounts by the officer's unit at each month end."""
    return await ATTRITION.read(ctx, ViewArgs(day(as_of), sl))
