"""Former provinces (the roots of the `former_province` slice), read from unit_former_provinces, which
migration 0019 keeps up to date as unit events arrive (the caller sets search_path to the projections)."""

from __future__ import annotations

import asyncpg

from cds_plumbing.db import Connection


async def former_provinces(conn: Connection) -> list[asyncpg.Record]:
    """Each former province's root with its last names, the days it existed and how many units descend
    from it (itself included)."""
    return list(
        await conn.fetch(
            """SELECT f.province_id AS unit_id, last.name_vi, last.name_en,
                      (SELECT min(v.valid_from) FROM unit_versions v WHERE v.unit_id = f.province_id) AS valid_from,
                      last.valid_to, (SELECT count(*) FROM unit_former_provinces m
                                      WHERE m.province_id = f.province_id) AS units
               FROM unit_former_provinces f
               CROSS JOIN LATERAL (SELECT v.name_vi, v.name_en, v.valid_to FROM unit_versions v
                                   WHERE v.unit_id = f.province_id ORDER BY v.valid_from DESC LIMIT 1) last
               WHERE f.unit_id = f.province_id
               ORDER BY last.name_vi, f.province_id"""
        )
    )
