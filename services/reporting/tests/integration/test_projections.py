"""Reporting's projections on the real PostgreSQL: events applied through the consumer's process_batch
(inbox, before_batch hook and all), read back through the service-layer views, against hand-computed
figures for a district of three communes before and after the 2025 reorganisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from reporting.domain.slices import Slice
from reporting.service_layer import officer_views as views
from services.reporting.tests.integration.scenario import (
    BEFORE,
    REORG,
    Feeder,
    correction,
    history,
    reorganisation,
)

pytestmark = pytest.mark.integration
LIVE = "reporting-projections"


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> views.ViewContext:
    """The whole scenario applied, in three batches as a consumer would see it."""
    for events in (history(), reorganisation(), correction()):
        result = await feeder.feed(events)
        assert result.applied == len(events)
    return views.ViewContext(rpool, LIVE, ("personnel.community-team", "personnel.officer", "personnel.org-unit"))


def _ids(nodes: list[dict[str, Any]]) -> list[Any]:
    return [(n["unit_id"], _ids(n["children"])) if n["children"] else n["unit_id"] for n in nodes]


async def test_the_unit_tree_before_and_after_the_reorganisation(ctx: views.ViewContext) -> None:
    before = await views.unit_tree(ctx, BEFORE)
    assert _ids(before["units"]) == [("P", [("D", ["C1", "C2", "C3"]), "P.HTH", "P.SKHCN"])]
    assert before["units"][0]["name_vi"] == "UBND tỉnh Vĩnh Phúc"
    assert before["as_of"] == "2024-12-31"
    assert before["current_to"] == "2025-08-01T08:00:41+00:00"  # the 41st (last) event fed

    after = await views.unit_tree(ctx, REORG)
    assert _ids(after["units"]) == [("P", ["C12", "C3", "P.HTH", "P.SKHCN"])]
    assert after["units"][0]["name_vi"] == "UBND tỉnh Phú Thọ"
    assert after["units"][0]["children"][1] == {
        "unit_id": "C3",
        "name_vi": "UBND xã Kim Long",
        "name_en": None,
        "kind": "peoples_committee",
        "level": "commune",
        "in_slice": True,
        "children": [],
    }
    # The last day of the old structure is 30 June.
    assert _ids((await views.unit_tree(ctx, REORG - dt.timedelta(days=1)))["units"]) == _ids(before["units"])


async def test_unit_history_shows_versions_and_lineage(ctx: views.ViewContext) -> None:
    c1 = await views.unit_history(ctx, "C1", REORG)
    assert [(v["valid_from"], v["valid_to"], v["valid_on_as_of"]) for v in c1["versions"]] == [
        ("2020-01-01", "2025-06-30", False)
    ]
    assert c1["successors"] == [{"unit_id": "C12", "kind": "merge", "effective_date": "2025-07-01"}]
    assert c1["predecessors"] == []
    c12 = await views.unit_history(ctx, "C12", REORG)
    assert [p["unit_id"] for p in c12["predecessors"]] == ["C1", "C2"]
    p = await views.unit_history(ctx, "P", REORG)
    assert [(v["name_vi"], v["valid_to"], v["valid_on_as_of"]) for v in p["versions"]] == [
        ("UBND tỉnh Vĩnh Phúc", "2025-06-30", False),
        ("UBND tỉnh Phú Thọ", None, True),
    ]
    c3 = await views.unit_history(ctx, "C3", REORG)
    assert [(v["parent_id"], v["valid_from"], v["valid_to"]) for v in c3["versions"]] == [
        ("D", "2020-01-01", "2025-06-30"),
        ("P", "2025-07-01", None),
    ]
    assert (await views.unit_history(ctx, "D", REORG))["versions"][0]["valid_to"] == "2025-06-30"
    with pytest.raises(views.UnknownUnitError):
        await views.unit_history(ctx, "NOPE", REORG)


def _by_unit(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {u["unit_id"]: (u["own"]["total"], u["rolled_up"]["total"]) for u in body["units"]}


async def test_headcount_rolls_up_over_the_tree_of_the_day(ctx: views.ViewContext) -> None:
    before = await views.headcount(ctx, BEFORE, None)
    assert _by_unit(before) == {
        "P": (0, 8),
        "P.SKHCN": (2, 2),
        "P.HTH": (1, 1),
        "D": (1, 5),
        "C1": (1, 1),
        "C2": (1, 1),
        "C3": (2, 2),
    }
    district = next(u for u in before["units"] if u["unit_id"] == "D")
    assert district["rolled_up"] == {
        "total": 5,
        "dedicated": 2,
        "concurrent": 3,
        "information_security": 1,
        "it_technical": 2,
        "it_leader": 2,
    }
    assert before["totals"] == {
        "total": 8,
        "dedicated": 3,
        "concurrent": 5,
        "information_security": 2,
        "it_technical": 3,
        "it_leader": 3,
    }

    after = await views.headcount(ctx, REORG, None)
    assert _by_unit(after) == {"P": (1, 8), "P.SKHCN": (2, 2), "P.HTH": (1, 1), "C12": (2, 2), "C3": (2, 2)}
    assert after["totals"] == {
        "total": 8,
        "dedicated": 4,
        "concurrent": 4,
        "information_security": 2,
        "it_technical": 4,
        "it_leader": 3,
    }
    subtree = await views.headcount(ctx, BEFORE, Slice(unit_id="D"))
    assert _by_unit(subtree) == {"D": (1, 5), "C1": (1, 1), "C2": (1, 1), "C3": (2, 2)}
    assert subtree["totals"] == {  # officers of the subtree only: O3..O7
        "total": 5,
        "dedicated": 2,
        "concurrent": 3,
        "information_security": 1,
        "it_technical": 2,
        "it_leader": 2,
    }
    assert (await views.headcount(ctx, BEFORE, "D")) == subtree  # a bare unit id still means its subtree
    with pytest.raises(views.UnknownUnitError):
        await views.headcount(ctx, REORG, "D")  # dissolved by then


async def test_a_corrected_departure_date_moves_the_end_of_the_last_period(rpool: asyncpg.Pool, feeder: Feeder) -> None:
    ctx = views.ViewContext(rpool, LIVE, ())
    await feeder.feed(history() + reorganisation())
    assert _by_unit(await views.headcount(ctx, REORG, "C3")) == {"C3": (1, 1)}  # O6 left on 15 March
    assert _by_unit(await views.headcount(ctx, dt.date(2025, 3, 14), "C3")) == {"C3": (2, 2)}
    await feeder.feed(correction())
    assert _by_unit(await views.headcount(ctx, REORG, "C3")) == {"C3": (2, 2)}
    assert _by_unit(await views.headcount(ctx, dt.date(2025, 8, 1), "C3")) == {"C3": (1, 1)}
    row = await rpool.fetchrow("SELECT * FROM proj_1.officers WHERE officer_id = 'O6'")
    assert row is not None
    assert (row["departure_date"], row["departure_reason"]) == (dt.date(2025, 8, 1), "other_public_body")
    # The v1 records carried a name, birth year, gender and destination: none of them is kept.
    assert set(row.keys()) == {"officer_id", "employment_category", "departure_date", "departure_reason"}


async def test_coverage_lists_failing_agencies_and_what_they_miss(ctx: views.ViewContext) -> None:
    after = await views.coverage(ctx, REORG)
    assert after["summary"] == {"agencies": 4, "compliant": 2, "failing": 2}  # P.HTH (kind other) is no agency
    assert [(a["unit_id"], a["compliant"]) for a in after["agencies"]] == [
        ("C12", True),
        ("C3", False),
        ("P", False),
        ("P.SKHCN", True),
    ]
    assert [(a["unit_id"], a["missing"], a["it_technical"]) for a in after["failing"]] == [
        ("C3", ["it_leader"], 1),
        ("P", ["it_technical"], 0),
    ]
    before = await views.coverage(ctx, BEFORE)
    assert before["summary"] == {"agencies": 6, "compliant": 2, "failing": 4}
    assert {a["unit_id"]: a["missing"] for a in before["failing"]} == {
        "P": ["it_leader", "it_technical"],
        "D": ["it_technical"],
        "C1": ["it_leader"],
        "C3": ["it_leader", "it_technical"],
    }


async def test_community_teams_by_affiliation_and_commune(ctx: views.ViewContext) -> None:
    before = await views.community_teams(ctx, BEFORE)
    assert before["totals"] == {"teams": 3, "members": 5}
    assert before["members_by_affiliation"] == {"police": 1, "teachers": 1, "womens_union": 1, "youth_union": 2}
    assert before["by_commune"] == [
        {"commune_id": "C1", "name_vi": "UBND xã Hợp Thịnh", "teams": 1, "members": 2},
        {"commune_id": "C2", "name_vi": "UBND xã Đạo Tú", "teams": 1, "members": 1},
        {"commune_id": "C3", "name_vi": "UBND xã Kim Long", "teams": 1, "members": 2},
    ]
    after = await views.community_teams(ctx, REORG)
    assert after["totals"] == {"teams": 3, "members": 4}  # m5 left in January; T4 starts in September
    assert after["members_by_affiliation"] == {"police": 1, "womens_union": 1, "youth_union": 2}
    assert after["by_commune"] == [
        {"commune_id": "C12", "name_vi": "UBND xã Hợp Đạo", "teams": 2, "members": 3},
        {"commune_id": "C3", "name_vi": "UBND xã Kim Long", "teams": 1, "members": 1},
    ]
    later = await views.community_teams(ctx, dt.date(2025, 9, 1))
    assert later["totals"] == {"teams": 4, "members": 5}


async def test_a_merge_read_before_the_predecessors_registration_still_ends_it(
    rpool: asyncpg.Pool, feeder: Feeder
) -> None:
    events = history()
    registrations = [e for e in events[:7] if getattr(e, "unit_id", None) in ("C1", "C2")]
    merge = [e for e in reorganisation() if type(e).__name__ in ("OrgUnitsMerged", "OrgUnitRegistered")]
    await feeder.feed(merge)  # another key, another partition: it may well come first
    await feeder.feed(registrations)
    ctx = views.ViewContext(rpool, LIVE, ())
    assert (await views.unit_history(ctx, "C1", REORG))["versions"][0]["valid_to"] == "2025-06-30"
    assert [u["unit_id"] for u in (await views.unit_tree(ctx, REORG))["units"]] == ["C12"]


async def test_freshness_reports_applied_offsets_and_event_time_per_topic(ctx: views.ViewContext) -> None:
    body = await views.freshness(ctx)
    assert body["current_to"] == "2025-08-01T08:00:41+00:00"
    topics = {t["topic"]: t for t in body["topics"]}
    assert topics["personnel.org-unit"]["offsets"] == [{"partition": 0, "next_offset": 12}]
    assert topics["personnel.officer"]["offsets"] == [{"partition": 0, "next_offset": 16}]
    assert topics["personnel.community-team"]["offsets"] == [{"partition": 0, "next_offset": 13}]
    assert topics["personnel.officer"]["event_time"] == "2025-08-01T08:00:41+00:00"
