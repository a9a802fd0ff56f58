"""Attrition (and the other views) on days that are not month ends, on the real PostgreSQL: through the
service layer and over HTTP, where the response model checks every month of the window is complete.

World: sliced_world.py plus b4 (P.SKHCN from 2023, retires 2024-06-20), b5 (hired into C2 on 2024-06-25,
moved to C12 on 2025-07-01), b6 (C1 from 2023, retires 2024-07-25) and b2 (hired into D on 2024-07-15,
leaves for the private sector on 2025-04-20). The window is the 12 calendar months ending with as_of's
month: on 2025-06-15 it starts on 2024-07-01, so b4's departure and b5's hire in June 2024 stay out."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from cds_contracts import Event
from cds_contracts.personnel_officers import OfficerDeparted
from reporting.domain.slices import WHOLE_PROVINCE, Slice
from reporting.service_layer import recruitment_views
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.sliced_world import client, context, get, move, officer, tree

pytestmark = pytest.mark.integration
D = dt.date
MID_JUNE, MID_JULY = D(2025, 6, 15), D(2025, 7, 10)


def flows() -> list[Event]:
    return [
        officer("b4", "P.SKHCN"),
        OfficerDeparted(officer_id="b4", unit_id="P.SKHCN", effective_date=D(2024, 6, 20), reason="retirement"),
        officer("b5", "C2", (), D(2024, 6, 25), application_id="AB5"),
        officer("b6", "C1"),
        OfficerDeparted(officer_id="b6", unit_id="C1", effective_date=D(2024, 7, 25), reason="retirement"),
        officer("b2", "D", (), D(2024, 7, 15), application_id="AB2"),
        OfficerDeparted(officer_id="b2", unit_id="D", effective_date=D(2025, 4, 20), reason="private_sector"),
        move("b5", "C2", "C12"),
    ]


@pytest.fixture
async def c(rpool: asyncpg.Pool, feeder: Feeder) -> AsyncIterator[httpx.AsyncClient]:
    for events in (tree(), flows()):
        assert (await feeder.feed(events)).applied == len(events)
    async with client(rpool) as http:
        yield http


def _months(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {m["month"]: (m["departures"], m["hires"]) for m in body["months"]}


def _rate(body: dict[str, Any]) -> tuple[int, float, float | None]:
    return body["departures"], body["average_headcount"], body["attrition_rate_pct"]


async def test_mid_month_window_is_twelve_whole_months(c: httpx.AsyncClient, rpool: asyncpg.Pool) -> None:
    body = await get(c, "attrition", MID_JUNE)  # HTTP: the response model requires every month's hires
    assert body["window"] == {"from": "2024-07-01", "to": "2025-06-15"}
    months = _months(body)
    assert list(months) == [f"2024-{m:02}" for m in range(7, 13)] + [f"2025-{m:02}" for m in range(1, 7)]
    # b6 (July), a2 (September), a5 (March), b2 (April); b2's hire in July. Month ends: 8 (July: a1-a6,
    # b5, b2), 8 (August, a2's last day), 7 x 6 (September-February), 6, 5, 5, 5 (15 June): 79 / 12 = 6.58.
    flows = {"2024-07": (1, 1), "2024-09": (1, 0), "2025-03": (1, 0), "2025-04": (1, 0)}
    assert months == {m: flows.get(m, (0, 0)) for m in months}
    assert _rate(body) == (4, 6.6, 60.8) and body["private_sector_share_pct"] == 50.0
    # the service layer gives the same body (what snapshots and exports read)
    direct = await recruitment_views.attrition(context(rpool), MID_JUNE, WHOLE_PROVINCE)
    assert _months(direct) == months and _rate(direct) == _rate(body) and direct["window"] == body["window"]
    assert all(set(m) == {"month", "departures", "by_reason", "hires"} for m in direct["months"])


async def test_mid_month_after_the_reorganisation(c: httpx.AsyncClient, rpool: asyncpg.Pool) -> None:
    # From 2024-08-01: b6's departure and b2's hire (July 2024) stay out. a2, a5, b2 leave; month ends:
    # 8 (August), 7 x 6, 6 (March), 5 x 3 (April-June), 5 (10 July: a1, a3, a4, a6, b5): 76 / 12 = 6.33.
    whole = await get(c, "attrition", MID_JULY)
    assert whole["window"]["from"] == "2024-08-01" and len(whole["months"]) == 12
    assert _rate(whole) == (3, 6.3, 47.4)
    assert _rate(await get(c, "attrition", MID_JULY, unit_id="P")) == _rate(whole)  # the root unit
    # C12 with C1 and C2: a5 leaves; a4, a5, b5 to February (7 x 3), a4, b5 from March (5 x 2): 31 / 12.
    c12 = await get(c, "attrition", MID_JULY, unit_id="C12")
    assert _rate(c12) == (1, 2.6, 38.7) and sum(m["hires"] for m in c12["months"]) == 0
    direct = await recruitment_views.attrition(context(rpool), MID_JULY, Slice(unit_id="C12"))
    assert _rate(direct) == _rate(c12) and direct["months"] == c12["months"]


async def test_other_views_on_a_mid_month_day(c: httpx.AsyncClient) -> None:
    # On 15 June 2025: a1, a3, a4, a6, b5 serve (a2, a5, b2, b4, b6 gone); nobody trained.
    share = await get(c, "training/trained-share", MID_JUNE)
    assert share["totals"] == {"officers": 5, "trained_12m": 0, "trained_share_pct": 0.0}
    pipeline = await get(c, "recruitment/pipeline", MID_JUNE, unit_id="P")
    assert [s["reached"] for s in pipeline["funnel"]] == [0] * 6 and pipeline["time_to_fill"]["count"] == 0
