"""Query parameters every reporting endpoint shares: the day, the slice, and the view context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from cds_contracts.bounds import Day, Id
from cds_plumbing.clock import today
from reporting.domain.slices import Level, Sector, Slice
from reporting.service_layer.context import ViewContext

AsOf = Annotated[Day | None, Query(description="Day the figures are valid on (YYYY-MM-DD); default today.")]


@dataclass(frozen=True)
class ProjectionSource:
    consumer: str  # the live consumer, whose checkpoints say how fresh the projections are
    topics: tuple[str, ...]


async def view_context(request: Request) -> ViewContext:
    source: ProjectionSource = request.app.state.projection_source
    return ViewContext(request.app.state.runtime.pool, source.consumer, source.topics)


def day(as_of: dt.date | None) -> dt.date:
    return as_of or today()


async def slice_params(
    unit_id: Annotated[
        Id | None, Query(description="Only this unit and the units under it in the tree valid on as_of.")
    ] = None,
    sector: Annotated[
        list[Sector] | None,
        Query(description="Only units of these sectors (repeatable); public_service_unit includes centres."),
    ] = None,
    level: Annotated[
        list[Level] | None, Query(description="Only units of these administrative levels (repeatable).")
    ] = None,
    former_province: Annotated[
        Id | None,
        Query(
            description="Only units descending from this former province's root (GET /api/v1/former-provinces): "
            "in its subtree on a day it existed, or formed from such units by merge or split; a unit formed "
            "from several former provinces belongs to none. Any day, before or after the merger."
        ),
    ] = None,
) -> Slice:
    return make_slice(unit_id, sector, level, former_province)


def make_slice(
    unit_id: str | None, sector: list[Sector] | None, level: list[Level] | None, former_province: str | None = None
) -> Slice:
    """The slice a query string names (the dependency above; exports read their query string themselves)."""
    return Slice(
        unit_id=unit_id, sectors=tuple(sector or ()), levels=tuple(level or ()), former_province=former_province
    )


Ctx = Annotated[ViewContext, Depends(view_context)]
SliceQuery = Annotated[Slice, Depends(slice_params)]
