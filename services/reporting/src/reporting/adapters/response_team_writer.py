"""Projection of incident-response team events: roster, on-call shifts, incidents."""

from __future__ import annotations

from cds_contracts import personnel_response_teams as rt
from cds_plumbing.db import Connection


async def formed(conn: Connection, e: rt.ResponseTeamFormed) -> None:
    await conn.execute(
        "INSERT INTO response_teams VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id) DO NOTHING",
        e.team_id,
        e.name,
        e.scope,
        e.unit_id,
        e.formed_on,
    )


async def moved(conn: Connection, e: rt.ResponseTeamMoved) -> None:
    await conn.execute("UPDATE response_teams SET unit_id = $2 WHERE team_id = $1", e.team_id, e.unit_id)


async def member_joined(conn: Connection, e: rt.ResponseTeamMemberJoined) -> None:
    await conn.execute(
        """INSERT INTO response_team_members (team_id, officer_id, role, joined_on) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        e.team_id,
        e.officer_id,
        e.role,
        e.joined_on,
    )


async def member_left(conn: Connection, e: rt.ResponseTeamMemberLeft) -> None:
    await conn.execute(
        """UPDATE response_team_members SET left_on = $3, left_reason = $4
           WHERE team_id = $1 AND officer_id = $2 AND left_on IS NULL""",
        e.team_id,
        e.officer_id,
        e.left_on,
        e.reason,
    )


async def shift_scheduled(conn: Connection, e: rt.OnCallShiftScheduled) -> None:
    await conn.execute(
        "INSERT INTO oncall_shifts VALUES ($1, $2, $3, $4, $5, $6, false) ON CONFLICT (shift_id) DO NOTHING",
        e.shift_id,
        e.team_id,
        e.starts_at,
        e.ends_at,
        e.primary_officer_id,
        e.backup_officer_id,
    )


async def shift_reassigned(conn: Connection, e: rt.OnCallShiftReassigned) -> None:
    await conn.execute(
        "UPDATE oncall_shifts SET primary_officer_id = $2, backup_officer_id = $3 WHERE shift_id = $1",
        e.shift_id,
        e.primary_officer_id,
        e.backup_officer_id,
    )


async def shift_cancelled(conn: Connection, e: rt.OnCallShiftCancelled | rt.OnCallShiftCancelledV1) -> None:
    await conn.execute("UPDATE oncall_shifts SET cancelled = true WHERE shift_id = $1", e.shift_id)


async def incident_reported(conn: Connection, e: rt.IncidentReported) -> None:
    await conn.execute(
        """INSERT INTO incidents (incident_id, team_id, reported_at, severity, affected_unit_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id) DO NOTHING""",
        e.incident_id,
        e.team_id,
        e.reported_at,
        e.severity,
        e.affected_unit_id,
    )


async def incident_acknowledged(conn: Connection, e: rt.IncidentAcknowledged) -> None:
    await conn.execute(
        "UPDATE incidents SET acknowledged_at = $2 WHERE incident_id = $1", e.incident_id, e.acknowledged_at
    )


async def incident_resolved(conn: Connection, e: rt.IncidentResolved) -> None:
    await conn.execute(
        "UPDATE incidents SET resolved_at = $2, outcome = $3 WHERE incident_id = $1",
        e.incident_id,
        e.resolved_at,
        e.outcome,
    )
