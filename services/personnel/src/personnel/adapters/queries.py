"""Read-side queries for the HTTP API (no business rules; plain SQL over personnel's tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.db import like_contains

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
              AND ($5::text IS NULL OR v.name_vi ILIKE $5 OR v.unit_id ILIKE $5)
            ORDER BY v.unit_id LIMIT $6 OFFSET $7""",
        day,
        kind,
        level,
        parent_id,
        like_contains(q) if q is not None else None,
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


async def officer_unit(pool: asyncpg.Pool, officer_id: str) -> str | None:
    """The unit of the officer's latest period (what a write's scope check needs), in one statement."""
    unit: str | None = await pool.fetchval(
        "SELECT unit_id FROM officer_periods WHERE officer_id = $1 ORDER BY valid_from DESC LIMIT 1", officer_id
    )
    return unit


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
        "erased": row["erased_at"] is not None,
        "scope_unit": last["unit_id"],  # whose editors may see the officer's personal fields
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
                  o.departed_on, o.departure_reason, p.unit_id, p.assignment, p.functions,
                  o.erased_at IS NOT NULL AS erased, p.unit_id AS scope_unit, count(*) OVER () AS total
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


async def team_commune(pool: asyncpg.Pool, team_id: str) -> str | None:
    """The team's commune now (what a write's scope check needs), without reading its members."""
    commune: str | None = await pool.fetchval(
        """SELECT p.commune_id FROM community_teams t
           JOIN community_team_periods p ON p.team_id = t.team_id AND p.valid_to IS NULL WHERE t.team_id = $1""",
        team_id,
    )
    return commune


async def team(pool: asyncpg.Pool, team_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT t.team_id, t.village, t.established_on, p.commune_id FROM community_teams t
           JOIN community_team_periods p ON p.team_id = t.team_id AND p.valid_to IS NULL WHERE t.team_id = $1""",
        team_id,
    )
    if row is None:
        return None
    members = await pool.fetch(
        """SELECT member_id, full_name, affiliation, role, joined_on, left_on, erased_at IS NOT NULL AS erased
           FROM community_team_members WHERE team_id = $1 ORDER BY joined_on, member_id""",
        team_id,
    )
    # A member's personal fields are for the editors of the commune the team serves.
    return {**dict(row), "members": [{**dict(m), "scope_unit": row["commune_id"]} for m in members]}


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


async def list_response_teams(
    pool: asyncpg.Pool, scope: str | None, unit_id: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows = await pool.fetch(
        """SELECT t.team_id, t.name, t.scope, t.unit_id, t.formed_on,
                  (SELECT count(*) FROM response_team_members m
                     WHERE m.team_id = t.team_id AND m.left_on IS NULL) AS active_members,
                  count(*) OVER () AS total
           FROM response_teams t
           WHERE ($1::text IS NULL OR t.scope = $1) AND ($2::text IS NULL OR t.unit_id = $2)
           ORDER BY t.scope, t.team_id LIMIT $3 OFFSET $4""",
        scope,
        unit_id,
        limit,
        offset,
    )
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], (rows[0]["total"] if rows else 0)


async def response_team_unit(pool: asyncpg.Pool, team_id: str) -> str | None:
    return await pool.fetchval("SELECT unit_id FROM response_teams WHERE team_id = $1", team_id)  # type: ignore[no-any-return]


async def response_team(pool: asyncpg.Pool, team_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT team_id, name, scope, unit_id, formed_on FROM response_teams WHERE team_id = $1", team_id
    )
    if row is None:
        return None
    members = await pool.fetch(
        """SELECT m.officer_id, o.full_name, m.role, m.joined_on, m.left_on, m.left_reason,
                  (SELECT p.unit_id FROM officer_periods p WHERE p.officer_id = m.officer_id
                   ORDER BY p.valid_from DESC LIMIT 1) AS scope_unit
           FROM response_team_members m JOIN officers o USING (officer_id)
           WHERE m.team_id = $1 ORDER BY m.joined_on, m.officer_id""",
        team_id,
    )
    return {**dict(row), "members": [dict(m) for m in members]}


async def response_team_shifts(
    pool: asyncpg.Pool, team_id: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Shifts overlapping [start, end), cancelled ones included, in time order."""
    rows = await pool.fetch(
        """SELECT shift_id, starts_at, ends_at, primary_officer_id, backup_officer_id, cancelled_at, cancel_reason
           FROM response_team_shifts WHERE team_id = $1 AND starts_at < $3 AND $2 < ends_at
           ORDER BY starts_at, shift_id""",
        team_id,
        start,
        end,
    )
    return [dict(r) for r in rows]


_INCIDENT = """SELECT incident_id, team_id, reported_at, severity, affected_unit_id, summary, acknowledged_at,
                      responder_ids, resolved_at, outcome,
                      CASE WHEN resolved_at IS NOT NULL THEN 'resolved'
                           WHEN acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'reported' END AS status
               FROM response_team_incidents"""


def _incident(row: asyncpg.Record) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "total"}, "responder_ids": list(row["responder_ids"])}


async def list_incidents(
    pool: asyncpg.Pool,
    team_id: str,
    status: str,
    since: dt.datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    # "open" = not resolved yet (reported or acknowledged); "resolved"; "all".
    rows = await pool.fetch(
        f"""SELECT i.*, count(*) OVER () AS total FROM ({_INCIDENT}) i
            WHERE i.team_id = $1
              AND ($2 = 'all' OR ($2 = 'open') = (i.resolved_at IS NULL))
              AND ($3::timestamptz IS NULL OR i.reported_at >= $3)
            ORDER BY i.reported_at DESC, i.incident_id LIMIT $4 OFFSET $5""",
        team_id,
        status,
        since,
        limit,
        offset,
    )
    return [_incident(r) for r in rows], (rows[0]["total"] if rows else 0)


async def incident(pool: asyncpg.Pool, team_id: str, incident_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(f"{_INCIDENT} WHERE team_id = $1 AND incident_id = $2", team_id, incident_id)
    return None if row is None else _incident(row)
