"""A slice walked through time (adapters/attribution.py) on the real PostgreSQL, over HTTP: the province's
root unit P gives the whole province's figures after the 2025-07-01 reorganisation, although D, D.HU and
C1.X were dissolved with records before it; C12 keeps what sat under its predecessor C1; sector and level
slices are still resolved on as_of (world: reorg_world.py on sliced_world.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from services.reporting.tests.integration.reorg_world import world
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.sliced_world import client, get

pytestmark = pytest.mark.integration
D = dt.date
END_2025 = D(2025, 12, 31)
ROOT = {"unit_id": "P"}


@pytest.fixture
async def c(rpool: asyncpg.Pool, feeder: Feeder) -> AsyncIterator[httpx.AsyncClient]:
    for events in world():
        assert (await feeder.feed(events)).applied == len(events)
    async with client(rpool) as http:
        yield http


def _rate(body: dict[str, Any]) -> tuple[int, float, float | None]:
    return body["departures"], body["average_headcount"], body["attrition_rate_pct"]


async def test_attrition_of_the_root_unit_is_the_whole_provinces(c: httpx.AsyncClient) -> None:
    whole = await get(c, "attrition", END_2025)
    root = await get(c, "attrition", END_2025, **ROOT)
    # a5 (C2), b1 (D.HU), b2 (D), b3 (C1.X). Month ends of 2025: a1, a3, a4, a6 all year, a5 to February,
    # b1 to January, b2 to March, b3 to April: 8, 7, 6, 5, 4 and 4 x 7 = 58 / 12 = 4.83; 4 / 4.83 = 82.8%.
    assert _rate(whole) == _rate(root) == (4, 4.8, 82.8)
    assert root["private_sector_share_pct"] == whole["private_sector_share_pct"] == 75.0
    units = [{"unit_id": u, "departures": 1} for u in ("C1.X", "C2", "D", "D.HU")]
    assert root["by_unit"] == whole["by_unit"] == units
    assert root["months"] == whole["months"] and root["exit_interview_reasons"] == whole["exit_interview_reasons"]


async def test_training_views_of_the_root_unit_are_the_whole_provinces(c: httpx.AsyncClient) -> None:
    async def attainment(**params: object) -> tuple[dict[str, int], dict[str, Any]]:
        body = await get(c, "training/attainment", END_2025, year=2025, **params)
        return {k: v["actual"] for k, v in body["targets"].items() if v["actual"]}, body["completion"]

    everything = {"classes": 1, "trainees_province": 1, "trainees_district": 2, "trainees_commune": 1, "drills": 1}
    done = {"enrolled": 4, "passed": 4, "failed": 0, "completion_rate_pct": 100.0}
    assert await attainment() == await attainment(**ROOT) == (everything, done)
    # C12 takes in C1.X, which sat under its predecessor C1: b3 and the drill C1.X took part in.
    c12 = ({"classes": 1, "trainees_commune": 1, "drills": 1}, {**done, "enrolled": 1, "passed": 1})
    assert await attainment(unit_id="C12") == c12

    async def drills(**params: object) -> tuple[dict[str, tuple[int, int, int]], dict[str, int]]:
        body = await get(c, "training/drills", END_2025, **params)
        return {u["unit_id"]: (u["drills"], u["open_findings"], u["overdue_findings"]) for u in body["units"]}, body[
            "totals"
        ]

    both = ({"C1.X": (1, 1, 1), "D": (1, 1, 1)}, {"open_findings": 2, "overdue_findings": 2})
    assert await drills() == await drills(**ROOT) == both
    assert await drills(unit_id="C12") == ({"C1.X": (1, 1, 1)}, {"open_findings": 1, "overdue_findings": 1})

    # On 2025-12-31 a1, a3 (P), a4 (C12) and a6 serve; a1 passed K5 within 12 months.
    whole = await get(c, "training/trained-share", END_2025)
    root = await get(c, "training/trained-share", END_2025, **ROOT)
    assert whole["units"] == root["units"] and whole["totals"] == root["totals"]
    assert root["totals"] == {"officers": 4, "trained_12m": 1, "trained_share_pct": 25.0}
    certificates = [
        [(x["certificate_id"], x["unit_id"], x["days_left"]) for x in body["certificates"]]
        for body in [await get(c, "training/certificates/expiring", END_2025, days=90, **p) for p in ({}, ROOT)]
    ]
    assert certificates == [[("CERT-5", "P.SKHCN", 32)]] * 2


async def test_recruitment_views_of_the_root_unit_are_the_whole_provinces(c: httpx.AsyncClient) -> None:
    async def open_(**params: object) -> list[tuple[str, str, int]]:
        body = await get(c, "recruitment/vacancies", END_2025, **params)
        return [(v["vacancy_id"], v["unit_id"], v["age_days"]) for v in body["vacancies"]]

    assert await open_() == await open_(**ROOT) == [("VD", "D", 305)]  # the dissolved district's, still open
    assert await open_(unit_id="C12") == []

    async def funnel(**params: object) -> tuple[list[int], dict[str, int], dict[str, Any]]:
        body = await get(c, "recruitment/pipeline", END_2025, year=2025, **params)
        return [s["reached"] for s in body["funnel"]], body["exits"], body["time_to_fill"]

    filled = {"count": 1, "mean_days": 59.0, "median_days": 59}
    assert await funnel() == await funnel(**ROOT) == ([2, 1, 0, 0, 0, 0], {"declined": 0, "rejected": 1}, filled)
    assert await funnel(unit_id="C12") == ([1, 0, 0, 0, 0, 0], {"declined": 0, "rejected": 1}, filled)

    async def plans(**params: object) -> list[tuple[str, float | None]]:
        body = await get(c, "recruitment/staffing-fill", END_2025, year=2025, **params)
        return [(u["unit_id"], u["fill_rate_pct"]) for u in body["units"]]

    assert await plans() == await plans(**ROOT) == [("D", 0.0)]  # D's plan: nobody serves in D any more


async def test_a_post_2025_commune_keeps_its_predecessors_records(c: httpx.AsyncClient) -> None:
    c12 = await get(c, "attrition", END_2025, unit_id="C12")
    # a5 (C2) and b3 (C1.X under C1). Month ends: a4, a5, b3 in January and February, a4, b3 in March and
    # April, a4 alone from May: 3 + 3 + 2 + 2 + 8 x 1 = 18 / 12 = 1.5; 2 / 1.5 = 133.3%.
    assert _rate(c12) == (2, 1.5, 133.3)
    assert c12["by_unit"] == [{"unit_id": "C1.X", "departures": 1}, {"unit_id": "C2", "departures": 1}]


async def test_sector_and_level_slices_are_resolved_on_as_of(c: httpx.AsyncClient) -> None:
    # No district is left on 2025-12-31: a district slice is empty by design (the trends count D and
    # D.HU in their months before July instead).
    district = await get(c, "attrition", END_2025, level="district")
    assert _rate(district) == (0, 0, None) and {m["departures"] + m["hires"] for m in district["months"]} == {0}
    body = await get(c, "training/attainment", END_2025, year=2025, level="district")
    assert body["completion"]["enrolled"] == 0
    # On 2025-06-30 D and D.HU were still districts: b1 and b2 left; month ends Jul 2024 - Jun 2025: a3, b1,
    # b2 to January (7 x 3), a3, b2 in February and March (2 x 2), a3 from April (3 x 1): 28 / 12 = 2.33.
    assert _rate(await get(c, "attrition", D(2025, 6, 30), level="district")) == (2, 2.3, 85.7)
    # People's Committees on 2025-12-31 are P and C12: D (under P) and C1, C2 count in their months,
    # not D.HU (a Party agency) nor C1.X (kind other). a5 and b2 left; month ends: a3, a4, a5, b2 in
    # January and February, a3, a4, b2 in March, a3, a4 from April: 4 + 4 + 3 + 9 x 2 = 29 / 12 = 2.42.
    assert _rate(await get(c, "attrition", END_2025, sector="peoples_committee")) == (2, 2.4, 82.8)
    # Party agencies on 2025-12-31: P.TU only; D.HU never sat under it, so b1 is not in the slice.
    assert _rate(await get(c, "attrition", END_2025, sector="party_agency")) == (0, 1, 0.0)
