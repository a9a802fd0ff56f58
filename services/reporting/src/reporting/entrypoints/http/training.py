"""Training read endpoints under /api/v1/training.

Every view takes `as_of` and the slice (`unit_id`, repeatable `sector`, repeatable `level`), echoes it as
`slice`, and answers 404 for a unit not valid on as_of, 422 for an unknown sector or level."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from reporting.domain.slices import UnknownUnitError
from reporting.entrypoints.http.models import training as m
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.service_layer import training_views as views

router = APIRouter(prefix="/api/v1/training", tags=["training reports"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "The slice's unit is not valid on as_of."}}
Year = Annotated[int, Query(ge=2000, le=2100, description="The plan year.")]


async def answer(view: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """The view's body, or a 404 problem for a unit not valid on as_of."""
    try:
        return await view
    except UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get(
    "/attainment",
    summary="Attainment of a year's training plan, and the completion rate",
    response_model=m.AttainmentResponse,
    responses=NOT_FOUND,
)
async def attainment(ctx: Ctx, sl: SliceQuery, year: Year, as_of: AsOf = None) -> dict[str, Any]:
    """What was done by as_of towards the year's plan. The plan is the province's: under a slice the
    targets stay whole and only the slice's trainees count (by the unit they were enrolled from), with the
    classes they took part in and the drills its units took part in, i.e. the slice's contribution."""
    return await answer(views.attainment(ctx, day(as_of), sl, year))


@router.get(
    "/trained-share",
    summary="Share of CĐS officers who passed a class in the last 12 months, by unit",
    response_model=m.TrainedShareResponse,
    responses=NOT_FOUND,
)
async def trained_share(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> dict[str, Any]:
    """Officers counted by their unit on as_of; each unit rolled up over the units under it in the slice."""
    return await answer(views.trained_share(ctx, day(as_of), sl))


@router.get(
    "/certificates/expiring",
    summary="Certificates of serving officers expiring soon",
    response_model=m.ExpiringResponse,
    responses=NOT_FOUND,
)
async def expiring(
    ctx: Ctx,
    sl: SliceQuery,
    as_of: AsOf = None,
    days: Annotated[int, Query(ge=1, le=3650, description="Look-ahead from as_of, in days.")] = 90,
) -> dict[str, Any]:
    """Officers counted by their unit on as_of."""
    return await answer(views.expiring(ctx, day(as_of), sl, days))


@router.get(
    "/drills", summary="Drills held and open findings, by unit", response_model=m.DrillsResponse, responses=NOT_FOUND
)
async def drills(
    ctx: Ctx,
    sl: SliceQuery,
    as_of: AsOf = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Year of the drills; default as_of's.")] = None,
) -> dict[str, Any]:
    """Drills by the units taking part, findings by their owner unit."""
    return await answer(views.drills(ctx, day(as_of), sl, year))
