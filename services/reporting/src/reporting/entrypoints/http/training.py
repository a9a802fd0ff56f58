"""Training read endpoints under /api/v1/training.

Every view takes `as_of` and the slice (`unit_id`, repeatable `sector`, repeatable `level`), echoes it as
`slice`, and answers 404 for a unit not valid on as_of, 422 for an unknown sector or level."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from reporting.entrypoints.http.errors import NOT_FOUND
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.registry import VIEWS, ViewArgs

router = APIRouter(tags=["training reports"])  # paths are the registry's

Year = Annotated[int, Query(ge=2000, le=2100, description="The plan year.")]
ATTAINMENT, TRAINED, EXPIRING, DRILLS = (
    VIEWS[n] for n in ("attainment", "trained-share", "certificates-expiring", "drills")
)


@router.get(
    ATTAINMENT.path,
    summary="Attainment of a year's training plan, and the completion rate",
    response_model=ATTAINMENT.model,
    responses=NOT_FOUND,
)
async def attainment(ctx: Ctx, sl: SliceQuery, year: Year, as_of: AsOf = None) -> BaseModel:
    """What was done by as_of towards the year's plan. The plan is the province's: under a slice the
    targets stay whole and only the slice's trainees count (by the unit they were enrolled from), with the
    classes they took part in and the drills its units took part in, i.e. the slice's contribution."""
    return await ATTAINMENT.read(ctx, ViewArgs(day(as_of), sl, year=year))


@router.get(
    TRAINED.path,
    summary="Share of CĐS officers who passed a class in the last 12 months, by unit",
    response_model=TRAINED.model,
    responses=NOT_FOUND,
)
async def trained_share(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """Officers counted by their unit on as_of; each unit rolled up over the units under it in the slice."""
    return await TRAINED.read(ctx, ViewArgs(day(as_of), sl))


@router.get(
    EXPIRING.path,
    summary="Certificates of serving officers expiring soon",
    response_model=EXPIRING.model,
    responses=NOT_FOUND,
)
async def expiring(
    ctx: Ctx,
    sl: SliceQuery,
    as_of: AsOf = None,
    days: Annotated[int, Query(ge=1, le=3650, description="Look-ahead from as_of, in days.")] = 90,
) -> BaseModel:
    """Officers counted by their unit on as_of."""
    return await EXPIRING.read(ctx, ViewArgs(day(as_of), sl, days=days))


@router.get(
    DRILLS.path, summary="Drills held and open findings, by unit", response_model=DRILLS.model, responses=NOT_FOUND
)
async def drills(
    ctx: Ctx,
    sl: SliceQuery,
    as_of: AsOf = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Year of the drills; default as_of's.")] = None,
) -> BaseModel:
    """Drills by the units taking part, findings by their owner unit."""
    return await DRILLS.read(ctx, ViewArgs(day(as_of), sl, year=year))
