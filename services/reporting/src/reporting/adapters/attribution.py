"""Which records a slice takes in: the unit tree walked through time, as the trends do
(service_layer/trend_views.py), so that the province's root unit gives the whole province's figures and a
post-2025 unit keeps its predecessors' records (search_path set by the caller).

The slice is resolved on as_of first: its anchors are the units valid on as_of in its subtree that pass
its sector and level filters (scope.units_in_slice). Then, day by day:

- A record made in unit u on day d counts when, in the tree valid on d, u was an anchor or under one, or a
  predecessor of an anchor (unit_lineage, merges and splits effective by as_of, recursively) or under
  one, and u's kind and level on d pass the slice's filters. So a district dissolved in 2025 without a
  successor still counts in its province's earlier months, and a unit that sat under a merged commune
  counts for the commune that absorbed it. A split predecessor's records count wholly in each successor.
- A record dated after its unit ceased (a vacancy of a merged commune still open, a hire into it) is
  placed on the unit's last day; one dated before the unit's first day, on that first day.
- Because the filters pick the anchors on as_of, a `level=district` slice after 2025-07-01 is empty by
  design (there are no districts left); the trends instead evaluate sector and level month by month.
- A former province (`former_province`) keeps, of all that, the records whose unit descends from it
  (unit_former_provinces); alone, it takes every version of those units, wherever they sat.
- The whole province (no unit, sector, level or former province) filters nothing and also counts records whose unit is
  missing from the tree.

`slice_scope` gives that rule as (unit, since, until) intervals for queries that know each record's day
(the recruitment and attrition views, via `in_scope`). `slice_units` gives a plain list of units for
views that filter by unit only: a unit valid on as_of counts where it sits on as_of (the anchors, plus
the predecessors they took over); a unit not valid on as_of (dissolved, merged away, not yet formed)
counts when any version of it sat in the intervals above, i.e. under an anchor or a predecessor with
the filters applied to that version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cds_plumbing.db import Connection
from reporting.adapters.scope import AS_OF, IN_FORMER_PROVINCE, units_in_slice
from reporting.domain.slices import Slice

# $1 as_of, $2 the anchors (NULL = every unit), $3 sectors, $4 levels, $5 former province (NULL = any).
# The walk itself is reporting_scope (migration 0019), which the trends share.
_SCOPE = """
WITH
  reach AS (SELECT * FROM reporting_scope($1, $2, $3, $4, $5)),
  life AS (
    SELECT unit_id, min(valid_from) AS first_day, max(coalesce(valid_to, 'infinity')) AS last_day
    FROM unit_versions GROUP BY unit_id)
-- open the unit's first and last interval outwards: records dated outside its life land on its ends
SELECT DISTINCT r.unit_id,
       CASE WHEN r.valid_from = l.first_day THEN '-infinity'::date ELSE r.valid_from END AS since,
       CASE WHEN r.valid_to = l.last_day THEN 'infinity'::date ELSE r.valid_to END AS until
FROM reach r JOIN life l USING (unit_id)
ORDER BY 1, 2"""


@dataclass(frozen=True)
class Scope:
    """A slice through time: a record of unit u on day d is in it when some i has unit_ids[i] = u and
    since[i] <= d <= until[i] (dates; asyncpg maps PostgreSQL's ±infinity to date.min/date.max)."""

    unit_ids: list[str]
    since: list[dt.date]
    until: list[dt.date]

    @property
    def units(self) -> list[str]:
        return sorted(set(self.unit_ids))


def in_scope(unit: str, day: str, first: int) -> str:
    """SQL condition: the record of unit `unit` on day `day` is in the scope passed as parameters $first,
    $first+1 and $first+2 (`scope_params`); always true for the whole province (NULL). Qualify `unit` and
    `day` with their table's alias."""
    a, b, c = first, first + 1, first + 2
    return (
        f"(${a}::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest(${a}::text[], ${b}::date[], ${c}::date[])"
        f" AS s (scope_unit, scope_since, scope_until)"
        f" WHERE s.scope_unit = {unit} AND {day} BETWEEN s.scope_since AND s.scope_until))"
    )


def scope_params(scope: Scope | None) -> tuple[list[str] | None, list[dt.date] | None, list[dt.date] | None]:
    if scope is None:
        return None, None, None
    return scope.unit_ids, scope.since, scope.until


async def slice_scope(conn: Connection, as_of: dt.date, sl: Slice) -> Scope | None:
    """The slice as intervals (see the module docstring); None = the whole province (no filter).

    Raises UnknownUnitError for a unit not valid on as_of."""
    anchors = await units_in_slice(conn, as_of, sl)
    if anchors is None:
        return None
    # Only a former province: every version of its units, wherever they sat (no walk from as_of's tree).
    walk_from = None if sl.without_former_province.is_whole_province else anchors
    if walk_from == []:
        return Scope([], [], [])
    # Recursive CTEs make the planner's row estimates explode, which triggers JIT compilation costing
    # seconds on a query that runs in milliseconds; SET LOCAL ends with the read's transaction.
    await conn.execute("SET LOCAL jit = off")
    rows = await conn.fetch(_SCOPE, as_of, walk_from, sl.sector_filter, sl.level_filter, sl.former_province)
    return Scope([r["unit_id"] for r in rows], [r["since"] for r in rows], [r["until"] for r in rows])


async def slice_units(conn: Connection, as_of: dt.date, sl: Slice, *, successors: bool = False) -> list[str] | None:
    """The units whose records a unit-only view counts (see the module docstring); None = the whole
    province (no filter).

    `successors` also takes in every later successor of the slice's units, for records that only know a
    unit's current id (a response team carried by a reorganisation)."""
    anchors = await units_in_slice(conn, as_of, sl)
    if not anchors:
        return anchors
    scope = await slice_scope(conn, as_of, sl)
    assert scope is not None
    rows = await conn.fetch(
        f"""WITH RECURSIVE
             back (unit_id) AS (SELECT unnest($2::text[])
                                UNION
                                SELECT l.predecessor_id FROM unit_lineage l JOIN back b ON l.successor_id = b.unit_id
                                WHERE l.effective_date <= $1),
             fwd (unit_id) AS (SELECT unnest($2::text[])
                               UNION
                               SELECT l.successor_id FROM unit_lineage l JOIN fwd f ON l.predecessor_id = f.unit_id
                               WHERE $4::boolean),
             -- units of the intervals that are not in the tree of as_of (a unit there counts where it sits)
             gone (unit_id) AS (SELECT unnest($3::text[]) EXCEPT SELECT unit_id FROM unit_versions WHERE {AS_OF}),
             found (unit_id) AS (SELECT unit_id FROM back UNION SELECT unit_id FROM fwd UNION SELECT unit_id FROM gone)
           -- a former province's slice keeps only its own units (not a successor shared with others)
           SELECT unit_id FROM found
           WHERE $5::text IS NULL OR {IN_FORMER_PROVINCE.format(unit="found.unit_id", province="$5")} ORDER BY 1""",
        as_of,
        anchors,
        scope.units,
        successors,
        sl.former_province,
    )
    return [r["unit_id"] for r in rows]
