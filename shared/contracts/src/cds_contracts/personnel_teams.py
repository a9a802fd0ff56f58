"""Events published by personnel about community technology teams (tổ Công nghệ cộng đồng).

Members are identified by an id only: their names stay inside personnel.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Event
from .bounds import Day, Id, Line
from .registry import REGISTRY
from .topics import PERSONNEL_COMMUNITY_TEAM

Affiliation = Literal[
    "youth_union", "womens_union", "farmers_association", "veterans", "police", "teachers", "health_workers", "other"
]
"""Đoàn Thanh niên, Hội Phụ nữ, Hội Nông dân, Cựu chiến binh, Công an, giáo viên, y tế, khác."""


@REGISTRY.register("vn.cds.personnel.community_team.established", 1, PERSONNEL_COMMUNITY_TEAM, key="team_id")
class CommunityTeamEstablished(Event):
    """A community technology team was set up in a commune (optionally for one village)."""

    team_id: Id = Field(description="Stable id of the team.")
    commune_id: Id = Field(description="Code of the commune-level unit the team serves.")
    village: Line | None = Field(default=None, description="Village (thôn/xóm/tổ dân phố), if the team serves one.")
    established_on: Day = Field(description="Date the team was established.")


@REGISTRY.register("vn.cds.personnel.community_team.moved", 1, PERSONNEL_COMMUNITY_TEAM, key="team_id")
class CommunityTeamMoved(Event):
    """A team now serves another commune, usually because its commune was merged or split."""

    team_id: Id = Field(description="Stable id of the team.")
    commune_id: Id = Field(description="Code of the commune served from `effective_date`.")
    effective_date: Day = Field(description="First day in the new commune.")


@REGISTRY.register("vn.cds.personnel.community_team.member_joined", 1, PERSONNEL_COMMUNITY_TEAM, key="team_id")
class CommunityTeamMemberJoined(Event):
    """A person joined a team."""

    team_id: Id = Field(description="Stable id of the team.")
    member_id: Id = Field(description="Stable id of the membership's person.")
    affiliation: Affiliation = Field(description="Organisation the member comes from.")
    role: Literal["leader", "member"] = Field(description="Tổ trưởng (leader) or thành viên (member).")
    joined_on: Day = Field(description="Date the member joined.")


@REGISTRY.register("vn.cds.personnel.community_team.member_left", 1, PERSONNEL_COMMUNITY_TEAM, key="team_id")
class CommunityTeamMemberLeft(Event):
    """A member left a team; they no longer count from `left_on`."""

    team_id: Id = Field(description="Stable id of the team.")
    member_id: Id = Field(description="Stable id of the membership's person.")
    left_on: Day = Field(description="Date the member left.")
