"""GET /api/v1/trends: monthly series for a slice of the province (rules in service_layer/trend_views.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from reporting.domain.trends import MAX_MONTHS, MONTH_PATTERN
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.registry import VIEWS, ViewArgs

router = APIRouter(tags=["trends"])  # the path is the registry's
TRENDS = VIEWS["trends"]


@router.get(
    TRENDS.path,
    response_model=TRENDS.model,
    summary="Monthly series: headcount, dedicated, infosec, trained share, departures, hires",
    description=(
        f"Months from `from` to `to` (YYYY-MM, at most {MAX_MONTHS}; default the 24 months ending with as_of's "
        "month; `to` may not pass as_of's month). Counts are read on each month's last day (as_of in its own "
        "month). The unit is resolved on as_of; earlier months count its predecessors (merges, splits) and "
        "whatever sat under them then; sector and level filters apply to each officer's unit of that day."
    ),
)
async def trends(
    ctx: Ctx,
    sl: SliceQuery,
    as_of: AsOf = None,
    start: Annotated[
        str | None, Query(alias="from", pattern=MONTH_PATTERN, description="First month, YYYY-MM.")
    ] = None,
    end: Annotated[str | None, Query(alias="to", pattern=MONTH_PATTERN, description="Last month, YYYY-MM.")] = None,
) -> BaseModel:
    """A month range it cannot answer is a 422 and an unknown unit a 404 (http/errors.py)."""
    return await TRENDS.read(ctx, ViewArgs(day(as_of), sl, start=start, end=end))
