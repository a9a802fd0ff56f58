"""The former-province slice (`former_province`, migration 0019) on the real PostgreSQL, over the real app.

Three provinces A, B and C (from 2020: the People's Committee X, its state agency X.S and communes
X.C1, X.C2 directly under it) merge into the new province S on M = 2025-07-01: A, B and C cease and every
unit under them moves under S. Officers from 2023: a1 (A.S, dedicated, infosec), a2 (A.C1), a3 (A.C2),
b1 (B.S), b2 (B.C1), c1 (C.S, dedicated), c2 (C.C1), c3 (C.C2, leaves for the private sector on
2025-03-01). Later, inside former A, A.C1 and A.C2 merge into A.C12 (under S) on 2025-09-01; across the
former border, B.C1 and C.C1 merge into BC on 2025-11-01, which therefore belongs to neither."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from cds_contracts import Event, Registry, TopicSpec
from cds_contracts.personnel_officers import OfficerAppointed, OfficerDeparted, OfficerTransferred
from cds_contracts.personnel_org_units import OrgUnitMoved, OrgUnitsMerged
from reporting.adapters.projection_schema import active_schema, create_schema, use_active_schema, use_schema
from reporting.config import Settings
from reporting.entrypoints.app import build_app
from reporting.entrypoints.events.subscribers import make_consumer
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.scenario import Feeder, RaisingDeadLetters
from services.reporting.tests.integration.sliced_world import unit

pytestmark = pytest.mark.integration
D = dt.date
M = D(2025, 7, 1)
COMMUNE_MERGE, BORDER_MERGE = D(2025, 9, 1), D(2025, 11, 1)
PROVINCES = ("A", "B", "C")
# The overview's cards whose figures add up over a partition of the province (shares and rates do not).
ADDITIVE = {
    "officers": ("total", "dedicated", "concurrent"),
    "information_security": ("officers",),
    "coverage": ("agencies", "compliant", "failing"),
    "attrition": ("departures_12m",),
    "community_teams": ("teams", "members"),
}


def officer(oid: str, uid: str, functions: tuple[Any, ...] = (), assignment: Any = "concurrent") -> Event:
    return OfficerAppointed(
        officer_id=oid,
        unit_id=uid,
        employment_category="civil_servant",
        assignment=assignment,
        functions=functions,
        effective_date=D(2023, 1, 1),
    )


def _merge_and_move(
    successor: str, predecessors: tuple[str, ...], day: dt.date, officers: dict[str, str]
) -> list[Event]:
    return [
        OrgUnitsMerged(successor_id=successor, predecessor_ids=predecessors, effective_date=day),
        *(
            OfficerTransferred(
                officer_id=o, from_unit_id=frm, to_unit_id=successor, effective_date=day, reason="reorganisation"
            )
            for o, frm in officers.items()
        ),
    ]


def world() -> list[list[Event]]:
    before: list[Event] = []
    for p in PROVINCES:
        before += [
            unit(p, "peoples_committee", "province", None),
            unit(f"{p}.S", "state_agency", "province", p),
            unit(f"{p}.C1", "peoples_committee", "commune", p),
            unit(f"{p}.C2", "peoples_committee", "commune", p),
        ]
    before += [
        officer("a1", "A.S", ("information_security",), assignment="dedicated"),
        officer("a2", "A.C1"),
        officer("a3", "A.C2"),
        officer("b1", "B.S"),
        officer("b2", "B.C1"),
        officer("c1", "C.S", assignment="dedicated"),
        officer("c2", "C.C1"),
        officer("c3", "C.C2"),
        OfficerDeparted(officer_id="c3", unit_id="C.C2", effective_date=D(2025, 3, 1), reason="private_sector"),
    ]
    merger: list[Event] = [
        unit("S", "peoples_committee", "province", None, M),
        OrgUnitsMerged(successor_id="S", predecessor_ids=PROVINCES, effective_date=M),
        *(
            OrgUnitMoved(
                unit_id=f"{p}.{u}", parent_id="S", level="commune" if u != "S" else "province", effective_date=M
            )
            for p in PROVINCES
            for u in ("S", "C1", "C2")
        ),
    ]
    later: list[Event] = [
        unit("A.C12", "peoples_committee", "commune", "S", COMMUNE_MERGE),
        *_merge_and_move("A.C12", ("A.C1", "A.C2"), COMMUNE_MERGE, {"a2": "A.C1", "a3": "A.C2"}),
        unit("BC", "peoples_committee", "commune", "S", BORDER_MERGE),
        *_merge_and_move("BC", ("B.C1", "C.C1"), BORDER_MERGE, {"b2": "B.C1", "c2": "C.C1"}),
    ]
    return [before, merger, later]


@pytest.fixture
async def consumer_name(rpool: asyncpg.Pool) -> str:
    name = f"reporting-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(name, before_batch=use_active_schema)
    consumer.bind(rpool, RaisingDeadLetters())
    feeder = Feeder(consumer)
    for events in world():  # one consumer step each: the membership is recomputed at each commit
        assert (await feeder.feed(events)).applied == len(events)
    return name


@pytest.fixture
def client(
    reporting_db: str, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]], consumer_name: str
) -> Iterator[TestClient]:
    registry, _ = personnel_topics  # empty fresh topics: the app's own consumer has nothing to add
    settings = Settings(database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=consumer_name)
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        yield c


def _get(c: TestClient, path: str, day: dt.date, **params: Any) -> dict[str, Any]:
    response = c.get(f"/api/v1/{path}", params={"as_of": day.isoformat(), **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _counts(c: TestClient, day: dt.date, **params: Any) -> dict[str, int]:
    cards = _get(c, "overview", day, **params)["cards"]
    return {f"{card}.{f}": cards[card][f] for card, fields in ADDITIVE.items() for f in fields}


def _headcount(c: TestClient, day: dt.date, **params: Any) -> tuple[dict[str, int], list[str]]:
    body = _get(c, "officers/headcount", day, **params)
    return body["totals"], sorted(u["unit_id"] for u in body["units"])


def test_former_provinces_are_listed_with_their_days(client: TestClient) -> None:
    body = client.get("/api/v1/former-provinces").json()
    assert [(p["unit_id"], p["valid_to"], p["units"]) for p in body["former_provinces"]] == [
        ("A", "2025-06-30", 5),  # A, A.S, A.C1, A.C2 and A.C12 (formed from A.C1 and A.C2)
        ("B", "2025-06-30", 4),  # B, B.S, B.C1, B.C2, not BC (formed from B.C1 and C.C1, across the border)
        ("C", "2025-06-30", 4),
    ]
    assert client.get("/api/v1/officers/headcount", params={"former_province": "S"}).status_code == 404


def test_the_successors_overview_is_the_sum_of_its_former_provinces(client: TestClient) -> None:
    day = D(2025, 8, 1)
    successor = _counts(client, day, unit_id="S")
    parts = [_counts(client, day, former_province=p) for p in PROVINCES]
    # S's People's Committee itself, an agency, was formed from all three: it belongs to none of them.
    assert successor.pop("coverage.agencies") - 1 == sum(p.pop("coverage.agencies") for p in parts)
    assert successor.pop("coverage.failing") - 1 == sum(p.pop("coverage.failing") for p in parts)
    assert successor == {k: sum(p[k] for p in parts) for k in successor}
    assert successor["officers.total"] == 7 and [p["officers.total"] for p in parts] == [3, 2, 2]
    assert [p["attrition.departures_12m"] for p in parts] == [0, 0, 1]  # c3, in former C


def test_a_former_province_on_the_merger_day_is_the_province_the_day_before(client: TestClient) -> None:
    for p in PROVINCES:
        former = _counts(client, M, former_province=p)
        own = _counts(client, M - dt.timedelta(days=1), unit_id=p)
        # Coverage counts agencies: the province's People's Committee itself ceased on M.
        assert former.pop("coverage.agencies") == own.pop("coverage.agencies") - 1
        assert former.pop("coverage.failing") == own.pop("coverage.failing") - 1
        assert former == own, p
    a = _get(client, "overview", M, former_province="A")
    assert a["slice"] == {"unit_id": None, "sectors": [], "levels": [], "former_province": "A"}
    # Trends walk back through time too: former A's first half of 2025 is province A's.
    series = _get(client, "trends", D(2025, 10, 1), former_province="A", **{"from": "2025-01", "to": "2025-06"})
    before = _get(client, "trends", M - dt.timedelta(days=1), unit_id="A", **{"from": "2025-01", "to": "2025-06"})
    assert series["months"] == before["months"] and series["months"][0]["headcount"] == 3


def test_a_commune_merge_inside_a_former_province_keeps_its_lineage(client: TestClient) -> None:
    totals, units = _headcount(client, D(2025, 10, 1), former_province="A")
    assert units == ["A.C12", "A.S"]
    assert totals == _headcount(client, M - dt.timedelta(days=1), unit_id="A")[0]
    assert totals["total"] == 3
    # Across the former border: BC (from B.C1 and C.C1) belongs to neither, so b2 and c2 leave both slices.
    after = D(2025, 12, 1)
    assert [_headcount(client, after, former_province=p)[0]["total"] for p in PROVINCES] == [3, 1, 1]
    assert _headcount(client, after, unit_id="S")[0]["total"] == 7
    sliced = _get(client, "officers/headcount", after, former_province="B", sector="state_agency")
    assert [u["unit_id"] for u in sliced["units"]] == ["B.S"]


async def test_the_lineage_is_the_same_however_the_events_are_batched(rpool: asyncpg.Pool, consumer_name: str) -> None:
    """A rebuild replays the topics in other batches, and the per-event writers are the set-based ones'
    reference: each way ends with the same unit_former_provinces as the live consumer's steps."""
    expected = sorted(
        [(u, "A") for u in ("A", "A.S", "A.C1", "A.C2", "A.C12")]
        + [(f"{p}{u}", p) for p in ("B", "C") for u in ("", ".S", ".C1", ".C2")]
    )
    everything = [e for step in world() for e in step]
    for schema, set_based, steps in (
        ("proj_201", False, [everything]),
        ("proj_202", True, [everything[:5], everything[5:]]),
    ):
        async with rpool.acquire() as conn:
            await create_schema(conn, schema)
        consumer = make_consumer(f"lineage-{schema}", before_batch=use_schema(schema), set_based=set_based)
        consumer.bind(rpool, RaisingDeadLetters())
        feeder = Feeder(consumer)  # one feeder: its offsets go on from step to step
        for events in steps:
            assert (await feeder.feed(events)).applied == len(events)
    async with rpool.acquire() as conn:
        for schema in (await active_schema(conn), "proj_201", "proj_202"):
            rows = await conn.fetch(f'SELECT unit_id, province_id FROM "{schema}".unit_former_provinces ORDER BY 1')
            assert [tuple(r) for r in rows] == expected, schema


def test_exports_say_which_former_province_they_cover(client: TestClient) -> None:
    params = {"as_of": "2025-08-01", "former_province": "A"}
    csv = client.get("/api/v1/exports/headcount.csv", params=params)
    assert csv.status_code == 200, csv.text
    assert 'filename="headcount_tinh-cu-A_2025-08-01.csv"' in csv.headers["content-disposition"]
    xlsx = client.get("/api/v1/exports/headcount.xlsx", params=params)
    about = {r[0].value: r[1].value for r in load_workbook(io.BytesIO(xlsx.content)).worksheets[1].iter_rows()}
    assert about["Tỉnh cũ"] == "A"
