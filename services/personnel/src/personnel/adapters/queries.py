"""Read-side queries for the HTTP API (no business rules; plain SQL over personnel's tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

_VALID_VERSION = """v.valid_from <= $1 AND (v.valid_to IS NULL OR $1 <= v.valid_to)
                    AND u.valid_from <= $1 AND (u.valid_to IS NULL OR $1 <= u.valid_to)"""


async def list_units(
    pool: asyncpg.Pool,
    day: dt.date,
    kind: str | None,
    level: str | None,
    parent_id: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    rows = await pool.fetch(
        f"""SELECT v.unit_id, v.name_vi, v.name_en, v.kind, v.level, v.parent_id, u.valid_from, u.valid_to,
                   count(*) OVER () AS total
            FROM org_unit_versions v JOIN org_units u USING (unit_id)
            WHERE {_VALID_VERSION}
              AND ($2::text IS NULL OR v.kind = $2) AND ($3::text IS NULL OR v.level = $3)
              AND ($4::text IS NULL OR v.parent_id = $4)
              AND ($5::text IS NULL OR v.name_vi ILIKE '%' || $5 || '%' OR v.unit_id ILIKE '%' || $5 || '%')
            ORDER BY v.unit_id LIMIT $6 OFFSET $7""",
        day,
        kind,
        level,
        parent_id,
        q,
        limit,
        offset,
    )
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], (rows[0]["total"] if rows else 0)


async def unit_tree(pool: asyncpg.Pool, day: dt.date) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"""SELECT v.unit_id, v.name_vi, v.name_en, v.kind, v.level, v.parent_id
            FROM org_unit_versions v JOIN org_units u USING (unit_id) WHERE {_VALID_VERSION} ORDER BY v.unit_id""",
        day,
    )
    nodes = {r["unit_id"]: {**dict(r), "children": []} for r in rows}
    roots: list[dict[str, Any]] = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots


async def unit_history(pool: asyncpg.Pool, unit_id: str) -> dict[str, Any] | None:
    head = await pool.fetchrow("SELECT unit_id, valid_from, valid_to FROM org_units WHERE unit_id = $1", unit_id)
    if head is None:
        return None
    versions = await pool.fetch(
        """SELECT valid_from, valid_to, name_vi, name_en, kind, level, parent_id FROM org_unit_versions
           WHERE unit_id = $1 ORDER BY valid_from""",
        unit_id,
    )
    lineage = await pool.fetch(
        """SELECT predecessor_id, successor_id, change, effective_date FROM org_unit_lineage
           WHERE predecessor_id = $1 OR successor_id = $1 ORDER BY effective_date, predecessor_id, successor_id""",
        unit_id,
    )
    return {
        **dict(head),
        "current": dict(versions[-1]),
        "versions": [dict(v) for v in versions],
        "predecessors": [dict(r) for r in lineage if r["successor_id"] == unit_id],
        "successors": [dict(r) for r in lineage if r["predecessor_id"] == unit_id],
    }


async def officer(pool: asyncpg.Pool, officer_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM officers WHERE officer_id = $1", officer_id)
    if row is None:
        return None
    periods = await pool.fetch(
        "SELECT valid_from, valid_to, unit_id, assignment, functions FROM officer_periods"
        " WHERE officer_id = $1 ORDER BY valid_from",
        officer_id,
    )
    quals = await pool.fetch(
        "SELECT degree_level, field, year FROM officer_qualifications WHERE officer_id = $1 ORDER BY id", officer_id
    )
    certs = await pool.fetch(
        "SELECT certificate_id, name, issuer, issued_on, expires_on FROM officer_certificates"
        " WHERE officer_id = $1 ORDER BY issued_on",
        officer_id,
    )
    last = periods[-1]
    return {
        **dict(row),
        "status": "departed" if row["departed_on"] else "serving",
        "unit_id": last["unit_id"],
        "assignment": last["assignment"],
        "functions": list(last["functions"]),
        "periods": [dict(p) for p in periods],
        "qualifications": [dict(q) for q in quals],
        "certificates": [dict(c) for c in certs],
    }


async def list_officers(
    pool: asyncpg.Pool,
    day: dt.date,
    unit_id: str | None,
    assignment: str | None,
    function: str | None,
    status: str,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    # "serving" = a period contains the day; "departed" = departed on or before it; "all" = latest period.
    rows = await pool.fetch(
        """SELECT o.officer_id, o.full_name, o.birth_year, o.gender, o.employment_category, o.appointed_on,
                  o.departed_on, o.departure_reason, p.unit_id, p.assignment, p.functions, count(*) OVER () AS total
           FROM officers o
           JOIN LATERAL (
               SELECT * FROM officer_periods p WHERE p.officer_id = o.officer_id
                 AND ($7 <> 'serving' OR (p.valid_from <= $1 AND (p.valid_to IS NULL OR $1 <= p.valid_to)))
               ORDER BY p.valid_from DESC LIMIT 1) p ON true
           WHERE ($2::text IS NULL OR p.unit_id = $2) AND ($3::text IS NULL OR p.assignment = $3)
             AND ($4::text IS NULL OR $4 = ANY(p.functions))
             AND ($7 <> 'departed' OR o.departed_on <= $1)
           ORDER BY o.officer_id LIMIT $5 OFFSET $6""",
        day,
        unit_id,
        assignment,
        function,
        limit,
        offset,
        status,
    )
    items = [{**{k: v for k, v in r.items() if k != "total"}, "functions": list(r["functions"])} for r in rows]
    return items, (rows[0]["total"] if rows else 0)


async def team(pool: asyncpg.Pool, team_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT t.team_id, t.village, t.established_on, p.commune_id FROM community_teams t
           JOIN community_team_periods p ON p.team_id = t.team_id AND p.valid_to IS NULL WHERE t.team_id = $1""",
        team_id,
    )
    if row is None:
        return None
    members = await pool.fetch(
        """SELECT member_id, full_name, affiliation, role, joined_on, left_on FROM community_team_members
           WHERE team_id = $1 ORDER BY joined_on, member_id""",
        team_id,
    )
    return {**dict(row), "members": [dict(m) for m in members]}


async def list_teams(
    pool: asyncpg.Pool, day: dt.date, commune_id: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows = await pool.fetch(
        """SELECT t.team_id, t.village, t.established_on, p.commune_id,
                  (SELECT count(*) FROM community_team_members m WHERE m.team_id = t.team_id
                     AND m.joined_on <= $1 AND (m.left_on IS NULL OR $1 < m.left_on)) AS members,
                  count(*) OVER () AS total
           FROM community_teams t JOIN community_team_periods p ON p.team_id = t.team_id
            AND p.valid_from <= $1 AND (p.valid_to IS NULL OR $1 <= p.valid_to)
           WHERE ($2::text IS NULL OR p.commune_id = $2)
           ORDER BY t.team_id LIMIT $3 OFFSET $4""",
        day,
        commune_id,
        limit,
        offset,
    )
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], (rows[0]["total"] if rows else 0)
