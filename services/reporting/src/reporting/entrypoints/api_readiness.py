"""Incident-response readiness under /api/v1/response-teams."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from reporting.entrypoints.api import AsOf, _ctx, _day
from reporting.service_layer import readiness_views as views

router = APIRouter(prefix="/api/v1/response-teams", tags=["incident-response readiness"])


@router.get("/readiness", summary="Readiness of each incident-response team, with the score's parts")
async def readiness(request: Request, as_of: AsOf = None) -> dict[str, Any]:
    return await views.readiness(_ctx(request), _day(as_of))
