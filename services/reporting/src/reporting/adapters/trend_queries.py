"""The monthly trend series in one set-based query (the caller sets search_path to the projections).

Month ends come from generate_series. Every fact is placed on a day (the month end for who is serving,
the last day served for a departure, the first day for a hire) and, for a slice, counts when the unit
the officer sat in that day is in scope that day: see service_layer/trend_views.py for the rule. The
scope is a set of (unit, from, to) intervals, so its size follows the unit versions, not the days.
Who is serving on past month ends comes from the per-unit month deltas the writers keep (migration
0007), so the cost follows units × months, not officers × months; as_of's own month and the trained
count read the periods directly (one day; the passes of 12 months).
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from cds_plumbing.db import Connection

# $1 first month's 1st, $2 last month's 1st, $3 as_of, $4 units of the slice's subtree on as_of (NULL =
# no unit filter), $5 sectors (NULL = any), $6 levels (NULL = any), $7 former province (NULL = any).
# The walk through time is reporting_scope (migration 0019), which attribution.py shares.
_SCOPE = """
  scope AS (SELECT * FROM reporting_scope($3::date, $4::text[], $5::text[], $6::text[], $7::text)),"""

_SERIES = """
WITH {scope}
  months AS (
    SELECT m::date AS month_start, least((m + interval '1 month' - interval '1 day')::date, $3::date) AS month_end
    FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 month') AS m),
  bounds AS (SELECT min(month_start) AS first_day, max(month_end) AS last_day FROM months),
  -- Who is serving on a month's last day: each unit's count there is the sum of its deltas up to that
  -- month (officer_month_deltas, migration 0015); `levels` holds each unit's running sums and the month
  -- the next change comes, so exactly one row of a unit covers a month.
  levels AS (
    SELECT unit_id, month, lead(month) OVER w AS next_month, sum(headcount) OVER w AS headcount,
           sum(dedicated) OVER w AS dedicated, sum(information_security) OVER w AS information_security
    FROM officer_month_deltas WHERE month <= $2::date
    WINDOW w AS (PARTITION BY unit_id ORDER BY month)),
  past AS (
    SELECT m.month_start, sum(l.headcount) AS headcount, sum(l.dedicated) AS dedicated,
           sum(l.information_security) AS information_security
    FROM months m JOIN levels l ON l.month <= m.month_start AND (l.next_month IS NULL OR m.month_start < l.next_month)
    WHERE m.month_end < $3::date {cell_in_slice}
    GROUP BY m.month_start),
  -- as_of's own month is read on as_of, any day of the month: from the periods valid then
  current AS (
    SELECT m.month_start, count(*) AS headcount, count(*) FILTER (WHERE p.assignment = 'dedicated') AS dedicated,
           count(*) FILTER (WHERE 'information_security' = ANY (p.functions)) AS information_security
    FROM months m JOIN officer_periods p
      ON p.valid_from <= m.month_end AND (p.valid_to IS NULL OR m.month_end <= p.valid_to)
    WHERE m.month_end = $3::date {serving_in_slice}
    GROUP BY m.month_start),
  -- training_queries.trained_by_unit's definition, read on each month end: serving, and passed a class
  -- (not cancelled) in the 12 months up to it. Passes are few: start from them, not from every officer.
  passes AS (
    SELECT DISTINCT m.month_start, m.month_end, e.officer_id
    FROM training_enrolments e JOIN training_classes c USING (class_id)
    JOIN months m ON e.completed_on > m.month_end - interval '12 months' AND e.completed_on <= m.month_end
    WHERE e.passed AND c.status <> 'cancelled'),
  trained AS (
    SELECT pa.month_start, count(*) AS trained
    FROM passes pa JOIN officer_periods p ON p.officer_id = pa.officer_id
      AND p.valid_from <= pa.month_end AND (p.valid_to IS NULL OR pa.month_end <= p.valid_to)
    WHERE true {trained_in_slice}
    GROUP BY pa.month_start),
  counts AS (SELECT * FROM past UNION ALL SELECT * FROM current),
  -- a departure is placed on the last day served, a hire on the first day
  facts AS (
    SELECT 'departure' AS fact, o.officer_id, o.departure_date AS dated, o.departure_date - 1 AS day
    FROM officers o, bounds b WHERE o.departure_date BETWEEN b.first_day AND b.last_day
    UNION ALL
    SELECT 'hire', h.officer_id, h.hired_on, h.hired_on
    FROM officer_hires h, bounds b WHERE h.hired_on BETWEEN b.first_day AND b.last_day),
  flows AS (
    SELECT m.month_start, count(*) FILTER (WHERE f.fact = 'departure') AS departures,
           count(*) FILTER (WHERE f.fact = 'hire') AS hires
    FROM facts f JOIN months m ON f.dated BETWEEN m.month_start AND m.month_end
    LEFT JOIN officer_periods p ON p.officer_id = f.officer_id
      AND p.valid_from <= f.day AND (p.valid_to IS NULL OR f.day <= p.valid_to)
    WHERE true {flow_in_slice}
    GROUP BY m.month_start)
SELECT to_char(m.month_start, 'YYYY-MM') AS month,
       coalesce(c.headcount, 0) AS headcount, coalesce(c.dedicated, 0) AS dedicated,
       coalesce(c.information_security, 0) AS information_security, coalesce(t.trained, 0) AS trained,
       coalesce(f.departures, 0) AS departures, coalesce(f.hires, 0) AS hires
FROM months m LEFT JOIN counts c USING (month_start) LEFT JOIN trained t USING (month_start)
LEFT JOIN flows f USING (month_start)
ORDER BY m.month_start"""


def _in_slice(day: str, unit: str = "p.unit_id") -> str:
    """The unit (by default: the officer's unit of period p) is in scope on `day`."""
    return f"AND EXISTS (SELECT 1 FROM scope s WHERE s.unit_id = {unit} AND {day} BETWEEN s.valid_from AND s.valid_to)"


# The whole province needs no scope (and counts officers whose unit is missing from the tree).
_WHOLE = _SERIES.format(scope="", cell_in_slice="", serving_in_slice="", trained_in_slice="", flow_in_slice="")
_SLICED = _SERIES.format(
    scope=_SCOPE,
    cell_in_slice=_in_slice("m.month_end", "l.unit_id"),
    serving_in_slice=_in_slice("m.month_end"),
    trained_in_slice=_in_slice("pa.month_end"),
    flow_in_slice=_in_slice("f.day"),
)


async def monthly_series(
    conn: Connection,
    first: dt.date,
    last: dt.date,
    as_of: dt.date,
    units: list[str] | None,
    sectors: list[str] | None,
    levels: list[str] | None,
    former_province: str | None = None,
) -> list[asyncpg.Record]:
    """One row per month from the month of `first` to the month of `last` (both 1st of the month)."""
    # Recursive CTEs make the planner's row estimates explode, which triggers JIT compilation costing
    # seconds on a query that runs in milliseconds; SET LOCAL ends with the read's transaction.
    await conn.execute("SET LOCAL jit = off")
    if units is None and sectors is None and levels is None and former_province is None:
        return list(await conn.fetch(_WHOLE, first, last, as_of))
    return list(await conn.fetch(_SLICED, first, last, as_of, units, sectors, levels, former_province))
