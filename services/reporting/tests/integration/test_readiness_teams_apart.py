"""Readiness of several teams read at once (three set-based statements for all of them): each team gets
its own members, drills, shifts and incidents and nobody else's, with the day boundaries of the rules
(a member counts from joined_on to the day before left_on; a drill on as_of counts; incidents in the 90
days up to and including the window's start)."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from cds_contracts import Event
from cds_contracts import personnel_response_teams as rt
from cds_contracts import training as t
from cds_plumbing.clock import day_start
from reporting.domain.slices import WHOLE_PROVINCE
from reporting.service_layer import readiness_views as rv
from reporting.service_layer.officer_views import ViewContext
from services.reporting.tests.integration.scenario import Feeder

pytestmark = pytest.mark.integration
D = dt.date
AS_OF = D(2024, 12, 1)
START = day_start(AS_OF)


def at(day: int) -> dt.datetime:
    return day_start(D(2024, 12, day))


def formed(team: str, on: dt.date) -> Event:
    return rt.ResponseTeamFormed(team_id=team, name=f"Đội {team}", scope="unit", unit_id="P", formed_on=on)


def join(team: str, officer: str, role: str, on: dt.date) -> Event:
    return rt.ResponseTeamMemberJoined(team_id=team, officer_id=officer, role=role, joined_on=on)


def shift(team: str, sid: str, officer: str, start: dt.datetime, end: dt.datetime) -> Event:
    return rt.OnCallShiftScheduled(team_id=team, shift_id=sid, starts_at=start, ends_at=end, primary_officer_id=officer)


def reported(team: str, iid: str, at_: dt.datetime) -> Event:
    return rt.IncidentReported(
        team_id=team, incident_id=iid, reported_at=at_, severity="low", affected_unit_id="P", summary="scan"
    )


def world() -> list[Event]:
    return [
        formed("T1", D(2024, 1, 1)),
        join("T1", "a1", "lead", D(2024, 1, 10)),
        join("T1", "a2", "analyst", AS_OF),  # joins on as_of: counts
        join("T1", "a3", "analyst", D(2024, 1, 10)),
        rt.ResponseTeamMemberLeft(team_id="T1", officer_id="a3", left_on=AS_OF, reason="left"),  # gone on as_of
        shift("T1", "S1", "a1", at(1), at(16)),
        reported("T1", "I0", START - dt.timedelta(days=90)),  # just outside the 90 days
        reported("T1", "I1", START),  # at the window's start: inside
        rt.IncidentAcknowledged(
            team_id="T1", incident_id="I1", acknowledged_at=START + dt.timedelta(hours=1), responder_ids=("a1",)
        ),
        formed("T2", D(2024, 2, 1)),
        join("T2", "b1", "network_admin", D(2024, 2, 1)),
        shift("T2", "S2", "b1", at(16), at(31)),
        shift("T2", "S3", "a1", at(1), at(16)),  # a1 is not T2's member: covers nothing for T2
        formed("T3", D(2024, 12, 2)),  # formed after as_of: not listed
        join("T3", "a1", "lead", D(2024, 12, 2)),
        formed("T4", D(2024, 6, 1)),  # no members at all
    ]


def training() -> list[Event]:
    def drill(did: str, on: dt.date, officers: tuple[str, ...]) -> Event:
        return t.DrillConducted(
            drill_id=did,
            title="Diễn tập",
            scenario="ransomware",
            format="live_fire",
            held_on=on,
            plan_year=2024,
            unit_ids=("P",),
            officer_ids=officers,
        )

    return [
        t.CertificateIssued(
            class_id="K",
            certificate_id="C1",
            officer_id="a2",
            programme_id="PG",
            programme_kind="infosec_sysadmin",
            name="ATTT",
            issued_on=D(2024, 1, 5),
            expires_on=D(2026, 1, 1),
        ),
        drill("DR1", AS_OF, ("b1",)),  # on as_of: counts for T2
        drill("DR2", D(2024, 11, 1), ("a3",)),  # a3 has left T1: no drill for T1
        drill("DR3", D(2024, 12, 2), ("a1",)),  # after as_of: counts for nobody
    ]


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> ViewContext:
    for events in (world(), training()):
        assert (await feeder.feed(events)).dead_lettered == 0
    return ViewContext(rpool, "reporting-projections", ())


async def test_each_team_counts_its_own_members_drills_shifts_and_incidents(ctx: ViewContext) -> None:
    teams = {v["team_id"]: v for v in (await rv.readiness(ctx, AS_OF, WHOLE_PROVINCE))["teams"]}
    assert list(teams) == ["T1", "T2", "T4"]
    t1, t2, t4 = teams["T1"], teams["T2"], teams["T4"]

    assert (t1["member_ids"], t1["members_by_role"]) == (["a1", "a2"], {"lead": 1, "analyst": 1})
    assert (t1["certified_members"], t1["certified_share_pct"]) == (1, 50.0)
    assert (t1["last_drill_on"], t1["days_since_last_drill"]) == (None, None)
    assert t1["coverage_next_30_days"]["coverage_pct"] == 50.0
    assert t1["coverage_next_30_days"]["gaps"] == [{"from": at(16).isoformat(), "to": at(31).isoformat()}]
    assert t1["incidents_90_days"] == {
        "incidents": 1,
        "open": 1,
        "mean_time_to_acknowledge_minutes": 60.0,
        "mean_time_to_resolve_hours": None,
    }

    assert (t2["member_ids"], t2["certified_members"], t2["certified_share_pct"]) == (["b1"], 0, 0.0)
    assert (t2["last_drill_on"], t2["days_since_last_drill"]) == ("2024-12-01", 0)
    assert t2["coverage_next_30_days"]["gaps"] == [{"from": at(1).isoformat(), "to": at(16).isoformat()}]
    assert t2["incidents_90_days"]["incidents"] == 0 and t2["incidents_90_days"]["open"] == 0

    assert (t4["members"], t4["member_ids"], t4["certified_share_pct"]) == (0, [], None)
    assert (t4["last_drill_on"], t4["coverage_next_30_days"]["coverage_pct"]) == (None, 0.0)
    assert t4["incidents_90_days"]["mean_time_to_acknowledge_minutes"] is None
