"""The unit, officer and community-team views sliced by unit subtree, sector and level, over HTTP (the real
router, in-process) on the real PostgreSQL, before and after the 2025-07-01 reorganisation.

The scenario plus `sectors()`: the Party office P.TU (O21: dedicated, IT leader + IT technical), the
district Party committee D.HU (O22: concurrent, IT leader; moved to P.TU when D.HU is dissolved on 1 July
2025) and the centre P.TTCDS under P.SKHCN (O23: dedicated, IT technical + information security)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from cds_plumbing.http import install_problem_handlers
from reporting.domain.slices import Slice
from reporting.entrypoints.http import units as api
from reporting.entrypoints.http.errors import install_view_errors
from reporting.service_layer import officer_views as views
from services.reporting.tests.integration.scenario import (
    BEFORE,
    REORG,
    Feeder,
    correction,
    history,
    reorganisation,
    sectors,
)

pytestmark = pytest.mark.integration
LIVE = "reporting-projections"
TOPICS = ("personnel.community-team", "personnel.officer", "personnel.org-unit")
B, A = BEFORE.isoformat(), REORG.isoformat()  # the 2024 tree (district D) / the new one (no districts)
PARTY = {"sector": "party_agency"}


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> views.ViewContext:
    for events in (history(), reorganisation(), correction(), sectors()):
        assert (await feeder.feed(events)).applied == len(events)
    return views.ViewContext(rpool, LIVE, TOPICS)


@pytest.fixture
async def client(ctx: views.ViewContext) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    install_view_errors(app)
    app.state.runtime = SimpleNamespace(pool=ctx.pool)  # all the views need of the running service
    app.state.projection_source = api.ProjectionSource(ctx.consumer, ctx.topics)
    app.include_router(api.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting.test") as c:
        yield c


async def _get(client: httpx.AsyncClient, path: str, as_of: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/api/v1/{path}", params={"as_of": as_of, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _n(total: int, ded: int, conc: int, infosec: int, tech: int, leader: int) -> dict[str, int]:
    keys = ("total", "dedicated", "concurrent", "information_security", "it_technical", "it_leader")
    return dict(zip(keys, (total, ded, conc, infosec, tech, leader), strict=True))


def _totals(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {u["unit_id"]: (u["own"]["total"], u["rolled_up"]["total"]) for u in body["units"]}


async def test_party_agencies_only_before_and_after_the_reorganisation(client: httpx.AsyncClient) -> None:
    before = await _get(client, "officers/headcount", B, **PARTY)
    assert before["slice"] == {"unit_id": None, "sectors": ["party_agency"], "levels": []}
    assert before["current_to"] == "2025-08-01T08:00:49+00:00"  # 41 events of the scenario + 8 of sectors()
    assert [(u["unit_id"], u["parent_id"], u["own"], u["rolled_up"]) for u in before["units"]] == [
        ("D.HU", "D", _n(1, 0, 1, 0, 0, 1), _n(1, 0, 1, 0, 0, 1)),  # O22
        ("P.TU", "P", _n(1, 1, 0, 0, 1, 1), _n(1, 1, 0, 0, 1, 1)),  # O21
    ]
    assert before["totals"] == _n(2, 1, 1, 0, 1, 2)
    after = await _get(client, "officers/headcount", A, **PARTY)
    assert _totals(after) == {"P.TU": (2, 2)}  # D.HU dissolved, O22 moved to P.TU
    assert after["totals"] == _n(2, 1, 1, 0, 1, 2)


async def test_a_sector_rolls_up_only_its_own_units(client: httpx.AsyncClient) -> None:
    whole = await _get(client, "officers/headcount", B)
    province = {"P": (0, 11), "P.SKHCN": (2, 3), "P.TTCDS": (1, 1), "P.HTH": (1, 1), "P.TU": (1, 1)}
    assert _totals(whole) == province | {"D": (1, 6), "D.HU": (1, 1), "C1": (1, 1), "C2": (1, 1), "C3": (2, 2)}
    assert whole["totals"] == _n(11, 5, 6, 3, 5, 5)
    assert whole["slice"] == {"unit_id": None, "sectors": [], "levels": []}
    committees = await _get(client, "officers/headcount", B, sector="peoples_committee")
    # P sums D, C1, C2, C3 only; D leaves out its Party committee D.HU.
    assert _totals(committees) == {"P": (0, 5), "D": (1, 5), "C1": (1, 1), "C2": (1, 1), "C3": (2, 2)}
    assert committees["totals"] == _n(5, 2, 3, 1, 2, 2)  # O3..O7 (O7 still concurrent, no function counted)
    two = await _get(client, "officers/headcount", A, sector=["state_agency", "party_agency"])
    assert two["slice"]["sectors"] == ["party_agency", "state_agency"]
    assert _totals(two) == {"P.SKHCN": (2, 2), "P.TU": (2, 2)}  # the centre P.TTCDS is a public service unit
    assert two["totals"] == _n(4, 2, 2, 1, 2, 3)  # O1, O2, O21, O22
    services = await _get(client, "officers/headcount", A, sector="public_service_unit")
    assert _totals(services) == {"P.TTCDS": (1, 1)} and services["totals"] == _n(1, 1, 0, 1, 1, 0)


async def test_levels_and_subtrees(client: httpx.AsyncClient) -> None:
    district = await _get(client, "officers/headcount", B, level="district")
    assert _totals(district) == {"D": (1, 2), "D.HU": (1, 1)} and district["totals"]["total"] == 2
    gone = await _get(client, "officers/headcount", A, level="district")
    assert gone["units"] == [] and gone["totals"] == _n(0, 0, 0, 0, 0, 0)
    communes = await _get(client, "officers/headcount", B, level="commune")
    assert _totals(communes) == {"C1": (1, 1), "C2": (1, 1), "C3": (2, 2)}
    assert communes["totals"] == _n(4, 1, 3, 1, 2, 1)
    communes = await _get(client, "officers/headcount", A, level="commune")
    assert _totals(communes) == {"C12": (2, 2), "C3": (2, 2)}
    assert communes["totals"] == _n(4, 2, 2, 1, 3, 1)  # O7 dedicated IT technical since 2025
    science = await _get(client, "officers/headcount", A, unit_id="P.SKHCN")
    assert _totals(science) == {"P.SKHCN": (2, 3), "P.TTCDS": (1, 1)}
    assert science["totals"] == _n(3, 2, 1, 2, 2, 1) and science["unit_id"] == "P.SKHCN"
    district_party = await _get(client, "officers/headcount", B, unit_id="D", sector="party_agency")
    assert _totals(district_party) == {"D.HU": (1, 1)} and district_party["totals"]["total"] == 1
    assert district_party["slice"] == {"unit_id": "D", "sectors": ["party_agency"], "levels": []}


async def test_coverage_lists_every_agency_of_the_slice(client: httpx.AsyncClient) -> None:
    whole = await _get(client, "officers/coverage", B)
    assert whole["summary"] == {"agencies": 9, "compliant": 3, "failing": 6}  # P.HTH (other) is no agency
    assert [(a["unit_id"], a["compliant"], a["missing"]) for a in whole["agencies"]] == [
        ("C1", False, ["it_leader"]),
        ("C2", True, []),
        ("C3", False, ["it_leader", "it_technical"]),
        ("D", False, ["it_technical"]),
        ("D.HU", False, ["it_technical"]),
        ("P", False, ["it_leader", "it_technical"]),
        ("P.SKHCN", True, []),
        ("P.TTCDS", False, ["it_leader"]),
        ("P.TU", True, []),
    ]
    assert [a["unit_id"] for a in whole["failing"]] == ["C1", "C3", "D", "D.HU", "P", "P.TTCDS"]
    party = await _get(client, "officers/coverage", B, **PARTY)
    assert party["summary"] == {"agencies": 2, "compliant": 1, "failing": 1}
    assert party["failing"] == [
        {
            "unit_id": "D.HU",
            "name_vi": "Huyện ủy Tam Dương",
            "kind": "party_agency",
            "level": "district",
            "has_it_leader": True,
            "it_technical": 0,
            "compliant": False,
            "missing": ["it_technical"],
        }
    ]
    party = await _get(client, "officers/coverage", A, **PARTY)
    assert party["summary"] == {"agencies": 1, "compliant": 1, "failing": 0} and party["failing"] == []
    communes = await _get(client, "officers/coverage", A, level="commune")
    assert [(a["unit_id"], a["missing"]) for a in communes["agencies"]] == [("C12", []), ("C3", ["it_leader"])]
    centre = await _get(client, "officers/coverage", A, sector="public_service_unit")
    assert [(a["unit_id"], a["has_it_leader"], a["it_technical"]) for a in centre["failing"]] == [("P.TTCDS", False, 1)]


async def test_community_teams_of_the_communes_in_the_slice(client: httpx.AsyncClient) -> None:
    district = await _get(client, "community-teams", B, unit_id="D")
    assert district["totals"] == {"teams": 3, "members": 5} and district["unit_id"] == "D"
    c1 = await _get(client, "community-teams", B, unit_id="C1")
    assert c1["totals"] == {"teams": 1, "members": 2}
    assert c1["members_by_affiliation"] == {"womens_union": 1, "youth_union": 1}
    c12 = await _get(client, "community-teams", A, unit_id="C12")  # T1 and T2 moved into the merged commune
    assert c12["by_commune"] == [{"commune_id": "C12", "name_vi": "UBND xã Hợp Đạo", "teams": 2, "members": 3}]
    assert c12["members_by_affiliation"] == {"womens_union": 1, "youth_union": 2}
    party = await _get(client, "community-teams", B, **PARTY)  # no commune is a Party agency
    assert (party["totals"], party["members_by_affiliation"], party["by_commune"]) == (
        {"teams": 0, "members": 0},
        {},
        [],
    )
    assert (await _get(client, "community-teams", A, level="district"))["totals"] == {"teams": 0, "members": 0}
    c3 = await _get(client, "community-teams", "2025-09-01", unit_id="C3", level="commune")
    assert c3["totals"] == {"teams": 2, "members": 2}  # T3 (m4) and T4 (m6, from September)
    assert c3["members_by_affiliation"] == {"health_workers": 1, "police": 1}


def _tree(nodes: list[dict[str, Any]]) -> list[Any]:
    """Nodes as unit_id (in the slice) or (unit_id) (ancestor only), with their children."""
    out: list[Any] = []
    for n in nodes:
        label = n["unit_id"] if n["in_slice"] else f"({n['unit_id']})"
        out.append((label, _tree(n["children"])) if n["children"] else label)
    return out


async def test_the_tree_keeps_ancestors_of_the_units_in_the_slice(client: httpx.AsyncClient) -> None:
    whole = await _get(client, "units/tree", B)
    assert _tree(whole["units"]) == [
        ("P", [("D", ["C1", "C2", "C3", "D.HU"]), "P.HTH", ("P.SKHCN", ["P.TTCDS"]), "P.TU"])
    ]
    assert _tree((await _get(client, "units/tree", B, **PARTY))["units"]) == [("(P)", [("(D)", ["D.HU"]), "P.TU"])]
    assert _tree((await _get(client, "units/tree", A, **PARTY))["units"]) == [("(P)", ["P.TU"])]
    services = await _get(client, "units/tree", A, sector="public_service_unit")
    assert _tree(services["units"]) == [("(P)", [("(P.SKHCN)", ["P.TTCDS"])])]
    subtree = await _get(client, "units/tree", A, unit_id="P.SKHCN")
    assert _tree(subtree["units"]) == [("P.SKHCN", ["P.TTCDS"])]
    assert subtree["slice"] == {"unit_id": "P.SKHCN", "sectors": [], "levels": []}
    communes = await _get(client, "units/tree", B, unit_id="D", level="commune")
    assert _tree(communes["units"]) == [("(D)", ["C1", "C2", "C3"])]  # D.HU is district level
    province = await _get(client, "units/tree", A, level="province")
    assert _tree(province["units"]) == [("P", ["P.HTH", ("P.SKHCN", ["P.TTCDS"]), "P.TU"])]
    assert (await _get(client, "units/tree", A, level="district"))["units"] == []


async def test_a_merged_units_figures_stay_attributable_through_its_history(client: httpx.AsyncClient) -> None:
    c12 = await _get(client, "units/C12/history", B)
    assert c12["in_slice"] is False  # it did not exist yet
    assert [(v["valid_from"], v["valid_to"], v["valid_on_as_of"]) for v in c12["versions"]] == [
        ("2025-07-01", None, False)
    ]
    assert [(p["unit_id"], p["kind"], p["effective_date"]) for p in c12["predecessors"]] == [
        ("C1", "merge", "2025-07-01"),
        ("C2", "merge", "2025-07-01"),
    ]
    # The predecessors' 2024 figures, asked for on a day they existed, make up the merged commune's.
    parts = [(await _get(client, "officers/headcount", B, unit_id=p["unit_id"]))["totals"] for p in c12["predecessors"]]
    merged = (await _get(client, "officers/headcount", A, unit_id="C12"))["totals"]
    assert [p["total"] for p in parts] == [1, 1] and merged == _n(2, 0, 2, 0, 2, 1)
    assert (await _get(client, "units/C1/history", B, sector="peoples_committee"))["in_slice"] is True
    assert (await _get(client, "units/C1/history", B, within="D"))["in_slice"] is True
    outside = await _get(client, "units/C1/history", B, **PARTY)
    assert outside["in_slice"] is False and outside["slice"]["sectors"] == ["party_agency"]
    assert (await _get(client, "units/C1/history", A))["in_slice"] is False  # merged away by then
    party_committee = await _get(client, "units/D.HU/history", A)
    assert [(v["valid_from"], v["valid_to"]) for v in party_committee["versions"]] == [("2020-01-01", "2025-06-30")]
    assert party_committee["successors"] == [] and party_committee["predecessors"] == []


PATHS = ("units/tree", "officers/headcount", "officers/coverage", "community-teams")


async def test_unknown_units_are_404_and_unknown_sectors_or_levels_422(client: httpx.AsyncClient) -> None:
    for path in PATHS:
        for as_of, unit in ((B, "NOPE"), (A, "D"), (A, "D.HU")):  # D and D.HU are gone after the reorganisation
            missing = await client.get(f"/api/v1/{path}", params={"as_of": as_of, "unit_id": unit})
            assert missing.status_code == 404, path
            assert missing.headers["content-type"] == "application/problem+json"
            assert missing.json()["detail"] == f"unit {unit} does not exist on {as_of}"
        bad = await client.get(f"/api/v1/{path}", params={"as_of": B, "sector": ["party_agency", "church"]})
        assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "sector", 1], path
        bad = await client.get(f"/api/v1/{path}", params={"level": "village"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "level", 0], path
    assert (await client.get("/api/v1/units/NOPE/history")).status_code == 404
    assert (await client.get("/api/v1/units/C1/history", params={"as_of": A, "within": "D"})).status_code == 404
    bad = await client.get("/api/v1/units/C1/history", params={"sector": "church"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "sector", 0]


async def test_the_response_models_leave_the_bodies_as_the_service_layer_builds_them(
    client: httpx.AsyncClient, ctx: views.ViewContext
) -> None:
    sl = Slice(unit_id="P", sectors=("party_agency", "public_service_unit"))
    params = {"unit_id": "P", "sector": ["party_agency", "public_service_unit"]}
    for day in (BEFORE, REORG):
        expected = {
            "units/tree": await views.unit_tree(ctx, day, sl),
            "units/C3/history": await views.unit_history(ctx, "C3", day, Slice(sectors=sl.sectors)),
            "officers/headcount": await views.headcount(ctx, day, sl),
            "officers/coverage": await views.coverage(ctx, day, sl),
            "community-teams": await views.community_teams(ctx, day, Slice(levels=("commune",))),
        }
        for path, body in expected.items():
            asked = {"sector": params["sector"]} if "history" in path else params
            asked = {"level": "commune"} if path == "community-teams" else asked
            assert await _get(client, path, day.isoformat(), **asked) == body, path
    assert (await client.get("/api/v1/freshness")).json() == await views.freshness(ctx)
