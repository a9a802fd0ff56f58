"""Response model of the incident-response readiness view, so /openapi.json documents it. It describes
the body the service layer builds, never reshapes it (timestamps stay strings)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from reporting.entrypoints.http.models.common import Frozen, Timestamp
from reporting.entrypoints.http.models.training import Header


class CoverageGap(Frozen):
    from_: Timestamp = Field(alias="from", description="Start of an uncovered interval (province time).")
    to: Timestamp = Field(description="Its end (province time).")


class OnCallCoverage(Frozen):
    from_: Timestamp = Field(alias="from", description="Start of the 30-day window.")
    to: Timestamp = Field(description="End of the window.")
    coverage_pct: float = Field(description="Share of the window covered by shifts of active primaries, percent.")
    gaps: list[CoverageGap] = Field(description="Maximal uncovered intervals, in order.")


class IncidentStats(Frozen):
    incidents: int = Field(description="Incidents reported in the 90 days before the window.")
    open: int = Field(description="Of those, not resolved.")
    mean_time_to_acknowledge_minutes: float | None = Field(
        description="Mean time to acknowledge (an unacknowledged one counts its wait so far); null without any."
    )
    mean_time_to_resolve_hours: float | None = Field(description="Mean time to resolve the resolved ones.")


class ScoreParts(Frozen):
    certified: float = Field(description="Share of members holding a valid security certificate (weight 0.25).")
    coverage: float = Field(description="On-call coverage of the next 30 days (weight 0.25).")
    drill_recency: float = Field(description="1 up to 180 days since the last drill, 0 at 365 (weight 0.20).")
    staffing: float = Field(description="Share of: a lead, a network admin, at least 3 members (weight 0.15).")
    responsiveness: float = Field(description="1 up to 15 min mean time to acknowledge, 0 at 4 h (weight 0.15).")


class TeamReadiness(Frozen):
    team_id: str = Field(description="Team identifier.")
    name: str = Field(description="Team name.")
    scope: str = Field(description="provincial or unit.")
    unit_id: str = Field(description="Unit the team belongs to (its current one).")
    members: int = Field(description="Active members on as_of.")
    members_by_role: dict[str, int] = Field(description="Active members per role.")
    member_ids: list[str] = Field(description="Active members' officer ids, sorted.")
    certified_members: int = Field(description="Members holding a valid security certificate on as_of.")
    certified_share_pct: float | None = Field(description="certified_members / members in percent.")
    last_drill_on: dt.date | None = Field(description="Day of the last drill a member took part in, up to as_of.")
    days_since_last_drill: int | None = Field(description="Days from that drill to as_of.")
    coverage_next_30_days: OnCallCoverage = Field(description="On-call coverage from as_of's midnight.")
    incidents_90_days: IncidentStats = Field(description="Incidents of the 90 days before the window.")
    score_parts: ScoreParts = Field(description="The score's parts, each between 0 and 1.")
    readiness_score: float = Field(description="100 x the weighted sum of the parts.")


class ReadinessResponse(Header):
    teams: list[TeamReadiness] = Field(description="Teams of the slice's units formed by as_of, by team_id.")
