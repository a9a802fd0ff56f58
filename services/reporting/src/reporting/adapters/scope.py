"""Resolving a Slice to the units it covers on a day (the caller sets search_path to the projections),
and the one definition of "valid on a day" the read queries share."""

from __future__ import annotations

import datetime as dt

from cds_plumbing.db import Connection
from reporting.domain.slices import Slice, UnknownUnitError


def valid_on(day: str = "$1", alias: str = "") -> str:
    """SQL condition: the row's inclusive period [valid_from, valid_to] (valid_to NULL = open) contains
    `day`; `alias` qualifies the columns (e.g. "u")."""
    a = f"{alias}." if alias else ""
    return f"{a}valid_from <= {day} AND ({a}valid_to IS NULL OR {day} <= {a}valid_to)"


AS_OF = valid_on()
"""A row is "as of $1" when its inclusive period contains that day."""

IN_FORMER_PROVINCE = (
    "EXISTS (SELECT 1 FROM unit_former_provinces f WHERE f.unit_id = {unit} AND f.province_id = {province})"
)
"""SQL condition: the unit descends from the former province (migration 0019: reporting_former_province_units)."""


async def check_former_province(conn: Connection, province_id: str | None) -> None:
    """Raises UnknownUnitError unless `province_id` (when given) is a former province's root."""
    if province_id is not None and not await conn.fetchval(
        "SELECT true FROM unit_former_provinces WHERE unit_id = $1 AND province_id = $1", province_id
    ):
        raise UnknownUnitError(f"unit {province_id} is not a former province")


async def units_in_slice(conn: Connection, as_of: dt.date, sl: Slice) -> list[str] | None:
    """Unit ids valid on as_of inside the slice; None when the slice is the whole province.

    None (rather than every unit) lets a view also count records whose unit is missing from that day's
    tree. A unit_id not valid on as_of, or a former_province that is not one, raises UnknownUnitError."""
    if sl.is_whole_province:
        return None
    if sl.unit_id is not None and not await conn.fetchval(
        f"SELECT true FROM unit_versions WHERE unit_id = $2 AND {AS_OF}", as_of, sl.unit_id
    ):
        raise UnknownUnitError(f"unit {sl.unit_id} does not exist on {as_of}")
    await check_former_province(conn, sl.former_province)
    rows = await conn.fetch(
        f"""WITH RECURSIVE
             units AS (SELECT unit_id, parent_id, kind, level FROM unit_versions WHERE {AS_OF}),
             sub AS (SELECT unit_id, ARRAY[unit_id] AS path FROM units WHERE $2::text IS NULL OR unit_id = $2
                     UNION ALL
                     SELECT u.unit_id, s.path || u.unit_id FROM units u JOIN sub s ON u.parent_id = s.unit_id
                     WHERE $2::text IS NOT NULL AND u.unit_id <> ALL (s.path))
           SELECT DISTINCT s.unit_id FROM sub s JOIN units u USING (unit_id)
           WHERE ($3::text[] IS NULL OR reporting_unit_sector(u.kind) = ANY ($3))
             AND ($4::text[] IS NULL OR u.level = ANY ($4))
             AND ($5::text IS NULL OR {IN_FORMER_PROVINCE.format(unit="s.unit_id", province="$5")})
           ORDER BY s.unit_id""",
        as_of,
        sl.unit_id,
        sl.sector_filter,
        sl.level_filter,
        sl.former_province,
    )
    return [r["unit_id"] for r in rows]
