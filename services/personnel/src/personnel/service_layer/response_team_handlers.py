"""Handlers for incident-response teams: formation, members, on-call shifts and incidents.

Every command locks the team's row, so one team's roster, rotation and incidents change one at a time
(the overlap and membership checks hold). A member who departs the public service is taken off every
team by the departure itself (officer_handlers.record_departure).
"""

from __future__ import annotations

import uuid

from cds_contracts.personnel_response_teams import (
    IncidentAcknowledged,
    IncidentReported,
    IncidentResolved,
    OnCallShiftCancelled,
    OnCallShiftReassigned,
    OnCallShiftScheduled,
    ResponseTeamFormed,
    ResponseTeamMemberJoined,
    ResponseTeamMemberLeft,
)
from cds_plumbing import clock
from personnel.domain import response_teams as rules
from personnel.domain.errors import ConflictError, NotFoundError
from personnel.domain.response_teams import Incident, Membership, ResponseTeam, Shift

from .commands import (
    AcknowledgeIncident,
    AddResponseTeamMember,
    CancelShift,
    FormResponseTeam,
    LeaveResponseTeam,
    ReassignShift,
    ReportIncident,
    ResolveIncident,
    ScheduleShift,
)
from .unit_handlers import load_unit
from .unit_of_work import UnitOfWork


def new_team_id() -> str:
    return f"DUC-{uuid.uuid4().hex[:12].upper()}"


def new_shift_id() -> str:
    return f"CT-{uuid.uuid4().hex[:12].upper()}"


def new_incident_id() -> str:
    return f"SC-{uuid.uuid4().hex[:12].upper()}"


async def load_team(uow: UnitOfWork, team_id: str) -> ResponseTeam:
    team = await uow.response_teams.get(team_id, lock=True)
    if team is None:
        raise NotFoundError(f"response team {team_id} does not exist")
    return team


async def load_shift(uow: UnitOfWork, team_id: str, shift_id: str) -> Shift:
    shift = await uow.response_teams.shift(team_id, shift_id)
    if shift is None:
        raise NotFoundError(f"shift {shift_id} does not exist in team {team_id}")
    return shift


async def load_incident(uow: UnitOfWork, team_id: str, incident_id: str) -> Incident:
    incident = await uow.response_teams.incident(team_id, incident_id, lock=True)
    if incident is None:
        raise NotFoundError(f"incident {incident_id} does not exist in team {team_id}")
    return incident


async def form_team(uow: UnitOfWork, cmd: FormResponseTeam) -> str:
    team_id = cmd.team_id or new_team_id()
    if await uow.response_teams.exists(team_id):
        raise ConflictError(f"team id {team_id} is already used")
    (await load_unit(uow, cmd.unit_id, lock=False)).require_active(cmd.formed_on)
    rules.check_formation(cmd.scope, await uow.response_teams.provincial_team())
    team = ResponseTeam(team_id, cmd.name, cmd.scope, cmd.unit_id, cmd.formed_on)
    await uow.response_teams.insert(team)
    await uow.publish(
        ResponseTeamFormed(
            team_id=team_id, name=cmd.name, scope=cmd.scope, unit_id=cmd.unit_id, formed_on=cmd.formed_on
        )
    )
    return team_id


async def add_member(uow: UnitOfWork, team_id: str, cmd: AddResponseTeamMember) -> None:
    team = await load_team(uow, team_id)
    # Locked so a departure recorded meanwhile is seen (it closes memberships under the same lock).
    officer = await uow.officers.get(cmd.officer_id, lock=True)
    if officer is None:
        raise NotFoundError(f"officer {cmd.officer_id} does not exist")
    history = await uow.response_teams.memberships(team_id, cmd.officer_id)
    rules.check_join(team, officer, cmd.joined_on, history)
    await uow.response_teams.add_member(team_id, Membership(cmd.officer_id, cmd.role, cmd.joined_on))
    await uow.publish(
        ResponseTeamMemberJoined(team_id=team_id, officer_id=cmd.officer_id, role=cmd.role, joined_on=cmd.joined_on)
    )


async def remove_member(uow: UnitOfWork, team_id: str, officer_id: str, cmd: LeaveResponseTeam) -> None:
    await load_team(uow, team_id)
    members = await uow.response_teams.memberships(team_id, officer_id)
    rules.check_leave(rules.active_membership(members, officer_id), officer_id, cmd.left_on)
    if not await uow.response_teams.leave(team_id, officer_id, cmd.left_on, "left"):
        raise ConflictError(f"officer {officer_id} left team {team_id} meanwhile")
    await uow.publish(
        ResponseTeamMemberLeft(team_id=team_id, officer_id=officer_id, left_on=cmd.left_on, reason="left")
    )


async def schedule_shift(uow: UnitOfWork, team_id: str, cmd: ScheduleShift) -> str:
    await load_team(uow, team_id)
    shift_id = cmd.shift_id or new_shift_id()
    if await uow.response_teams.shift_exists(shift_id):
        raise ConflictError(f"shift id {shift_id} is already used")
    rules.check_shift_times(cmd.starts_at, cmd.ends_at)
    members = await uow.response_teams.memberships(team_id)
    rules.check_on_call(members, cmd.starts_at, cmd.primary_officer_id, cmd.backup_officer_id)
    shift = Shift(shift_id, cmd.starts_at, cmd.ends_at, cmd.primary_officer_id, cmd.backup_officer_id)
    others = await uow.response_teams.shifts_of_primary(team_id, cmd.primary_officer_id, cmd.starts_at, cmd.ends_at)
    rules.check_no_overlap(shift, others)
    await uow.response_teams.insert_shift(team_id, shift)
    await uow.publish(
        OnCallShiftScheduled(
            team_id=team_id,
            shift_id=shift_id,
            starts_at=cmd.starts_at,
            ends_at=cmd.ends_at,
            primary_officer_id=cmd.primary_officer_id,
            backup_officer_id=cmd.backup_officer_id,
        )
    )
    return shift_id


async def reassign_shift(uow: UnitOfWork, team_id: str, shift_id: str, cmd: ReassignShift) -> None:
    await load_team(uow, team_id)
    shift = await load_shift(uow, team_id, shift_id)
    rules.check_reassign(shift, cmd.primary_officer_id, cmd.backup_officer_id)
    members = await uow.response_teams.memberships(team_id)
    rules.check_on_call(members, shift.starts_at, cmd.primary_officer_id, cmd.backup_officer_id)
    others = await uow.response_teams.shifts_of_primary(team_id, cmd.primary_officer_id, shift.starts_at, shift.ends_at)
    rules.check_no_overlap(Shift(shift_id, shift.starts_at, shift.ends_at, cmd.primary_officer_id), others)
    await uow.response_teams.reassign_shift(shift_id, cmd.primary_officer_id, cmd.backup_officer_id)
    await uow.publish(
        OnCallShiftReassigned(
            team_id=team_id,
            shift_id=shift_id,
            primary_officer_id=cmd.primary_officer_id,
            backup_officer_id=cmd.backup_officer_id,
            kind=cmd.kind,
        )
    )


async def cancel_shift(uow: UnitOfWork, team_id: str, shift_id: str, cmd: CancelShift) -> None:
    await load_team(uow, team_id)
    rules.check_cancel(await load_shift(uow, team_id, shift_id))
    await uow.response_teams.cancel_shift(shift_id, cmd.reason)
    await uow.publish(OnCallShiftCancelled(team_id=team_id, shift_id=shift_id, reason=cmd.reason))


async def report_incident(uow: UnitOfWork, team_id: str, cmd: ReportIncident) -> str:
    team = await load_team(uow, team_id)
    incident_id = cmd.incident_id or new_incident_id()
    if await uow.response_teams.incident_exists(incident_id):
        raise ConflictError(f"incident id {incident_id} is already used")
    rules.check_report(team, cmd.reported_at)
    (await load_unit(uow, cmd.affected_unit_id, lock=False)).require_active(
        clock.province_day(cmd.reported_at), "affected unit"
    )
    await uow.response_teams.insert_incident(
        team_id, incident_id, cmd.reported_at, cmd.severity, cmd.affected_unit_id, cmd.summary
    )
    await uow.publish(
        IncidentReported(
            team_id=team_id,
            incident_id=incident_id,
            reported_at=cmd.reported_at,
            severity=cmd.severity,
            affected_unit_id=cmd.affected_unit_id,
            summary=cmd.summary,
        )
    )
    return incident_id


async def acknowledge_incident(uow: UnitOfWork, team_id: str, incident_id: str, cmd: AcknowledgeIncident) -> None:
    await load_team(uow, team_id)
    incident = await load_incident(uow, team_id, incident_id)
    members = await uow.response_teams.memberships(team_id)
    incident.check_acknowledge(cmd.acknowledged_at, cmd.responder_ids, members)
    await uow.response_teams.acknowledge(incident_id, cmd.acknowledged_at, cmd.responder_ids)
    await uow.publish(
        IncidentAcknowledged(
            team_id=team_id,
            incident_id=incident_id,
            acknowledged_at=cmd.acknowledged_at,
            responder_ids=tuple(cmd.responder_ids),
        )
    )


async def resolve_incident(uow: UnitOfWork, team_id: str, incident_id: str, cmd: ResolveIncident) -> None:
    await load_team(uow, team_id)
    incident = await load_incident(uow, team_id, incident_id)
    incident.check_resolve(cmd.resolved_at)
    await uow.response_teams.resolve(incident_id, cmd.resolved_at, cmd.outcome)
    await uow.publish(
        IncidentResolved(team_id=team_id, incident_id=incident_id, resolved_at=cmd.resolved_at, outcome=cmd.outcome)
    )
