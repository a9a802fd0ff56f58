"""Projection of community-team events into team_periods and team_memberships."""

from __future__ import annotations

from cds_contracts.personnel_teams import (
    CommunityTeamEstablished,
    CommunityTeamMemberJoined,
    CommunityTeamMemberLeft,
    CommunityTeamMoved,
)
from cds_plumbing.db import Connection

from . import periods


async def established(conn: Connection, e: CommunityTeamEstablished) -> None:
    values = {"commune_id": e.commune_id, "village": e.village}
    await periods.change(conn, "team_periods", {"team_id": e.team_id}, e.established_on, values, may_open=True)


async def moved(conn: Connection, e: CommunityTeamMoved) -> None:
    values = {"commune_id": e.commune_id}
    await periods.change(conn, "team_periods", {"team_id": e.team_id}, e.effective_date, values, may_open=False)


async def member_joined(conn: Connection, e: CommunityTeamMemberJoined) -> None:
    key = {"team_id": e.team_id, "member_id": e.member_id}
    values = {"affiliation": e.affiliation, "role": e.role}
    await periods.change(conn, "team_memberships", key, e.joined_on, values, may_open=True)


async def member_left(conn: Connection, e: CommunityTeamMemberLeft) -> None:
    await periods.close(conn, "team_memberships", {"team_id": e.team_id, "member_id": e.member_id}, e.left_on)
