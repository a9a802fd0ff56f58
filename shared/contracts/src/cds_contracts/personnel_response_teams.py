"""Events published by personnel about incident-response teams (đội ứng cứu sự cố an toàn thông tin mạng).

Personnel owns the teams because membership and on-call duty are staffing; drills and certificates stay
in training. All events of one team share its key, so a team's roster, rotation and incidents stay in
order. A member who departs the public service leaves every team in the same transaction
(ResponseTeamMemberLeft with reason `departed`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Event
from .bounds import Day, Id, Line, Many, Moment, Text
from .registry import REGISTRY
from .topics import PERSONNEL_RESPONSE_TEAM

TeamRole = Literal["lead", "coordinator", "analyst", "network_admin", "liaison"]
Severity = Literal["low", "medium", "high", "critical"]


@REGISTRY.register("vn.cds.personnel.response_team.formed", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamFormed(Event):
    """An incident-response team was formed: the provincial team or a unit's own."""

    team_id: Id = Field(description="Stable id of the team.")
    name: Line = Field(description="Name of the team.")
    scope: Literal["provincial", "unit"] = Field(description="The provincial team, or a unit-level team.")
    unit_id: Id = Field(description="Unit the team belongs to.")
    formed_on: Day = Field(description="Day it was formed.")


@REGISTRY.register("vn.cds.personnel.response_team.moved", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamMoved(Event):
    """A team now belongs to another unit, because a reorganisation carried it to the unit's successor."""

    team_id: Id = Field(description="Stable id of the team.")
    unit_id: Id = Field(description="Unit the team belongs to from `effective_date`.")
    effective_date: Day = Field(description="First day under the new unit.")


@REGISTRY.register("vn.cds.personnel.response_team.member_joined", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamMemberJoined(Event):
    """An officer joined a team in a role."""

    team_id: Id = Field(description="Stable id of the team.")
    officer_id: Id = Field(description="Personnel's officer id.")
    role: TeamRole = Field(description="Lead, coordinator, analyst, network/system administrator or liaison.")
    joined_on: Day = Field(description="Day they joined.")


@REGISTRY.register("vn.cds.personnel.response_team.member_left", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class ResponseTeamMemberLeft(Event):
    """An officer left a team; `departed` when they left the public service."""

    team_id: Id = Field(description="Stable id of the team.")
    officer_id: Id = Field(description="Personnel's officer id.")
    left_on: Day = Field(description="Day they no longer count.")
    reason: Literal["left", "departed"] = Field(description="Left the team, or departed the public service.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_scheduled", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftScheduled(Event):
    """An on-call shift with a primary and an optional backup."""

    team_id: Id = Field(description="Stable id of the team.")
    shift_id: Id = Field(description="Stable id of the shift.")
    starts_at: Moment = Field(description="Start of the shift.")
    ends_at: Moment = Field(description="End of the shift (exclusive).")
    primary_officer_id: Id = Field(description="Officer on call.")
    backup_officer_id: Id | None = Field(default=None, description="Backup officer, if any.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_reassigned", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftReassigned(Event):
    """A shift's primary or backup changed: an override by the lead, or a swap between members."""

    team_id: Id = Field(description="Stable id of the team.")
    shift_id: Id = Field(description="Stable id of the shift.")
    primary_officer_id: Id = Field(description="Officer on call from now on.")
    backup_officer_id: Id | None = Field(default=None, description="Backup from now on, if any.")
    kind: Literal["override", "swap"] = Field(description="Override or swap.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_cancelled", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftCancelledV1(Event):
    """Version 1 (read only): carried the reason as free text, often about the officer on call."""

    team_id: Id = Field(description="Stable id of the team.")
    shift_id: Id = Field(description="Stable id of the shift.")
    reason: Text = Field(description="Why.")


@REGISTRY.register("vn.cds.personnel.response_team.shift_cancelled", 2, PERSONNEL_RESPONSE_TEAM, key="team_id")
class OnCallShiftCancelled(Event):
    """A shift was cancelled; its time is no longer covered (the reason stays in personnel)."""

    team_id: Id = Field(description="Stable id of the team.")
    shift_id: Id = Field(description="Stable id of the shift.")


@REGISTRY.register("vn.cds.personnel.response_team.incident_reported", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class IncidentReported(Event):
    """A security incident was reported to a team."""

    team_id: Id = Field(description="Team handling it.")
    incident_id: Id = Field(description="Stable id of the incident.")
    reported_at: Moment = Field(description="When it was reported.")
    severity: Severity = Field(description="Low, medium, high or critical.")
    affected_unit_id: Id = Field(description="Unit affected.")
    summary: Text = Field(description="What happened, briefly.")


@REGISTRY.register("vn.cds.personnel.response_team.incident_acknowledged", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class IncidentAcknowledged(Event):
    """The team acknowledged an incident and named its responders."""

    team_id: Id = Field(description="Team handling it.")
    incident_id: Id = Field(description="Stable id of the incident.")
    acknowledged_at: Moment = Field(description="When it was acknowledged.")
    responder_ids: Annotated[Many[Id], Field(min_length=1)] = Field(description="Officers responding.")


@REGISTRY.register("vn.cds.personnel.response_team.incident_resolved", 1, PERSONNEL_RESPONSE_TEAM, key="team_id")
class IncidentResolved(Event):
    """An incident was resolved and classified."""

    team_id: Id = Field(description="Team handling it.")
    incident_id: Id = Field(description="Stable id of the incident.")
    resolved_at: Moment = Field(description="When it was resolved.")
    outcome: Literal["true_positive", "false_positive", "other"] = Field(description="Classification.")
