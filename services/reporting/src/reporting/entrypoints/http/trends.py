"""GET /api/v1/trends: monthly series for a slice of the province (rules in service_layer/trend_views.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from reporting.domain.slices import UnknownUnitError
from reporting.domain.trends import MAX_MONTHS, MONTH_PATTERN, InvalidRangeError
from reporting.entrypoints.http.models.trends import Trends
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.service_layer import trend_views

router = APIRouter(prefix="/api/v1", tags=["trends"])


@router.get(
    "/trends",
    response_model=Trends,
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
) -> dict[str, Any]:
    try:
        return await trend_views.trends(ctx, day(as_of), sl, start, end)
    except InvalidRangeError as exc:
        raise HTTPException(422, str(exc)) from exc
    except UnknownUnitError as exc:
        raise HTTPException(404, str(exc)) from exc
