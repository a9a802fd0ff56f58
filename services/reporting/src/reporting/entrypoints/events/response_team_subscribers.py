"""The on_<event> subscribers for incident-response team events (registered with the projection consumer)."""

from __future__ import annotations

from cds_contracts import Envelope, Event
from cds_contracts import personnel_response_teams as rt
from cds_plumbing.consumer import Handler
from cds_plumbing.db import Connection
from reporting.adapters import response_team_writer as w


async def on_response_team_formed(conn: Connection, event: rt.ResponseTeamFormed, envelope: Envelope) -> None:
    await w.formed(conn, event)


async def on_response_team_moved(conn: Connection, event: rt.ResponseTeamMoved, envelope: Envelope) -> None:
    await w.moved(conn, event)


async def on_response_team_member_joined(
    conn: Connection, event: rt.ResponseTeamMemberJoined, envelope: Envelope
) -> None:
    await w.member_joined(conn, event)


async def on_response_team_member_left(conn: Connection, event: rt.ResponseTeamMemberLeft, envelope: Envelope) -> None:
    await w.member_left(conn, event)


async def on_on_call_shift_scheduled(conn: Connection, event: rt.OnCallShiftScheduled, envelope: Envelope) -> None:
    await w.shift_scheduled(conn, event)


async def on_on_call_shift_reassigned(conn: Connection, event: rt.OnCallShiftReassigned, envelope: Envelope) -> None:
    await w.shift_reassigned(conn, event)


async def on_on_call_shift_cancelled(
    conn: Connection, event: rt.OnCallShiftCancelled | rt.OnCallShiftCancelledV1, envelope: Envelope
) -> None:
    await w.shift_cancelled(conn, event)


async def on_incident_reported(conn: Connection, event: rt.IncidentReported, envelope: Envelope) -> None:
    await w.incident_reported(conn, event)


async def on_incident_acknowledged(conn: Connection, event: rt.IncidentAcknowledged, envelope: Envelope) -> None:
    await w.incident_acknowledged(conn, event)


async def on_incident_resolved(conn: Connection, event: rt.IncidentResolved, envelope: Envelope) -> None:
    await w.incident_resolved(conn, event)


RESPONSE_TEAM_SUBSCRIBERS: dict[type[Event], Handler] = {
    rt.ResponseTeamFormed: on_response_team_formed,
    rt.ResponseTeamMoved: on_response_team_moved,
    rt.ResponseTeamMemberJoined: on_response_team_member_joined,
    rt.ResponseTeamMemberLeft: on_response_team_member_left,
    rt.OnCallShiftScheduled: on_on_call_shift_scheduled,
    rt.OnCallShiftReassigned: on_on_call_shift_reassigned,
    rt.OnCallShiftCancelled: on_on_call_shift_cancelled,
    rt.OnCallShiftCancelledV1: on_on_call_shift_cancelled,
    rt.IncidentReported: on_incident_reported,
    rt.IncidentAcknowledged: on_incident_acknowledged,
    rt.IncidentResolved: on_incident_resolved,
}
