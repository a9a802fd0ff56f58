"""Incident-response readiness under /api/v1/response-teams."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from reporting.entrypoints.http.models import readiness as m
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.training import NOT_FOUND, answer
from reporting.service_layer import readiness_views as views

router = APIRouter(prefix="/api/v1/response-teams", tags=["incident-response readiness"])


@router.get(
    "/readiness",
    summary="Readiness of each incident-response team, with the score's parts",
    response_model=m.ReadinessResponse,
    responses=NOT_FOUND,
)
async def readiness(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> dict[str, Any]:
    """Teams by the unit they belong to (the provincial team: the unit it was formed for, or its successor)."""
    return await answer(views.readiness(ctx, day(as_of), sl))
