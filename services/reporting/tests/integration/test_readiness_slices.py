"""Incident-response readiness sliced by the team's unit, over HTTP on the real PostgreSQL (world:
sliced_world.py). T1, the provincial team, belongs to P.SKHCN; T2, a commune team formed for C1, is
carried to C12 by the 2025-07-01 merger (the projection keeps only its current unit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from cds_contracts import Event
from cds_contracts import personnel_response_teams as rt
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.sliced_world import REORG, client, get, tree

pytestmark = pytest.mark.integration
D = dt.date
BEFORE, AFTER = D(2024, 12, 1), D(2025, 12, 1)


def teams() -> list[Event]:
    return [
        rt.ResponseTeamFormed(
            team_id="T1", name="Đội tỉnh", scope="provincial", unit_id="P.SKHCN", formed_on=D(2024, 1, 1)
        ),
        rt.ResponseTeamFormed(team_id="T2", name="Đội xã", scope="unit", unit_id="C1", formed_on=D(2024, 1, 1)),
        rt.ResponseTeamMemberJoined(team_id="T1", officer_id="a1", role="lead", joined_on=D(2024, 1, 10)),
        rt.ResponseTeamMemberJoined(team_id="T2", officer_id="a4", role="lead", joined_on=D(2024, 1, 10)),
        rt.ResponseTeamMemberJoined(team_id="T2", officer_id="a5", role="analyst", joined_on=D(2024, 1, 10)),
        rt.ResponseTeamMoved(team_id="T2", unit_id="C12", effective_date=REORG),
    ]


@pytest.fixture
async def c(rpool: asyncpg.Pool, feeder: Feeder) -> AsyncIterator[httpx.AsyncClient]:
    for events in (tree(), teams()):
        assert (await feeder.feed(events)).applied == len(events)
    async with client(rpool) as http:
        yield http


async def _teams(c: httpx.AsyncClient, as_of: dt.date, **params: object) -> dict[str, tuple[str, int]]:
    body = await get(c, "response-teams/readiness", as_of, **params)
    return {t["team_id"]: (t["unit_id"], t["members"]) for t in body["teams"]}


async def test_teams_count_for_their_units_slice_before_and_after_the_merger(c: httpx.AsyncClient) -> None:
    both = {"T1": ("P.SKHCN", 1), "T2": ("C12", 2)}
    assert await _teams(c, BEFORE) == both
    assert await _teams(c, BEFORE, sector="state_agency") == {"T1": ("P.SKHCN", 1)}
    # In the 2024 tree T2 is C1's team (C12 did not exist yet): it counts for C1, D and the communes.
    assert await _teams(c, BEFORE, level="commune") == {"T2": ("C12", 2)}
    assert await _teams(c, BEFORE, unit_id="D") == {"T2": ("C12", 2)}
    assert await _teams(c, BEFORE, sector="party_agency") == {}
    # After the merger it is C12's.
    assert await _teams(c, AFTER, unit_id="C12") == {"T2": ("C12", 2)}
    assert await _teams(c, AFTER, level="commune") == {"T2": ("C12", 2)}
    assert await _teams(c, AFTER, level="province") == {"T1": ("P.SKHCN", 1)}
    assert await _teams(c, AFTER, unit_id="P") == both
