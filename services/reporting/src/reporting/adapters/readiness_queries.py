"""Read queries for incident-response readiness (search_path set by the caller)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from cds_plumbing.db import Connection

SECURITY_KINDS = ["infosec_sysadmin", "cyber_drill"]


async def teams(conn: Connection, as_of: dt.date, units: list[str] | None) -> list[asyncpg.Record]:
    """Teams formed by as_of, belonging to one of `units` when given."""
    return list(
        await conn.fetch(
            """SELECT * FROM response_teams WHERE formed_on <= $1 AND ($2::text[] IS NULL OR unit_id = ANY ($2))
               ORDER BY team_id""",
            as_of,
            units,
        )
    )


async def members(conn: Connection, team_id: str, as_of: dt.date) -> list[asyncpg.Record]:
    """Active members on as_of, with whether they hold a valid security certificate that day."""
    return list(
        await conn.fetch(
            """SELECT m.officer_id, m.role,
                      EXISTS (SELECT 1 FROM training_certificates c
                              WHERE c.officer_id = m.officer_id AND c.programme_kind = ANY ($3)
                                AND c.issued_on <= $2 AND (c.expires_on IS NULL OR c.expires_on >= $2)
                                AND NOT EXISTS (SELECT 1 FROM training_classes k
                                                WHERE k.class_id = c.class_id AND k.status = 'cancelled')
                      ) AS certified
               FROM response_team_members m
               WHERE m.team_id = $1 AND m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on > $2)
               ORDER BY m.officer_id""",
            team_id,
            as_of,
            SECURITY_KINDS,
        )
    )


async def last_drill(conn: Connection, officer_ids: list[str], as_of: dt.date) -> dt.date | None:
    held: dt.date | None = await conn.fetchval(
        "SELECT max(held_on) FROM drills WHERE officer_ids && $1::text[] AND held_on <= $2", officer_ids, as_of
    )
    return held


async def shifts(conn: Connection, team_id: str, start: dt.datetime, end: dt.datetime) -> list[asyncpg.Record]:
    """Non-cancelled shifts overlapping [start, end)."""
    return list(
        await conn.fetch(
            """SELECT shift_id, starts_at, ends_at, primary_officer_id FROM oncall_shifts
               WHERE team_id = $1 AND NOT cancelled AND starts_at < $3 AND ends_at > $2""",
            team_id,
            start,
            end,
        )
    )


async def memberships(conn: Connection, team_id: str) -> list[asyncpg.Record]:
    """Every membership period of the team (an officer may leave and rejoin)."""
    return list(
        await conn.fetch("SELECT officer_id, joined_on, left_on FROM response_team_members WHERE team_id = $1", team_id)
    )


async def response_times(conn: Connection, team_id: str, start: dt.datetime, end: dt.datetime) -> asyncpg.Record:
    row = await conn.fetchrow(
        """SELECT count(*) AS incidents,
                  -- an incident still unacknowledged counts the time it has waited so far
                  avg(extract(epoch FROM coalesce(acknowledged_at, $3) - reported_at) / 60) AS mtta_minutes,
                  avg(extract(epoch FROM resolved_at - reported_at) / 3600) AS mttr_hours,
                  count(*) FILTER (WHERE resolved_at IS NULL) AS open
           FROM incidents WHERE team_id = $1 AND reported_at > $2 AND reported_at <= $3""",
        team_id,
        start,
        end,
    )
    assert row is not None
    return row
