"""/api/v1/response-teams: incident-response teams (đội ứng cứu sự cố), their members, on-call rotation,
coverage gaps and incidents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from cds_contracts.bounds import Id, Moment
from cds_plumbing import clock
from cds_plumbing.auth import Role, Writer
from cds_plumbing.http import Limit, Offset, page
from personnel.adapters import queries
from personnel.domain.errors import NotFoundError
from personnel.service_layer import response_team_handlers as handlers
from personnel.service_layer import response_team_views as views
from personnel.service_layer.commands import (
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

from .deps import pool, scoped, uow
from .models import ResponseTeamDetail

router = APIRouter(prefix="/api/v1/response-teams", tags=["incident-response teams"])

From = Annotated[Moment | None, Query(alias="from", description="Start of the window; now when omitted.")]
To = Annotated[Moment | None, Query(alias="to", description="End of the window; 30 days after its start.")]
WINDOW = dt.timedelta(days=30)


async def _unit_of(request: Request, team_id: Id) -> str:
    unit_id = await queries.response_team_unit(pool(request), team_id)
    if unit_id is None:
        raise NotFoundError(f"response team {team_id} does not exist")
    return unit_id


@router.post("", status_code=201)
async def form_team(cmd: FormResponseTeam, request: Request, who: Writer) -> dict[str, str]:
    if cmd.scope == "provincial" and who.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(403, detail="only a province_admin may form the provincial team")
    await scoped(request, who, cmd.unit_id)
    async with uow(request, who) as u:
        team_id = await handlers.form_team(u, cmd)
    return {"team_id": team_id}


@router.get("")
async def list_teams(
    request: Request,
    scope: Literal["provincial", "unit"] | None = None,
    unit_id: Id | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_response_teams(pool(request), scope, unit_id, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{team_id}", response_model=ResponseTeamDetail)
async def get_team(
    team_id: Id,
    request: Request,
    days: Annotated[int, Query(ge=1, le=366, description="How far ahead upcoming shifts are listed.")] = 30,
) -> dict[str, Any]:
    """Active members with roles and joined dates, past members, and upcoming shifts (flagged uncovered
    when their primary is no longer a member for all of it)."""
    return await views.team_detail(pool(request), team_id, clock.now(), days)


@router.post("/{team_id}/members", status_code=201)
async def add_member(team_id: Id, cmd: AddResponseTeamMember, request: Request, who: Writer) -> dict[str, str]:
    """Like training's enrolments and drills: a unit editor may add only officers of its own subtree."""
    officer_unit = await queries.officer_unit(pool(request), cmd.officer_id)
    if officer_unit is None:
        raise NotFoundError(f"officer {cmd.officer_id} does not exist")
    await scoped(request, who, await _unit_of(request, team_id), officer_unit)
    async with uow(request, who) as u:
        await handlers.add_member(u, team_id, cmd)
    return {"team_id": team_id, "officer_id": cmd.officer_id}


@router.post("/{team_id}/members/{officer_id}/leave")
async def remove_member(
    team_id: Id, officer_id: Id, cmd: LeaveResponseTeam, request: Request, who: Writer
) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id))
    async with uow(request, who) as u:
        await handlers.remove_member(u, team_id, officer_id, cmd)
    return {"team_id": team_id, "officer_id": officer_id}


@router.post("/{team_id}/shifts", status_code=201)
async def schedule_shift(team_id: Id, cmd: ScheduleShift, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id))
    async with uow(request, who) as u:
        shift_id = await handlers.schedule_shift(u, team_id, cmd)
    return {"team_id": team_id, "shift_id": shift_id}


@router.post("/{team_id}/shifts/{shift_id}/reassign")
async def reassign_shift(
    team_id: Id, shift_id: Id, cmd: ReassignShift, request: Request, who: Writer
) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id))
    async with uow(request, who) as u:
        await handlers.reassign_shift(u, team_id, shift_id, cmd)
    return {"team_id": team_id, "shift_id": shift_id}


@router.post("/{team_id}/shifts/{shift_id}/cancel")
async def cancel_shift(team_id: Id, shift_id: Id, cmd: CancelShift, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id))
    async with uow(request, who) as u:
        await handlers.cancel_shift(u, team_id, shift_id, cmd)
    return {"team_id": team_id, "shift_id": shift_id}


@router.get("/{team_id}/coverage")
async def coverage(team_id: Id, request: Request, start: From = None, end: To = None) -> dict[str, Any]:
    """Union of non-cancelled shifts whose primary is still a member, clipped to the window, and the exact
    gaps (maximal uncovered intervals)."""
    start = start or clock.now()
    return await views.team_coverage(pool(request), team_id, start, end or start + WINDOW)


@router.post("/{team_id}/incidents", status_code=201)
async def report_incident(team_id: Id, cmd: ReportIncident, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id), cmd.affected_unit_id)
    async with uow(request, who) as u:
        incident_id = await handlers.report_incident(u, team_id, cmd)
    return {"team_id": team_id, "incident_id": incident_id}


@router.get("/{team_id}/incidents")
async def list_incidents(
    team_id: Id,
    request: Request,
    status: Literal["open", "resolved", "all"] = "all",
    since: Annotated[Moment | None, Query(description="Only incidents reported at or after this.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    await _unit_of(request, team_id)
    items, total = await queries.list_incidents(pool(request), team_id, status, since, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{team_id}/incidents/{incident_id}")
async def get_incident(team_id: Id, incident_id: Id, request: Request) -> dict[str, Any]:
    found = await queries.incident(pool(request), team_id, incident_id)
    if found is None:
        raise NotFoundError(f"incident {incident_id} does not exist in team {team_id}")
    return found


@router.post("/{team_id}/incidents/{incident_id}/acknowledge")
async def acknowledge_incident(
    team_id: Id, incident_id: Id, cmd: AcknowledgeIncident, request: Request, who: Writer
) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id))
    async with uow(request, who) as u:
        await handlers.acknowledge_incident(u, team_id, incident_id, cmd)
    return {"team_id": team_id, "incident_id": incident_id}


@router.post("/{team_id}/incidents/{incident_id}/resolve")
async def resolve_incident(
    team_id: Id, incident_id: Id, cmd: ResolveIncident, request: Request, who: Writer
) -> dict[str, str]:
    await scoped(request, who, await _unit_of(request, team_id))
    async with uow(request, who) as u:
        await handlers.resolve_incident(u, team_id, incident_id, cmd)
    return {"team_id": team_id, "incident_id": incident_id}
