"""Monthly trends on the real PostgreSQL, fed through the projection consumer, against hand-computed
series (see trend_world.py): across the 2025-07-01 reorganisation, by unit, sector and level; then
back-dated changes that must move their months and only those."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_contracts import Registry, TopicSpec
from cds_contracts.personnel_officers import OfficerAssignmentChanged, OfficerCorrectedV1
from reporting.config import Settings
from reporting.domain.slices import WHOLE_PROVINCE, Slice, UnknownUnitError
from reporting.entrypoints.app import build_app
from reporting.service_layer.context import ViewContext
from reporting.service_layer.trend_views import trends
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.conftest import LIVE
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.trend_world import AS_OF, C12, WHOLE, D, moved, province

pytestmark = pytest.mark.integration
FIELDS = ("headcount", "dedicated", "information_security", "trained", "departures", "hires")


def figures(body: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {m["month"]: tuple(m[f] for f in FIELDS) for m in body["months"]}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Per month, the fields whose value differs between two series of the same months."""
    out: dict[str, dict[str, tuple[Any, Any]]] = {}
    for b, a in zip(before["months"], after["months"], strict=True):
        assert b["month"] == a["month"]
        diff = {k: (b[k], a[k]) for k in b if b[k] != a[k]}
        if diff:
            out[b["month"]] = diff
    return out


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> ViewContext:
    await feeder.feed(province())
    return ViewContext(rpool, LIVE, ())


async def series(
    ctx: ViewContext, sl: Slice = WHOLE_PROVINCE, start: str = "2024-01", end: str = "2025-10"
) -> dict[str, Any]:
    return await trends(ctx, AS_OF, sl, start, end)


async def test_whole_province_month_by_month(ctx: ViewContext) -> None:
    body = await series(ctx)
    assert figures(body) == WHOLE
    assert body["as_of"] == "2025-10-15" and body["current_to"] is not None
    assert body["slice"] == {"unit_id": None, "sectors": [], "levels": []}
    may, october = body["months"][4], body["months"][-1]
    assert may["month_end"] == "2024-05-31" and october["month_end"] == "2025-10-15"
    assert may["dedicated_share"] == 0.5714 and may["trained_share"] == 0.2857  # 4/7, 2/7


async def test_a_post_2025_commune_counts_its_predecessors(ctx: ViewContext) -> None:
    assert figures(await series(ctx, Slice(unit_id="C12"))) == C12
    # recursively: C0 merged into C1 in 2023, so C12's 2022 counts O11 in C0 and his departure
    early = figures(await series(ctx, Slice(unit_id="C12"), "2022-05", "2023-01"))
    assert [early[m][0] for m in ("2022-05", "2022-06", "2022-12", "2023-01")] == [2, 3, 3, 2]
    assert early["2023-01"][4] == 1


async def test_the_province_root_counts_the_dissolved_district(ctx: ViewContext) -> None:
    # O3 sat in D, dissolved without successor: D was under P then, so P's series equals the province's
    assert figures(await series(ctx, Slice(unit_id="P"))) == WHOLE


async def test_a_split_unit_counts_wholly_in_each_successor(ctx: ViewContext) -> None:
    one = figures(await series(ctx, Slice(unit_id="P.HTH1"), "2024-05", "2025-10"))
    two = figures(await series(ctx, Slice(unit_id="P.HTH2"), "2024-05", "2025-10"))
    assert [one[m][0] for m in ("2024-05", "2024-06", "2025-06", "2025-07", "2025-10")] == [0, 1, 1, 1, 1]
    assert [two[m][0] for m in ("2024-05", "2024-06", "2025-06", "2025-07", "2025-10")] == [0, 1, 1, 0, 0]


async def test_levels_and_sectors_apply_to_the_unit_of_each_month(ctx: ViewContext) -> None:
    communes = figures(await series(ctx, Slice(levels=("commune",))))
    # O4, O5, O6; + O10; + O7; O6 leaves; O10 leaves; C12 and C3 are communes; + O9
    assert {m: communes[m] for m in ("2024-01", "2024-03", "2024-06", "2025-03", "2025-05", "2025-07", "2025-08")} == {
        "2024-01": (3, 1, 1, 0, 0, 0),
        "2024-03": (4, 2, 2, 0, 0, 1),
        "2024-06": (5, 2, 2, 1, 0, 0),
        "2025-03": (4, 2, 1, 2, 1, 0),
        "2025-05": (3, 1, 0, 1, 1, 0),
        "2025-07": (3, 1, 0, 1, 0, 0),
        "2025-08": (4, 1, 0, 1, 0, 1),
    }
    districts = figures(await series(ctx, Slice(levels=("district",))))
    assert [districts[m][0] for m in ("2024-01", "2025-06", "2025-07")] == [1, 1, 0]  # O3 moves to P
    state = figures(await series(ctx, Slice(unit_id="P", sectors=("state_agency",))))
    assert {state[m][:4] for m in state} == {(2, 1, 1, 0), (2, 1, 1, 1)}  # O1 and O2; O1 trained May-Apr


async def test_a_unit_must_exist_on_as_of(ctx: ViewContext) -> None:
    with pytest.raises(UnknownUnitError):
        await series(ctx, Slice(unit_id="C1"))
    body = await trends(ctx, D(2024, 12, 31), Slice(unit_id="C1"), None, None)  # it did in 2024
    assert len(body["months"]) == 24 and body["months"][0]["month"] == "2023-01"
    assert figures(body)["2024-12"] == (2, 1, 1, 1, 0, 0)  # O4 and O10


async def test_a_back_dated_assignment_change_moves_only_its_months(ctx: ViewContext, feeder: Feeder) -> None:
    before = await series(ctx)
    await feeder.feed(
        [
            OfficerAssignmentChanged(
                officer_id="O2",
                assignment="dedicated",
                functions=("it_technical", "information_security"),
                effective_date=D(2024, 9, 1),
            )
        ]
    )
    diff = changes(before, await series(ctx))
    months = sorted(diff)
    assert months[0] == "2024-09" and months[-1] == "2025-10" and len(months) == 14
    for m in months:
        ded, sec, n = WHOLE[m][1], WHOLE[m][2], WHOLE[m][0]
        assert diff[m] == {
            "dedicated": (ded, ded + 1),
            "dedicated_share": (round(ded / n, 4), round((ded + 1) / n, 4)),
            "information_security": (sec, sec + 1),
        }


async def test_a_back_dated_transfer_moves_only_its_months(ctx: ViewContext, feeder: Feeder) -> None:
    whole, c3, state = (
        await series(ctx),
        await series(ctx, Slice(unit_id="C3")),
        await series(ctx, Slice(sectors=("state_agency",))),
    )
    await feeder.feed([moved("O2", "P.SKHCN", "C3", D(2025, 2, 1))])
    assert changes(whole, await series(ctx)) == {}  # O2 serves throughout, wherever he sits
    moved_in = changes(c3, await series(ctx, Slice(unit_id="C3")))
    assert sorted(moved_in) == [f"2025-{m:02d}" for m in range(2, 11)]
    assert {m: d["headcount"][1] - d["headcount"][0] for m, d in moved_in.items()} == dict.fromkeys(moved_in, 1)
    moved_out = changes(state, await series(ctx, Slice(sectors=("state_agency",))))
    assert sorted(moved_out) == sorted(moved_in)
    assert all(d["headcount"][1] == 1 for d in moved_out.values())  # O1 alone


async def test_a_corrected_departure_date_moves_only_its_months(ctx: ViewContext, feeder: Feeder) -> None:
    before = await series(ctx)
    await feeder.feed(
        [
            OfficerCorrectedV1(
                officer_id="O6",
                full_name="O6",
                employment_category="civil_servant",
                departure_date=D(2025, 8, 1),
                departure_reason="other_public_body",
                note="left in August, not March",
            )
        ]
    )
    diff = changes(before, await series(ctx))
    assert sorted(diff) == ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"]
    for m in ("2025-03", "2025-04", "2025-05", "2025-06", "2025-07"):
        n, ded, sec = WHOLE[m][:3]
        assert diff[m]["headcount"] == (n, n + 1)
        assert diff[m]["dedicated"] == (ded, ded + 1) and diff[m]["information_security"] == (sec, sec + 1)
    assert diff["2025-03"]["departures"] == (1, 0)
    assert diff["2025-08"] == {"departures": (0, 1)}


@pytest.fixture
def client(
    reporting_db: str, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]], ctx: ViewContext
) -> Iterator[TestClient]:
    registry, _ = personnel_topics  # empty fresh topics: the projections were fed directly
    # a private group name keeps the app's consumer out of the running stack's group
    name = f"reporting-{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=name)
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        yield c


def test_the_endpoint(client: TestClient) -> None:
    ok = client.get(
        "/api/v1/trends", params={"as_of": "2025-10-15", "from": "2025-07", "to": "2025-08", "unit_id": "C12"}
    )
    assert ok.status_code == 200
    assert [(m["month"], m["headcount"], m["hires"]) for m in ok.json()["months"]] == [
        ("2025-07", 2, 0),
        ("2025-08", 3, 1),
    ]
    default = client.get("/api/v1/trends", params={"as_of": "2025-10-15", "level": "commune"}).json()
    assert [default["months"][i]["month"] for i in (0, -1)] == ["2023-11", "2025-10"]
    assert default["slice"] == {"unit_id": None, "sectors": [], "levels": ["commune"]}
    for params in (
        {"from": "2025-08", "to": "2025-07"},
        {"from": "2015-10", "to": "2025-10"},
        {"to": "2025-11"},
        {"from": "2025-7"},
    ):
        bad = client.get("/api/v1/trends", params={"as_of": "2025-10-15", **params})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json", params
    gone = client.get("/api/v1/trends", params={"as_of": "2025-10-15", "unit_id": "D"})
    assert gone.status_code == 404 and "does not exist on 2025-10-15" in gone.json()["detail"]


async def test_a_merger_after_as_of_is_not_part_of_the_report(ctx: ViewContext) -> None:
    # C0 merges into C1 on 2023-01-01: a report as of 2022-12-31 knows C1 alone; one as of 2023 carries C0's O11
    def headcounts(body: dict[str, Any]) -> dict[str, int]:
        return {m["month"]: m["headcount"] for m in body["months"]}

    before = headcounts(await trends(ctx, D(2022, 12, 31), Slice(unit_id="C1"), "2022-06", "2022-12"))
    after = headcounts(await trends(ctx, D(2023, 6, 30), Slice(unit_id="C1"), "2022-06", "2022-12"))
    assert {m: after[m] - before[m] for m in ("2022-06", "2022-12")} == {"2022-06": 1, "2022-12": 1}
