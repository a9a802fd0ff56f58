"""Read endpoints under /api/v1 (no authentication: aggregated figures only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from reporting.entrypoints.params import AsOf, ProjectionSource, day, view_context
from reporting.service_layer import views

router = APIRouter(prefix="/api/v1", tags=["reports"])

UnitScope = Annotated[str | None, Query(description="Only this unit and the units under it that day.")]
__all__ = ["AsOf", "ProjectionSource", "_ctx", "_day"]


def _ctx(request: Request) -> views.ViewContext:
    return view_context(request)


def _day(as_of: dt.date | None) -> dt.date:
    return day(as_of)


@router.get("/units/tree", summary="The org-unit tree valid on a day")
async def units_tree(request: Request, as_of: AsOf = None) -> dict[str, Any]:
    return await views.unit_tree(_ctx(request), _day(as_of))


@router.get("/units/{unit_id}/history", summary="A unit's dated versions, predecessors and successors")
async def unit_history(request: Request, unit_id: str, as_of: AsOf = None) -> dict[str, Any]:
    try:
        return await views.unit_history(_ctx(request), unit_id, _day(as_of))
    except views.UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/officers/headcount", summary="Officers per unit, own and rolled up over sub-units")
async def officers_headcount(
    request: Request,
    as_of: AsOf = None,
    unit_id: Annotated[str | None, Query(description="Only this unit and its sub-units.")] = None,
) -> dict[str, Any]:
    try:
        return await views.headcount(_ctx(request), _day(as_of), unit_id)
    except views.UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/officers/coverage", summary="Agencies lacking an IT leader or an IT technical officer")
async def officers_coverage(request: Request, as_of: AsOf = None, unit_id: UnitScope = None) -> dict[str, Any]:
    try:
        return await views.coverage(_ctx(request), _day(as_of), unit_id)
    except views.UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/community-teams", summary="Community technology teams and members")
async def community_teams(request: Request, as_of: AsOf = None, unit_id: UnitScope = None) -> dict[str, Any]:
    try:
        return await views.community_teams(_ctx(request), _day(as_of), unit_id)
    except views.UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/freshness", summary="Newest event applied per topic, and the applied offsets")
async def freshness(request: Request) -> dict[str, Any]:
    return await views.freshness(_ctx(request))
