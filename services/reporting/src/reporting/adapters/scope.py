"""Resolving a Slice to the units it covers on a day (the caller sets search_path to the projections)."""

from __future__ import annotations

import datetime as dt

from cds_plumbing.db import Connection
from reporting.domain.slices import Slice, UnknownUnitError


async def units_in_slice(conn: Connection, as_of: dt.date, sl: Slice) -> list[str] | None:
    """Unit ids valid on as_of inside the slice; None when the slice is the whole province.

    None (rather than every unit) lets a view also count records whose unit is missing from that day's
    tree. A unit_id not valid on as_of raises UnknownUnitError."""
    if sl.is_whole_province:
        return None
    if sl.unit_id is not None and not await conn.fetchval(
        """SELECT true FROM unit_versions
           WHERE unit_id = $2 AND valid_from <= $1 AND (valid_to IS NULL OR $1 <= valid_to)""",
        as_of,
        sl.unit_id,
    ):
        raise UnknownUnitError(f"unit {sl.unit_id} does not exist on {as_of}")
    rows = await conn.fetch(
        """WITH RECURSIVE
             units AS (SELECT unit_id, parent_id, kind, level FROM unit_versions
                       WHERE valid_from <= $1 AND (valid_to IS NULL OR $1 <= valid_to)),
             sub AS (SELECT unit_id, ARRAY[unit_id] AS path FROM units WHERE $2::text IS NULL OR unit_id = $2
                     UNION ALL
                     SELECT u.unit_id, s.path || u.unit_id FROM units u JOIN sub s ON u.parent_id = s.unit_id
                     WHERE $2::text IS NOT NULL AND u.unit_id <> ALL (s.path))
           SELECT DISTINCT s.unit_id FROM sub s JOIN units u USING (unit_id)
           WHERE ($3::text[] IS NULL OR u.kind = ANY ($3)) AND ($4::text[] IS NULL OR u.level = ANY ($4))
           ORDER BY s.unit_id""",
        as_of,
        sl.unit_id,
        sl.kinds,
        sl.level_filter,
    )
    return [r["unit_id"] for r in rows]
