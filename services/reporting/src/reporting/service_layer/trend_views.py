"""Monthly trend series (headcount, dedicated, information security, trained, departures, hires).

Figures come from the dated facts, read on each month end (its last day, or as_of for as_of's own
month): officer periods valid that day; officers serving that day who passed a class (not cancelled) in
the 12 months up to it, as in the trained-share view; departures dated in the month (officers.departure_date);
hires (officers personnel appointed for a recruitment hire) whose first day falls in the month. A
back-dated change or correction therefore moves exactly the months whose month end (or, for departures
and hires, whose dates) it concerns.

Scope across reorganisations:
- The slice's unit is resolved on as_of: the unit and every unit under it in the tree valid on as_of
  (404 when the unit does not exist on as_of).
- For any month, each of those units is stood in for by its predecessors (unit_lineage, merges and
  splits, followed recursively), so a 2024 month of a commune formed in 2025 counts the communes it was
  merged from. A unit split in several counts wholly in each successor's earlier months.
- A fact counts when the unit the officer sat in on the fact's day (month end; last day served for a
  departure; first day for a hire) is, in the tree valid that day, one of those units or under one of
  them. So a district dissolved in 2025 still counts in its province's 2024 months.
- Sector and level filters apply to that same unit as it was on that day (its kind and level then).
- A former province keeps the facts whose unit (that day) descends from it (unit_former_provinces).
- The whole province (no unit, sector, level or former province) counts every officer, also one whose unit is missing
  from that day's tree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.adapters import queries
from reporting.adapters import trend_queries as tq
from reporting.adapters.projection_schema import read_snapshot
from reporting.adapters.scope import check_former_province, units_in_slice
from reporting.domain.slices import Slice
from reporting.domain.trends import month_range, series
from reporting.service_layer.context import ViewContext


async def trends(
    ctx: ViewContext, as_of: dt.date, sl: Slice, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """Raises InvalidRangeError (bad months) or UnknownUnitError (unit not valid on as_of)."""
    first, last = month_range(as_of, start, end)
    async with read_snapshot(ctx.pool) as conn:
        # sectors and levels are not resolved here: they apply month by month, to the unit of that day
        units = None if sl.unit_id is None else await units_in_slice(conn, as_of, Slice(unit_id=sl.unit_id))
        await check_former_province(conn, sl.former_province)
        rows = await tq.monthly_series(
            conn, first.first_day, last.first_day, as_of, units, sl.sector_filter, sl.level_filter, sl.former_province
        )
        by_month = {r["month"]: {k: int(v) for k, v in r.items() if k != "month"} for r in rows}
        current = await queries.current_to(conn, ctx.consumer)
        return {
            "as_of": as_of.isoformat(),
            "current_to": current.isoformat() if current else None,
            "slice": sl.as_dict(),
            "months": series(first, last, as_of, by_month),
        }
