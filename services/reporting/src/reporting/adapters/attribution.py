"""Which units' records a slice takes in on a day: the slice's units and the units whose history they
carry through a reorganisation (search_path set by the caller).

Records keep the unit they were made in (an enrolment, a vacancy, a departure from a commune merged
since), so a report on the post-2025 tree still attributes them: a successor's slice takes in its
predecessors' records. Splits attribute the predecessor's records to every successor."""

from __future__ import annotations

import datetime as dt

from cds_plumbing.db import Connection
from reporting.adapters.scope import units_in_slice
from reporting.domain.slices import Slice


async def slice_units(conn: Connection, as_of: dt.date, sl: Slice, *, successors: bool = False) -> list[str] | None:
    """The slice's units on as_of plus their predecessors by lineage effective up to as_of (transitively).

    None = the whole province (no filter). `successors` also takes in every later successor, for records
    that only know a unit's current id (a response team carried by a reorganisation)."""
    units = await units_in_slice(conn, as_of, sl)
    if units is None or not units:
        return units
    rows = await conn.fetch(
        """WITH RECURSIVE
             back(unit_id) AS (SELECT unnest($2::text[])
                               UNION
                               SELECT l.predecessor_id FROM unit_lineage l JOIN back b ON l.successor_id = b.unit_id
                               WHERE l.effective_date <= $1),
             fwd(unit_id) AS (SELECT unnest($2::text[])
                              UNION
                              SELECT l.successor_id FROM unit_lineage l JOIN fwd f ON l.predecessor_id = f.unit_id
                              WHERE $3::boolean)
           SELECT unit_id FROM back UNION SELECT unit_id FROM fwd ORDER BY 1""",
        as_of,
        units,
        successors,
    )
    return [r["unit_id"] for r in rows]
