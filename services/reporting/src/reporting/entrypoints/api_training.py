"""Training read endpoints under /api/v1/training."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from reporting.entrypoints.api import AsOf, _ctx, _day
from reporting.service_layer import training_views as views
from reporting.service_layer.views import UnknownUnitError

router = APIRouter(prefix="/api/v1/training", tags=["training reports"])


@router.get("/attainment", summary="Attainment of a year's training plan, and the completion rate")
async def attainment(request: Request, year: Annotated[int, Query(ge=2000, le=2100)]) -> dict[str, Any]:
    return await views.attainment(_ctx(request), year)


@router.get("/trained-share", summary="Share of CĐS officers who passed a class in the last 12 months, by unit")
async def trained_share(
    request: Request, as_of: AsOf = None, unit_id: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    try:
        return await views.trained_share(_ctx(request), _day(as_of), unit_id)
    except UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/certificates/expiring", summary="Certificates of serving officers expiring soon")
async def expiring(
    request: Request, as_of: AsOf = None, days: Annotated[int, Query(ge=1, le=3650)] = 90
) -> dict[str, Any]:
    return await views.expiring(_ctx(request), _day(as_of), days)


@router.get("/drills", summary="Drills held and open findings, by unit")
async def drills(
    request: Request, as_of: AsOf = None, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    return await views.drills(_ctx(request), _day(as_of), year)
