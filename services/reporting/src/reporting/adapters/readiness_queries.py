"""Read queries for incident-response readiness (search_path set by the caller).

Set-based: three statements for every team of a slice at once (the teams with their last drill and
incident figures, every membership, the shifts of the window), whatever the number of teams."""

from __future__ import annotations

import datetime as dt

import asyncpg

from cds_plumbing.db import Connection

SECURITY_KINDS = ["infosec_sysadmin", "cyber_drill"]

# A member counts from joined_on up to the day before left_on.
_ACTIVE = "m.joined_on <= $1 AND (m.left_on IS NULL OR m.left_on > $1)"


async def teams(
    conn: Connection, as_of: dt.date, units: list[str] | None, incidents_from: dt.datetime, until: dt.datetime
) -> list[asyncpg.Record]:
    """Teams formed by as_of (of one of `units` when given), each with `last_drill_on` (the latest drill by
    as_of that one of its members on as_of took part in) and its incidents reported in (incidents_from,
    until]: `incidents`, `open`, `mtta_minutes`, `mttr_hours`."""
    return list(
        await conn.fetch(
            f"""SELECT t.*, d.last_drill_on, i.incidents, i.mtta_minutes, i.mttr_hours, i.open
                FROM response_teams t
                CROSS JOIN LATERAL (
                    SELECT max(held_on) AS last_drill_on FROM drills
                    WHERE held_on <= $1
                      AND officer_ids && ARRAY(SELECT m.officer_id FROM response_team_members m
                                               WHERE m.team_id = t.team_id AND {_ACTIVE})
                ) d
                CROSS JOIN LATERAL (
                    SELECT count(*) AS incidents,
                           -- an incident still unacknowledged counts the time it has waited so far
                           avg(extract(epoch FROM coalesce(acknowledged_at, $4) - reported_at) / 60) AS mtta_minutes,
                           avg(extract(epoch FROM resolved_at - reported_at) / 3600) AS mttr_hours,
                           count(*) FILTER (WHERE resolved_at IS NULL) AS open
                    FROM incidents WHERE team_id = t.team_id AND reported_at > $3 AND reported_at <= $4
                ) i
                WHERE t.formed_on <= $1 AND ($2::text[] IS NULL OR t.unit_id = ANY ($2))
                ORDER BY t.team_id""",
            as_of,
            units,
            incidents_from,
            until,
        )
    )


async def memberships(conn: Connection, team_ids: list[str], as_of: dt.date) -> list[asyncpg.Record]:
    """Every membership period of the teams (an officer may leave and rejoin), by team and officer, with
    `active` (a member on as_of) and `certified` (holds a valid security certificate on as_of)."""
    return list(
        await conn.fetch(
            f"""SELECT m.team_id, m.officer_id, m.role, m.joined_on, m.left_on, {_ACTIVE} AS active,
                       EXISTS (SELECT 1 FROM training_certificates c
                               WHERE c.officer_id = m.officer_id AND c.programme_kind = ANY ($3)
                                 AND c.issued_on <= $1 AND (c.expires_on IS NULL OR c.expires_on >= $1)
                                 AND NOT EXISTS (SELECT 1 FROM training_classes k
                                                 WHERE k.class_id = c.class_id AND k.status = 'cancelled')
                       ) AS certified
                FROM response_team_members m
                WHERE m.team_id = ANY ($2::text[])
                ORDER BY m.team_id, m.officer_id, m.joined_on""",
            as_of,
            team_ids,
            SECURITY_KINDS,
        )
    )


async def shifts(conn: Connection, team_ids: list[str], start: dt.datetime, end: dt.datetime) -> list[asyncpg.Record]:
    """The teams' non-cancelled shifts overlapping [start, end)."""
    return list(
        await conn.fetch(
            """SELECT team_id, shift_id, starts_at, ends_at, primary_officer_id FROM oncall_shifts
               WHERE team_id = ANY ($1::text[]) AND NOT cancelled AND starts_at < $3 AND ends_at > $2""",
            team_ids,
            start,
            end,
        )
    )
