"""Recruitment and attrition read endpoints under /api/v1/recruitment and /api/v1/attrition."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from reporting.entrypoints.api import AsOf, _ctx, _day
from reporting.service_layer import recruitment_views as views
from reporting.service_layer.views import UnknownUnitError

router = APIRouter(prefix="/api/v1", tags=["recruitment and attrition reports"])
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/recruitment/vacancies", summary="Vacancies open on a day and their age")
async def vacancies(request: Request, as_of: AsOf = None) -> dict[str, Any]:
    return await views.vacancies(_ctx(request), _day(as_of))


@router.get("/recruitment/pipeline", summary="Funnel conversion per stage, offer acceptance, time to fill")
async def pipeline(request: Request, year: Year = None) -> dict[str, Any]:
    return await views.pipeline(_ctx(request), year)


@router.get("/recruitment/policies", summary="Hires per incentive policy")
async def policies(request: Request) -> dict[str, Any]:
    return await views.policies(_ctx(request))


@router.get("/recruitment/staffing-fill", summary="Staffing plan fill rate by unit")
async def staffing_fill(request: Request, year: Year = None, as_of: AsOf = None) -> dict[str, Any]:
    day = _day(as_of)
    return await views.staffing_fill(_ctx(request), year or day.year, day)


@router.get("/attrition", summary="Departures, hires and the 12-month rolling attrition rate up to a day")
async def attrition(
    request: Request, as_of: AsOf = None, unit_id: Annotated[str | None, Query(description="A unit's subtree.")] = None
) -> dict[str, Any]:
    try:
        return await views.attrition(_ctx(request), _day(as_of), unit_id)
    except UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc
