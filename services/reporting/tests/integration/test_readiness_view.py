"""Incident-response readiness on the real PostgreSQL, fed through the projection consumer, against a
hand-computed team on 2024-12-01 (see domain/readiness.py for the score)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from cds_contracts import Event
from cds_contracts import personnel_response_teams as rt
from cds_contracts import training as t
from reporting.domain.slices import WHOLE_PROVINCE
from reporting.service_layer import readiness_views as rv
from reporting.service_layer.officer_views import ViewContext
from services.reporting.tests.integration.scenario import Feeder

pytestmark = pytest.mark.integration
D = dt.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = D(2024, 12, 1)


def at(day: int, month: int = 12, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=VN)


def certificate(cid: str, officer: str, kind: str, expires: dt.date) -> t.CertificateIssued:
    return t.CertificateIssued(
        class_id="K",
        certificate_id=cid,
        officer_id=officer,
        programme_id="PG",
        programme_kind=kind,
        name="ATTT",
        issued_on=D(2024, 1, 5),
        expires_on=expires,
    )


def team() -> list[Event]:
    def join(officer: str, role: str) -> Event:
        return rt.ResponseTeamMemberJoined(team_id="T1", officer_id=officer, role=role, joined_on=D(2024, 1, 10))

    def shift(sid: str, officer: str, start: dt.datetime, end: dt.datetime) -> Event:
        return rt.OnCallShiftScheduled(
            team_id="T1", shift_id=sid, starts_at=start, ends_at=end, primary_officer_id=officer
        )

    return [
        rt.ResponseTeamFormed(
            team_id="T1", name="Đội ứng cứu sự cố tỉnh", scope="provincial", unit_id="P", formed_on=D(2024, 1, 1)
        ),
        join("o1", "lead"),
        join("o2", "network_admin"),
        join("o3", "analyst"),
        join("o4", "analyst"),
        rt.ResponseTeamMemberLeft(team_id="T1", officer_id="o3", left_on=D(2024, 11, 1), reason="departed"),
        shift("S1", "o1", at(1), at(11)),
        shift("S2", "o3", at(11), at(16)),
        shift("S3", "o2", at(16), at(31)),
        shift("S4", "o4", at(20), at(22)),
        rt.OnCallShiftCancelled(team_id="T1", shift_id="S4", reason="holiday"),
        rt.IncidentReported(
            team_id="T1",
            incident_id="I1",
            reported_at=at(1, 10, 8),
            severity="high",
            affected_unit_id="P",
            summary="phishing",
        ),
        rt.IncidentAcknowledged(
            team_id="T1", incident_id="I1", acknowledged_at=at(1, 10, 8, 30), responder_ids=("o1",)
        ),
        rt.IncidentResolved(team_id="T1", incident_id="I1", resolved_at=at(1, 10, 12), outcome="true_positive"),
        rt.IncidentReported(
            team_id="T1",
            incident_id="I2",
            reported_at=at(10, 11, 10),
            severity="low",
            affected_unit_id="P",
            summary="port scan",
        ),
        rt.IncidentAcknowledged(
            team_id="T1", incident_id="I2", acknowledged_at=at(10, 11, 10, 10), responder_ids=("o2",)
        ),
    ]


def training() -> list[Event]:
    return [
        certificate("C1", "o1", "infosec_sysadmin", D(2026, 1, 1)),
        certificate("C2", "o2", "cyber_drill", D(2024, 6, 1)),  # expired by 2024-12-01
        t.DrillConducted(
            drill_id="DR1",
            title="Diễn tập",
            scenario="ransomware",
            format="live_fire",
            held_on=D(2024, 9, 1),
            plan_year=2024,
            unit_ids=("P",),
            officer_ids=("o2", "o9"),
        ),
    ]


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> ViewContext:
    for events in (team(), training()):
        assert (await feeder.feed(events)).dead_lettered == 0
    return ViewContext(rpool, "reporting-projections", ())


async def test_readiness_of_a_team_by_hand(ctx: ViewContext, feeder: Feeder) -> None:
    (team_view,) = (await rv.readiness(ctx, AS_OF, WHOLE_PROVINCE))["teams"]
    assert team_view["members_by_role"] == {"lead": 1, "network_admin": 1, "analyst": 1}  # o3 departed
    assert (team_view["certified_members"], team_view["certified_share_pct"]) == (1, 33.3)
    assert (team_view["last_drill_on"], team_view["days_since_last_drill"]) == ("2024-09-01", 91)
    coverage = team_view["coverage_next_30_days"]
    # S1 covers 10 days, S2's primary left the team so it covers nothing, S3 covers 15 days, S4 is cancelled.
    assert coverage["coverage_pct"] == 83.3
    assert coverage["gaps"] == [{"from": at(11).isoformat(), "to": at(16).isoformat()}]
    assert team_view["incidents_90_days"] == {
        "incidents": 2,
        "open": 1,
        "mean_time_to_acknowledge_minutes": 20.0,
        "mean_time_to_resolve_hours": 4.0,
    }
    # 100 x (0.25 x 1/3 + 0.25 x 25/30 + 0.20 x 1 + 0.15 x 1 + 0.15 x 220/225)
    assert team_view["readiness_score"] == 78.8

    # A certificate for o4 and a cancelled drill-free future: the certified part moves by a third.
    await feeder.feed([certificate("C4", "o4", "infosec_sysadmin", D(2025, 12, 31))])
    (moved,) = (await rv.readiness(ctx, AS_OF, WHOLE_PROVINCE))["teams"]
    assert moved["certified_members"] == 2 and moved["readiness_score"] == 87.2
    # A year later the drill is 456 days old and counts for nothing any more.
    (later,) = (await rv.readiness(ctx, D(2025, 12, 1), WHOLE_PROVINCE))["teams"]
    assert later["days_since_last_drill"] == 456 and later["score_parts"]["drill_recency"] == 0.0


async def test_rejoined_primaries_cover_again_and_unacknowledged_incidents_count(
    ctx: ViewContext, feeder: Feeder
) -> None:
    await feeder.feed(
        [
            rt.ResponseTeamMemberJoined(team_id="T1", officer_id="o3", role="analyst", joined_on=D(2024, 12, 5)),
            rt.IncidentReported(
                team_id="T1",
                incident_id="I3",
                reported_at=at(30, 11, 12),
                severity="medium",
                affected_unit_id="P",
                summary="malware",
            ),
        ]
    )
    (team_view,) = (await rv.readiness(ctx, AS_OF, WHOLE_PROVINCE))["teams"]
    # o3 is back from 12-05, so S2 (12-11 to 12-16) covers again; the window is fully covered.
    assert team_view["coverage_next_30_days"]["gaps"] == []
    # I3 has waited 12 hours by the window's start: (30 + 10 + 720) / 3 minutes, beyond the 4-hour floor.
    assert team_view["incidents_90_days"]["mean_time_to_acknowledge_minutes"] == round(760 / 3, 1)
    assert team_view["score_parts"]["responsiveness"] == 0.0


async def test_a_team_carried_by_a_reorganisation_belongs_to_the_successor(ctx: ViewContext, feeder: Feeder) -> None:
    await feeder.feed([rt.ResponseTeamMoved(team_id="T1", unit_id="PT", effective_date=D(2025, 7, 1))])
    (team_view,) = (await rv.readiness(ctx, AS_OF, WHOLE_PROVINCE))["teams"]
    assert team_view["unit_id"] == "PT"
