"""/api/v1/community-teams: community technology teams and their members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_plumbing.auth import Principal, Writer, may_change_every_unit
from cds_plumbing.http import Limit, Offset, page
from personnel.adapters import queries
from personnel.domain.errors import NotFoundError
from personnel.service_layer import team_handlers as handlers
from personnel.service_layer.commands import AddTeamMember, EstablishTeam, RemoveTeamMember

from .deps import AsOf, day, pool, scoped, uow
from .models import CommunityTeam

router = APIRouter(prefix="/api/v1/community-teams", tags=["community technology teams"])


async def _commune_of(request: Request, team_id: Id) -> str:
    commune = await queries.team_commune(pool(request), team_id)
    if commune is None:
        raise NotFoundError(f"community team {team_id} does not exist")
    return commune


async def _scoped_to_team(request: Request, who: Principal, team_id: Id) -> None:
    """403 unless the caller may change data of the team's commune. A province admin may change every
    unit's: the lookup is skipped, and the handler answers 404 for an unknown team."""
    if not may_change_every_unit(who):
        await scoped(request, who, await _commune_of(request, team_id))


@router.post("", status_code=201)
async def establish(cmd: EstablishTeam, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, cmd.commune_id)
    async with uow(request, who) as u:
        team_id = await handlers.establish_team(u, cmd)
    return {"team_id": team_id}


@router.get("")
async def list_teams(
    request: Request, as_of: AsOf = None, commune_id: Id | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    items, total = await queries.list_teams(pool(request), day(as_of), commune_id, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{team_id}", response_model=CommunityTeam)
async def get_team(team_id: Id, request: Request) -> dict[str, Any]:
    team = await queries.team(pool(request), team_id)
    if team is None:
        raise NotFoundError(f"community team {team_id} does not exist")
    return team


@router.post("/{team_id}/members", status_code=201)
async def add_member(team_id: Id, cmd: AddTeamMember, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_team(request, who, team_id)
    async with uow(request, who) as u:
        member_id = await handlers.add_member(u, team_id, cmd)
    return {"team_id": team_id, "member_id": member_id}


@router.post("/{team_id}/members/{member_id}/leave")
async def remove_member(
    team_id: Id, member_id: Id, cmd: RemoveTeamMember, request: Request, who: Writer
) -> dict[str, str]:
    await _scoped_to_team(request, who, team_id)
    async with uow(request, who) as u:
        await handlers.remove_member(u, team_id, member_id, cmd)
    return {"team_id": team_id, "member_id": member_id}
