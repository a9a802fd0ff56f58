"""Handlers for community technology teams and their members."""

from __future__ import annotations

import uuid

import asyncpg

from cds_contracts.personnel_teams import CommunityTeamEstablished, CommunityTeamMemberJoined, CommunityTeamMemberLeft
from personnel.domain import teams as rules
from personnel.domain.errors import ConflictError, NotFoundError

from .commands import AddTeamMember, EstablishTeam, RemoveTeamMember
from .unit_handlers import load_unit
from .unit_of_work import UnitOfWork


def new_team_id() -> str:
    return f"TCN-{uuid.uuid4().hex[:12].upper()}"


def new_member_id() -> str:
    return f"TV-{uuid.uuid4().hex[:12].upper()}"


async def load_team(uow: UnitOfWork, team_id: str) -> asyncpg.Record:
    team = await uow.teams.get(team_id, lock=True)
    if team is None:
        raise NotFoundError(f"community team {team_id} does not exist")
    return team


async def establish_team(uow: UnitOfWork, cmd: EstablishTeam) -> str:
    team_id = cmd.team_id or new_team_id()
    if await uow.teams.existing_ids([team_id]):
        raise ConflictError(f"team id {team_id} is already used")
    rules.check_commune((await load_unit(uow, cmd.commune_id, lock=False)).require_active(cmd.established_on))
    await uow.teams.insert_many([(team_id, cmd.commune_id, cmd.village, cmd.established_on)])
    await uow.publish(
        CommunityTeamEstablished(
            team_id=team_id, commune_id=cmd.commune_id, village=cmd.village, established_on=cmd.established_on
        )
    )
    return team_id


async def add_member(uow: UnitOfWork, team_id: str, cmd: AddTeamMember) -> str:
    team = await load_team(uow, team_id)
    member_id = cmd.member_id or new_member_id()
    existing = await uow.teams.member(team_id, member_id)
    rules.check_join(team["established_on"], cmd.joined_on, existing is not None, member_id)
    await uow.teams.add_members([(team_id, member_id, cmd.full_name, cmd.affiliation, cmd.role, cmd.joined_on)])
    await uow.publish(
        CommunityTeamMemberJoined(
            team_id=team_id, member_id=member_id, affiliation=cmd.affiliation, role=cmd.role, joined_on=cmd.joined_on
        )
    )
    return member_id


async def remove_member(uow: UnitOfWork, team_id: str, member_id: str, cmd: RemoveTeamMember) -> None:
    await load_team(uow, team_id)
    member = await uow.teams.member(team_id, member_id)
    if member is None:
        raise NotFoundError(f"{member_id} is not a member of team {team_id}")
    rules.check_leave(member["joined_on"], member["left_on"], cmd.left_on)
    await uow.teams.leave(team_id, member_id, cmd.left_on)
    await uow.publish(CommunityTeamMemberLeft(team_id=team_id, member_id=member_id, left_on=cmd.left_on))
