"""Events published by personnel about incident-response teams (đội ứng cứu sự cố an toàn thông tin mạng).

Personnel owns the teams because membership and on-call duty are staffing; drills and certificates stay
in training. All events of one team share its key, so a team's roster, rotation and incidents stay in
order. A member who departs the public service leaves every team in the same transaction
(ResponseTeamMemberLeft with reason `departed`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, Field

from .base import Event
from .registry import REGISTRY
from .topics import PERSONNEL_RESPONSE_TEAM

TeamRole = Literal["lead", "coordinator", "analyst", "network_admin", "liaison"]
Severity = Literal["low", "medium", "high", "critical"]


@REGISTRY.register("vn.cds.personnel.response_team.formed", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamFormed(Event):
    """An incident-response team was formed: the provincial team or a unit's own."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    name: str = Field(description="Name of the team.", min_length=1)
    scope: Literal["provincial", "unit"] = Field(description="The provincial team, or a unit-level team.")
    unit_id: str = Field(description="Unit the team belongs to.", min_length=1)
    formed_on: dt.date = Field(description="Day it was formed.")


@REGISTRY.register("vn.cds.personnel.response_team.moved", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamMoved(Event):
    """A team now belongs to another unit, because a reorganisation carried it to the unit's successor."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    unit_id: str = Field(description="Unit the team belongs to from `effective_date`.", min_length=1)
    effective_date: dt.date = Field(description="First day under the new unit.")


@REGISTRY.register("vn.cds.personnel.response_team.member_joined", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamMemberJoined(Event):
    """An officer joined a team in a role."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    officer_id: str = Field(description="Personnel's officer id.", min_length=1)
    role: TeamRole = Field(description="Lead, coordinator, analyst, network/system administrator or liaison.")
    joined_on: dt.date = Field(description="Day they joined.")


@REGISTRY.register("vn.cds.personnel.response_team.member_left", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamMemberLeft(Event):
    """An officer left a team; `departed` when they left the public service."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    officer_id: str = Field(description="Personnel's officer id.", min_length=1)
    left_on: dt.date = Field(description="Day they no longer count.")
    reason: Literal["left", "departed"] = Field(description="Left the team, or departed the public service.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_scheduled", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftScheduled(Event):
    """An on-call shift with a primary and an optional backup."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    shift_id: str = Field(description="Stable id of the shift.", min_length=1)
    starts_at: AwareDatetime = Field(description="Start of the shift.")
    ends_at: AwareDatetime = Field(description="End of the shift (exclusive).")
    primary_officer_id: str = Field(description="Officer on call.", min_length=1)
    backup_officer_id: str | None = Field(default=None, description="Backup officer, if any.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_reassigned", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftReassigned(Event):
    """A shift's primary or backup changed: an override by the lead, or a swap between members."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    shift_id: str = Field(description="Stable id of the shift.", min_length=1)
    primary_officer_id: str = Field(description="Officer on call from now on.", min_length=1)
    backup_officer_id: str | None = Field(default=None, description="Backup from now on, if any.")
    kind: Literal["override", "swap"] = Field(description="Override or swap.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_cancelled", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftCancelledV1(Event):
    """Version 1 (read only): carried the reason as free text, often about the officer on call."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    shift_id: str = Field(description="Stable id of the shift.", min_length=1)
    reason: str = Field(description="Why.", min_length=1)


@REGISTRY.register("vn.cds.personnel.response_team.shift_cancelled", 2, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftCancelled(Event):
    """A shift was cancelled; its time is no longer covered (the reason stays in personnel)."""

    team_id: str = Field(description="Stable id of the team.", min_length=1)
    shift_id: str = Field(description="Stable id of the shift.", min_length=1)


@REGISTRY.register("vn.cds.personnel.response_team.incident_reported", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class IncidentReported(Event):
    """A security incident was reported to a team."""

    team_id: str = Field(description="Team handling it.", min_length=1)
    incident_id: str = Field(description="Stable id of the incident.", min_length=1)
    reported_at: AwareDatetime = Field(description="When it was reported.")
    severity: Severity = Field(description="Low, medium, high or critical.")
    affected_unit_id: str = Field(description="Unit affected.", min_length=1)
    summary: str = Field(description="What happened, briefly.", min_length=1)


@REGISTRY.register("vn.cds.personnel.response_team.incident_acknowledged", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class IncidentAcknowledged(Event):
    """The team acknowledged an incident and named its responders."""

    team_id: str = Field(description="Team handling it.", min_length=1)
    incident_id: str = Field(description="Stable id of the incident.", min_length=1)
    acknowledged_at: AwareDatetime = Field(description="When it was acknowledged.")
    responder_ids: tuple[str, ...] = Field(description="Officers responding.", min_length=1)


@REGISTRY.register("vn.cds.personnel.response_team.incident_resolved", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class IncidentResolved(Event):
    """An incident was resolved and classified."""

    team_id: str = Field(description="Team handling it.", min_length=1)
    incident_id: str = Field(description="Stable id of the incident.", min_length=1)
    resolved_at: AwareDatetime = Field(description="When it was resolved.")
    outcome: Literal["true_positive", "false_positive", "other"] = Field(description="Classification.")
