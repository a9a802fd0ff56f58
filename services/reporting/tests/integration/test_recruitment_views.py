"""Recruitment and attrition figures on the real PostgreSQL, fed through the projection consumer, against
a hand-computed scenario: one department of ten officers, three leaving in 2024 (two to the private
sector), one hire through a vacancy under an incentive policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from cds_contracts import Event
from cds_contracts import recruitment as r
from cds_contracts.personnel_officers import OfficerAppointed, OfficerDeparted
from cds_contracts.personnel_org_units import OrgUnitRegistered
from reporting.domain.slices import WHOLE_PROVINCE, Slice
from reporting.service_layer import recruitment_views as rv
from reporting.service_layer.officer_views import ViewContext
from services.reporting.tests.integration.scenario import Feeder

pytestmark = pytest.mark.integration
D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def people() -> list[Event]:
    events: list[Event] = [
        OrgUnitRegistered(
            unit_id="P", name_vi="Tỉnh", kind="peoples_committee", level="province", valid_from=D(2020, 1, 1)
        ),
        OrgUnitRegistered(
            unit_id="S", name_vi="Sở", kind="state_agency", level="province", parent_id="P", valid_from=D(2020, 1, 1)
        ),
    ]
    functions: dict[int, tuple[Any, ...]] = {5: ("it_technical",), 6: ("it_technical",), 7: ("it_leader",)}
    for i in range(1, 11):
        events.append(
            OfficerAppointed(
                officer_id=f"o{i}",
                unit_id="S",
                employment_category="civil_servant",
                assignment="concurrent",
                functions=functions.get(i, ()),
                effective_date=D(2023, 1, 1),
            )
        )
    for oid, day, reason in (
        ("o4", D(2023, 10, 1), "private_sector"),
        ("o1", D(2024, 3, 15), "private_sector"),
        ("o2", D(2024, 3, 20), "retirement"),
        ("o3", D(2024, 8, 10), "private_sector"),
    ):
        events.append(OfficerDeparted(officer_id=oid, unit_id="S", effective_date=day, reason=reason))
    events.append(
        OfficerAppointed(
            officer_id="o11",
            unit_id="S",
            employment_category="civil_servant",
            assignment="dedicated",
            functions=("information_security",),
            effective_date=D(2024, 6, 1),
            application_id="A1",
        )
    )
    return events


def recruitment() -> list[Event]:
    def move(app: str, frm: str, to: str, day: dt.date, reason: str | None = None) -> Event:
        # v1 records (with the free-text reason v2 no longer carries): reporting reads them, keeps no reason.
        return r.ApplicationStageChangedV1(
            application_id=app,
            vacancy_id="V1",
            from_stage=frm,
            to_stage=to,
            changed_at=at(day),
            reason=reason,
        )

    events: list[Event] = [
        r.IncentivePolicyPublished(
            policy_id="POL1",
            name="Thu hút chuyên gia CNTT",
            document_number="15/2023/NQ-HĐND",
            document_date=D(2023, 12, 1),
            monthly_allowance_vnd=5_000_000,
            housing=True,
            training_sponsorship=True,
            eligibility="IT graduates",
            effective_from=D(2024, 1, 1),
        ),
        r.StaffingPlanSet(
            plan_id="S:2024",
            unit_id="S",
            year=2024,
            quotas=r.Quotas(it_technical=2, information_security=1, data=2, leadership=1),
        ),
        r.VacancyOpened(
            vacancy_id="V1",
            unit_id="S",
            function="information_security",
            positions=1,
            policy_ids=("POL1",),
            opened_on=D(2024, 4, 1),
        ),
        r.VacancyOpened(vacancy_id="V2", unit_id="S", function="data", positions=2, opened_on=D(2024, 10, 1)),
    ]
    for app in ("A1", "A2", "A3"):
        events.append(r.ApplicationSubmitted(application_id=app, vacancy_id="V1", applied_at=at(D(2024, 4, 5))))
    for app in ("A1", "A2"):
        events += [
            move(app, "applied", "screened", D(2024, 4, 10)),
            move(app, "screened", "interviewed", D(2024, 4, 20)),
            move(app, "interviewed", "offered", D(2024, 5, 1)),
        ]
    events += [
        move("A3", "applied", "rejected", D(2024, 4, 10), "no IT degree"),
        move("A2", "offered", "declined", D(2024, 5, 5), "private-sector offer"),
        move("A1", "offered", "accepted", D(2024, 5, 6)),
        move("A1", "accepted", "hired", D(2024, 5, 20)),
        r.CandidateHired(
            application_id="A1",
            candidate_id="UV-A1",
            vacancy_id="V1",
            unit_id="S",
            function="information_security",
            policy_ids=("POL1",),
            employment_category="civil_servant",
            assignment="dedicated",
            functions=("information_security",),
            hired_on=D(2024, 6, 1),
        ),
        r.HireOutcomeRecorded(application_id="A1", vacancy_id="V1", officer_id="o11", appointed=True),
        r.VacancyClosed(vacancy_id="V1", closed_on=D(2024, 6, 1), outcome="filled"),
        r.ExitInterviewRecorded(
            interview_id="X1",
            officer_id="o1",
            departure_date=D(2024, 3, 15),
            reasons=("pay", "private_sector_offer"),
            interviewed_on=D(2024, 3, 10),
        ),
        r.ExitInterviewRecorded(
            interview_id="X3",
            officer_id="o3",
            departure_date=D(2024, 8, 10),
            reasons=("career",),
            interviewed_on=D(2024, 8, 1),
        ),
    ]
    return events


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> ViewContext:
    for events in (people(), recruitment()):
        result = await feeder.feed(events)
        assert result.dead_lettered == 0 and result.applied == len(events)
    return ViewContext(rpool, "reporting-projections", ())


async def test_attrition_matches_the_hand_computed_scenario(ctx: ViewContext) -> None:
    body = await rv.attrition(ctx, D(2024, 12, 31), WHOLE_PROVINCE)
    assert body["window"] == {"from": "2024-01-01", "to": "2024-12-31"}
    # Month-end headcounts Jan..Dec: 9 9 7 7 7 8 8 7 7 7 7 7 -> mean 7.5; 3 departures in the window.
    assert (body["departures"], body["average_headcount"], body["attrition_rate_pct"]) == (3, 7.5, 40.0)
    assert body["private_sector_share_pct"] == 66.7
    assert body["by_unit"] == [{"unit_id": "S", "departures": 3}]
    months = {m["month"]: (m["departures"], m["by_reason"], m["hires"]) for m in body["months"]}
    assert months["2024-03"] == (2, {"private_sector": 1, "retirement": 1}, 0)
    assert months["2024-06"] == (0, {}, 1)
    assert months["2024-08"] == (1, {"private_sector": 1}, 0)
    assert len(months) == 12
    assert body["exit_interview_reasons"] == {"career": 1, "pay": 1, "private_sector_offer": 1}
    # Scoped to the province's subtree: the same figures, as everyone works in S under P.
    scoped = await rv.attrition(ctx, D(2024, 12, 31), Slice("P"))
    assert (scoped["departures"], scoped["average_headcount"], scoped["attrition_rate_pct"]) == (3, 7.5, 40.0)


async def test_funnel_offers_and_time_to_fill(ctx: ViewContext) -> None:
    body = await rv.pipeline(ctx, D(2024, 12, 31), WHOLE_PROVINCE, 2024)
    assert [(s["stage"], s["reached"], s["conversion_pct"]) for s in body["funnel"]] == [
        ("applied", 3, None),
        ("screened", 2, 66.7),
        ("interviewed", 2, 100.0),
        ("offered", 2, 100.0),
        ("accepted", 1, 50.0),
        ("hired", 1, 100.0),
    ]
    assert body["exits"] == {"declined": 1, "rejected": 1}
    assert body["offer_acceptance_pct"] == 50.0
    assert body["time_to_fill"] == {"count": 1, "mean_days": 61.0, "median_days": 61}


async def test_open_vacancies_policies_and_staffing_fill(ctx: ViewContext) -> None:
    end = await rv.vacancies(ctx, D(2024, 12, 31), WHOLE_PROVINCE)
    assert [(v["vacancy_id"], v["age_days"]) for v in end["vacancies"]] == [("V2", 91)]
    may = await rv.vacancies(ctx, D(2024, 5, 1), WHOLE_PROVINCE)
    assert [(v["vacancy_id"], v["age_days"]) for v in may["vacancies"]] == [("V1", 30)]
    (policy,) = (await rv.policies(ctx, D(2024, 12, 31), WHOLE_PROVINCE))["policies"]
    assert (policy["policy_id"], policy["hires"], policy["appointed"]) == ("POL1", 1, 1)
    (unit,) = (await rv.staffing_fill(ctx, D(2024, 12, 31), WHOLE_PROVINCE, 2024))["units"]
    assert {f: (p["quota"], p["filled"]) for f, p in unit["positions"].items()} == {
        "it_technical": (2, 2),
        "information_security": (1, 1),
        "data": (2, 0),
        "leadership": (1, 1),
    }
    assert unit["fill_rate_pct"] == 66.7
