"""The recruitment and attrition views sliced by unit subtree, sector and level, over HTTP (the real router,
in-process) on the real PostgreSQL, before and after the 2025-07-01 reorganisation (world: sliced_world.py).

Recruitment: V1 (C1, IT technical, POL1, opened 2024-03-01) gets A1 and A2; A2 is rejected, A1 hired
(a7, appointed in C1 from 2024-05-01, moved to C12 on 2025-07-01); V1 closes filled on 2024-05-01 (61
days). V2 (P.SKHCN, information security, 2024-10-01) and V3 (C2, data, 2025-05-01) stay open. Staffing
plans 2024: C1 two IT technical; P.SKHCN two information security, one data, one leader."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from cds_contracts import Event
from cds_contracts import recruitment as r
from cds_contracts.personnel_officers import OfficerTransferred
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.sliced_world import REORG, client, get, officer, tree

pytestmark = pytest.mark.integration
D = dt.date
END_2024, END_2025 = D(2024, 12, 31), D(2025, 12, 31)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def recruitment() -> list[Event]:
    def stage(app: str, frm: str, to: str, day: dt.date) -> Event:
        return r.ApplicationStageChanged(
            application_id=app, vacancy_id="V1", from_stage=frm, to_stage=to, changed_at=at(day)
        )

    def vacancy(vid: str, uid: str, function: str, opened: dt.date, policies: tuple[str, ...] = ()) -> Event:
        return r.VacancyOpened(
            vacancy_id=vid, unit_id=uid, function=function, positions=1, policy_ids=policies, opened_on=opened
        )

    def plan(uid: str, **quotas: int) -> Event:
        q = {"it_technical": 0, "information_security": 0, "data": 0, "leadership": 0, **quotas}
        return r.StaffingPlanSet(plan_id=f"{uid}:2024", unit_id=uid, year=2024, quotas=r.Quotas(**q))

    return [
        r.IncentivePolicyPublished(
            policy_id="POL1",
            name="Thu hút",
            document_number="15/2023/NQ-HĐND",
            document_date=D(2023, 12, 1),
            monthly_allowance_vnd=5_000_000,
            housing=False,
            training_sponsorship=True,
            eligibility="IT graduates",
            effective_from=D(2024, 1, 1),
        ),
        plan("C1", it_technical=2),
        plan("P.SKHCN", information_security=2, data=1, leadership=1),
        vacancy("V1", "C1", "it_technical", D(2024, 3, 1), ("POL1",)),
        vacancy("V2", "P.SKHCN", "information_security", D(2024, 10, 1)),
        vacancy("V3", "C2", "data", D(2025, 5, 1)),
        r.ApplicationSubmitted(application_id="A1", vacancy_id="V1", applied_at=at(D(2024, 3, 5))),
        r.ApplicationSubmitted(application_id="A2", vacancy_id="V1", applied_at=at(D(2024, 3, 5))),
        stage("A2", "applied", "rejected", D(2024, 3, 10)),
        stage("A1", "applied", "screened", D(2024, 3, 10)),
        stage("A1", "screened", "interviewed", D(2024, 3, 20)),
        stage("A1", "interviewed", "offered", D(2024, 4, 1)),
        stage("A1", "offered", "accepted", D(2024, 4, 5)),
        stage("A1", "accepted", "hired", D(2024, 4, 20)),
        r.CandidateHiredV1(  # a v1 record: reporting reads it, stores no name
            application_id="A1",
            vacancy_id="V1",
            unit_id="C1",
            function="it_technical",
            policy_ids=("POL1",),
            full_name="a7",
            employment_category="civil_servant",
            assignment="concurrent",
            functions=("it_technical",),
            hired_on=D(2024, 5, 1),
        ),
        officer("a7", "C1", ("it_technical",), D(2024, 5, 1), application_id="A1"),
        r.HireOutcomeRecorded(application_id="A1", vacancy_id="V1", officer_id="a7", appointed=True),
        r.VacancyClosed(vacancy_id="V1", closed_on=D(2024, 5, 1), outcome="filled"),
        OfficerTransferred(
            officer_id="a7", from_unit_id="C1", to_unit_id="C12", effective_date=REORG, reason="reorganisation"
        ),
        r.ExitInterviewRecorded(
            interview_id="X5",
            officer_id="a5",
            departure_date=D(2025, 3, 10),
            reasons=("pay", "private_sector_offer"),
            interviewed_on=D(2025, 3, 1),
        ),
    ]


@pytest.fixture
async def c(rpool: asyncpg.Pool, feeder: Feeder) -> AsyncIterator[httpx.AsyncClient]:
    for events in (tree(), recruitment()):
        assert (await feeder.feed(events)).applied == len(events)
    async with client(rpool) as http:
        yield http


async def test_open_vacancies_by_the_vacancys_unit(c: httpx.AsyncClient) -> None:
    async def open_(as_of: dt.date, **params: object) -> list[tuple[str, int]]:
        body = await get(c, "recruitment/vacancies", as_of, **params)
        assert body["open"] == len(body["vacancies"])
        return [(v["vacancy_id"], v["age_days"]) for v in body["vacancies"]]

    assert await open_(D(2024, 4, 15)) == [("V1", 45)]
    assert await open_(D(2024, 4, 15), level="commune") == [("V1", 45)]
    assert await open_(D(2024, 4, 15), sector="state_agency") == []
    assert await open_(END_2024) == [("V2", 91)]
    assert await open_(END_2025) == [("V2", 456), ("V3", 244)]
    assert await open_(END_2025, unit_id="C12") == [("V3", 244)]  # C2's vacancy, carried by the merger
    assert await open_(END_2025, level="province") == [("V2", 456)]


async def test_funnel_and_time_to_fill_by_the_vacancys_unit(c: httpx.AsyncClient) -> None:
    async def funnel(as_of: dt.date, **params: object) -> tuple[list[int], dict[str, int], int]:
        body = await get(c, "recruitment/pipeline", as_of, year=2024, **params)
        return [s["reached"] for s in body["funnel"]], body["exits"], body["time_to_fill"]["count"]

    assert await funnel(END_2024) == ([2, 1, 1, 1, 1, 1], {"declined": 0, "rejected": 1}, 1)
    body = await get(c, "recruitment/pipeline", END_2024, year=2024, level="commune")
    assert body["time_to_fill"] == {"count": 1, "mean_days": 61.0, "median_days": 61}
    assert body["offer_acceptance_pct"] == 100.0 and body["slice"]["levels"] == ["commune"]
    # By 2024-03-31 A1 had been interviewed, not offered; nothing was filled yet.
    assert await funnel(D(2024, 3, 31)) == ([2, 1, 1, 0, 0, 0], {"declined": 0, "rejected": 1}, 0)
    assert await funnel(END_2024, sector="state_agency") == ([0] * 6, {"declined": 0, "rejected": 0}, 0)
    assert await funnel(END_2025, unit_id="C12") == ([2, 1, 1, 1, 1, 1], {"declined": 0, "rejected": 1}, 1)


async def test_hires_per_policy_up_to_the_day(c: httpx.AsyncClient) -> None:
    async def pol1(as_of: dt.date, **params: object) -> tuple[int, int]:
        (policy,) = (await get(c, "recruitment/policies", as_of, **params))["policies"]
        return policy["hires"], policy["appointed"]

    assert await pol1(D(2024, 4, 30)) == (0, 0)  # hired on 2024-05-01
    assert await pol1(END_2024) == (1, 1)
    assert await pol1(END_2024, level="province") == (0, 0)
    assert await pol1(END_2025, unit_id="C12") == (1, 1)


async def test_staffing_fill_by_the_plans_unit(c: httpx.AsyncClient) -> None:
    async def fill(**params: object) -> dict[str, tuple[Any, ...]]:
        body = await get(c, "recruitment/staffing-fill", END_2024, **params)
        return {
            u["unit_id"]: (u["fill_rate_pct"], *((p["quota"], p["filled"]) for p in u["positions"].values()))
            for u in body["units"]
        }

    # C1: a4 and a7 hold IT technical (2/2). P.SKHCN: a1 information security (1/2), no data hire, no leader.
    c1 = (100.0, (2, 2), (0, 0), (0, 0), (0, 0))
    skhcn = (25.0, (0, 0), (2, 1), (1, 0), (1, 0))
    assert await fill() == {"C1": c1, "P.SKHCN": skhcn}
    assert await fill(level="commune") == {"C1": c1}
    assert await fill(sector="state_agency") == {"P.SKHCN": skhcn}
    assert await fill(unit_id="D") == {"C1": c1}


async def test_attrition_by_the_departing_officers_unit(c: httpx.AsyncClient) -> None:
    async def rate(as_of: dt.date, **params: object) -> tuple[int, float, float | None]:
        body = await get(c, "attrition", as_of, **params)
        return body["departures"], body["average_headcount"], body["attrition_rate_pct"]

    # 2024 month ends: 6 (Jan-Apr), 7 with a7 (May-Aug, a2 serves to 31 Aug), 6 (Sep-Dec): 76 / 12.
    assert await rate(END_2024) == (1, 6.3, 15.8)
    # The centre: a2 to August, then nobody: 8 / 12; 1 / (2/3) = 150%.
    assert await rate(END_2024, sector="public_service_unit") == (1, 0.7, 150.0)
    communes = await get(c, "attrition", END_2024, level="commune")  # a4, a5; a7 from May: 32 / 12
    assert (communes["departures"], communes["average_headcount"], communes["attrition_rate_pct"]) == (0, 2.7, 0.0)
    assert {m["month"]: m["hires"] for m in communes["months"]}["2024-05"] == 1
    # 2025 in C12 (and C1, C2 before the merger): 3, 3, then 2 after a5 leaves on 10 March: 26 / 12.
    c12 = await get(c, "attrition", END_2025, unit_id="C12")
    assert (c12["departures"], c12["average_headcount"], c12["attrition_rate_pct"]) == (1, 2.2, 46.2)
    assert c12["by_unit"] == [{"unit_id": "C2", "departures": 1}] and c12["private_sector_share_pct"] == 100.0
    assert c12["exit_interview_reasons"] == {"pay": 1, "private_sector_offer": 1} and c12["unit_id"] == "C12"
    assert await rate(END_2025) == (1, 5.2, 19.4)  # 6, 6, then 5: 62 / 12
    party = await get(c, "attrition", END_2025, sector="party_agency")
    assert (party["departures"], party["average_headcount"], party["exit_interview_reasons"]) == (0, 1, {})
