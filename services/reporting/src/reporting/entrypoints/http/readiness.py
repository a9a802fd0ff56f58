"""Incident-response readiness under /api/v1/response-teams."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from reporting.entrypoints.http.errors import NOT_FOUND
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.registry import VIEWS, ViewArgs

router = APIRouter(tags=["incident-response readiness"])  # paths are the registry's
READINESS = VIEWS["readiness"]


@router.get(
    READINESS.path,
    summary="Readiness of each incident-response team, with the score's parts",
    response_model=READINESS.model,
    responses=NOT_FOUND,
)
async def readiness(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """Teams by the unit they belong to (the provincial team: the unit it was formed for, or its successor)."""
    return await READINESS.read(ctx, ViewArgs(day(as_of), sl))
