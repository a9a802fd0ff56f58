"""Read endpoints under /api/v1 for units, officers and community teams, and the projections' freshness.

Every unit view takes `as_of` and a slice (`unit_id`, repeatable `sector`, repeatable `level`), echoes
the slice as `slice`, and answers 404 for a unit not valid on as_of, 422 for an unknown sector or level."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from cds_contracts.bounds import Id
from reporting.domain.slices import Level, Sector, Slice
from reporting.entrypoints.http.models import officers as m
from reporting.entrypoints.http.params import AsOf, Ctx, ProjectionSource, SliceQuery, day, make_slice
from reporting.entrypoints.http.registry import VIEWS, ViewArgs
from reporting.service_layer import officer_views

router = APIRouter(tags=["reports"])  # paths are the registry's, whole

__all__ = ["AsOf", "ProjectionSource"]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "The unit (or the slice's unit) is unknown."}}
TREE, HEADCOUNT, COVERAGE, TEAMS = (VIEWS[n] for n in ("units", "headcount", "coverage", "community-teams"))


async def _history_slice(
    within: Annotated[
        Id | None, Query(description="Slice: only this unit and the units under it in the tree valid on as_of.")
    ] = None,
    sector: Annotated[
        list[Sector] | None,
        Query(description="Slice: only units of these sectors (repeatable); public_service_unit includes centres."),
    ] = None,
    level: Annotated[list[Level] | None, Query(description="Slice: only units of these levels (repeatable).")] = None,
) -> Slice:
    """The slice of the history view: the path already names a `unit_id`, so the slice's unit is `within`."""
    return make_slice(within, sector, level)


@router.get(TREE.path, summary="The org-unit tree valid on a day", response_model=TREE.model, responses=_NOT_FOUND)
async def units_tree(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """With `unit_id`, the subtree rooted there; with sectors or levels, the matching units (`in_slice`
    true) and their ancestors (`in_slice` false), so the tree stays navigable."""
    return await TREE.read(ctx, ViewArgs(day(as_of), sl))


@router.get(
    "/api/v1/units/{unit_id}/history",
    summary="A unit's dated versions, predecessors and successors",
    response_model=m.UnitHistoryResponse,
    responses=_NOT_FOUND,
)
async def unit_history(
    unit_id: Id, ctx: Ctx, sl: Annotated[Slice, Depends(_history_slice)], as_of: AsOf = None
) -> m.UnitHistoryResponse:
    """Every version whatever the day, so a merged or dissolved unit stays attributable: its figures are
    asked for on a day it existed. `in_slice` says whether it is in the slice on as_of; the slice's unit
    is given as `within` here, since `unit_id` is the path's."""
    return m.UnitHistoryResponse.model_validate(await officer_views.unit_history(ctx, unit_id, day(as_of), sl))


@router.get(
    HEADCOUNT.path,
    summary="Officers per unit, own and rolled up over sub-units",
    response_model=HEADCOUNT.model,
    responses=_NOT_FOUND,
)
async def officers_headcount(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """`units`: the slice's units, rolled up over descendants in the slice only ("Party agencies only"
    rolls up Party agencies only). `totals`: officers whose unit is in the slice; for the whole province,
    every officer."""
    return await HEADCOUNT.read(ctx, ViewArgs(day(as_of), sl))


@router.get(
    COVERAGE.path,
    summary="Agencies lacking an IT leader or an IT technical officer",
    response_model=COVERAGE.model,
    responses=_NOT_FOUND,
)
async def officers_coverage(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """Agencies of the slice: counts, those failing the rule, and every one of them."""
    return await COVERAGE.read(ctx, ViewArgs(day(as_of), sl))


@router.get(
    TEAMS.path, summary="Community technology teams and members", response_model=TEAMS.model, responses=_NOT_FOUND
)
async def community_teams(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> BaseModel:
    """Teams whose commune is in the slice on as_of (a sector without communes has none)."""
    return await TEAMS.read(ctx, ViewArgs(day(as_of), sl))


@router.get(
    "/api/v1/freshness",
    summary="Newest event applied per topic, and the applied offsets",
    response_model=m.FreshnessResponse,
)
async def freshness(ctx: Ctx) -> m.FreshnessResponse:
    return m.FreshnessResponse.model_validate(await officer_views.freshness(ctx))
