"""Named snapshots through the app on the real PostgreSQL: taken with a province_admin token, frozen
against later (also back-dated) events, kept across a projection rebuild, readable without a token."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_contracts import Event, Registry, TopicSpec
from cds_contracts.personnel_officers import OfficerAppointed, OfficerDeparted
from cds_contracts.personnel_org_units import OrgUnitRegistered
from cds_plumbing.auth import Role, mint_token
from reporting.adapters.projection_schema import active_schema, create_schema, next_schema, swap_in, use_active_schema
from reporting.config import Settings
from reporting.entrypoints.app import build_app
from reporting.entrypoints.events.subscribers import make_consumer
from reporting.entrypoints.http.registry import SNAPSHOT_VIEWS as VIEWS
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.scenario import Feeder, RaisingDeadLetters

pytestmark = pytest.mark.integration
D = dt.date
AS_OF = "2025-06-30"
VIEW_NAMES = [
    "attainment",
    "attrition",
    "community-teams",
    "coverage",
    "headcount",
    "readiness",
    "trained-share",
    "trends",
    "vacancies",
]


def officer(oid: str, uid: str, assignment: str, functions: tuple[str, ...], since: dt.date) -> Event:
    return OfficerAppointed.model_validate(
        {
            "officer_id": oid,
            "unit_id": uid,
            "employment_category": "civil_servant",
            "assignment": assignment,
            "functions": functions,
            "effective_date": since,
        }
    )


def province() -> list[Event]:
    def unit(uid: str, kind: str, level: str, parent: str | None) -> Event:
        return OrgUnitRegistered(
            unit_id=uid, name_vi=uid, kind=kind, level=level, parent_id=parent, valid_from=D(2020, 1, 1)
        )

    return [
        unit("P", "peoples_committee", "province", None),
        unit("S", "state_agency", "province", "P"),
        unit("C", "peoples_committee", "commune", "P"),
        officer("o1", "S", "dedicated", ("information_security",), D(2023, 1, 1)),
        officer("o2", "S", "concurrent", ("it_technical",), D(2023, 1, 1)),
        officer("o3", "C", "concurrent", (), D(2024, 1, 1)),
    ]


def later() -> list[Event]:
    """Keyed in after the report was sent, dated before its day: o4 from February, o2 left in June."""
    return [
        officer("o4", "S", "dedicated", ("it_technical",), D(2025, 2, 1)),
        OfficerDeparted(officer_id="o2", unit_id="S", effective_date=D(2025, 6, 1), reason="retirement"),
    ]


@pytest.fixture
def settings(reporting_db: str, bootstrap: str) -> Settings:
    # a private group name keeps the app's consumer out of the running stack's group
    return Settings(
        database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=f"reporting-{uuid.uuid4().hex[:8]}"
    )


@pytest.fixture
async def feeder(rpool: asyncpg.Pool, settings: Settings) -> Feeder:
    """Feeds the projections as the app's consumer, so the views' current_to moves with it."""
    consumer = make_consumer(settings.consumer_name, before_batch=use_active_schema)
    consumer.bind(rpool, RaisingDeadLetters())
    f = Feeder(consumer)
    await f.feed(province())
    return f


@pytest.fixture
def client(
    settings: Settings, personnel_topics: tuple[Registry, list[TopicSpec]], feeder: Feeder
) -> Iterator[TestClient]:
    registry, _ = personnel_topics  # empty fresh topics: the projections are fed directly
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        yield c


def auth(settings: Settings, role: Role, subject: str = "someone") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, role, subject=subject)}"}


def request(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "title": "Báo cáo quý II/2025", "as_of": AS_OF, "note": "gửi UBND tỉnh", **extra}


async def test_a_snapshot_never_changes_after_it_is_taken(
    client: TestClient, settings: Settings, feeder: Feeder, rpool: asyncpg.Pool
) -> None:
    admin = auth(settings, Role.PROVINCE_ADMIN, "admin-tinh")
    live_before = client.get("/api/v1/officers/headcount", params={"as_of": AS_OF}).json()
    assert live_before["totals"]["total"] == 3 and live_before["totals"]["dedicated"] == 1  # o1, o2, o3; o1

    taken = client.post("/api/v1/snapshots", json=request("quy-2-2025"), headers=admin)
    assert taken.status_code == 201, taken.text
    assert taken.headers["location"] == "/api/v1/snapshots/quy-2-2025"
    body = taken.json()
    assert body["views"] == VIEW_NAMES == sorted(VIEWS)
    assert (body["created_by"], body["as_of"], body["title"]) == ("admin-tinh", AS_OF, "Báo cáo quý II/2025")
    assert body["slice"] == {"unit_id": None, "sectors": [], "levels": []}

    frozen_headcount = client.get("/api/v1/snapshots/quy-2-2025/views/headcount").json()
    assert frozen_headcount == live_before
    june = client.get("/api/v1/snapshots/quy-2-2025/views/trends").json()["months"][-1]
    assert (june["month"], june["headcount"], june["dedicated"], june["departures"]) == ("2025-06", 3, 1, 0)

    await feeder.feed(later())
    live_after = client.get("/api/v1/officers/headcount", params={"as_of": AS_OF}).json()
    assert live_after["totals"]["total"] == 3 and live_after["totals"]["dedicated"] == 2  # o1, o3, o4; o1, o4
    assert live_after != live_before
    live_june = client.get("/api/v1/trends", params={"as_of": AS_OF}).json()["months"][-1]
    assert (live_june["dedicated"], live_june["departures"]) == (2, 1)

    # the quarterly report as a spreadsheet is cut from the frozen body, not from today's projections
    exported = client.get("/api/v1/snapshots/quy-2-2025/exports/trends.csv")
    assert exported.status_code == 200, exported.text
    assert 'filename="quy-2-2025_' in exported.headers["content-disposition"]
    last = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[-1]
    assert last[0] == "2025-06" and last[2:4] == ["3", "1"]  # month, month end, headcount 3, dedicated 1
    assert client.get("/api/v1/snapshots/quy-2-2025/exports/policies.csv").status_code == 404  # not frozen
    assert client.get("/api/v1/snapshots/nope/exports/trends.csv").status_code == 404

    detail = client.get("/api/v1/snapshots/quy-2-2025").json()
    assert detail["views"]["headcount"] == live_before
    assert detail["views"]["trends"]["months"][-1] == june
    assert detail["params"]["views"]["attainment"] == {
        "path": "/api/v1/training/attainment",
        "query": [["as_of", AS_OF], ["year", "2025"]],
    }
    assert detail["note"] == "gửi UBND tỉnh"

    # a rebuild fills and swaps a new projection schema; snapshots live outside it
    async with rpool.acquire() as conn:
        old = await active_schema(conn)
        await create_schema(conn, next_schema(old))
        await swap_in(conn, next_schema(old), rebuild_consumer="rebuild", live_consumer=settings.consumer_name)
    assert client.get("/api/v1/officers/headcount", params={"as_of": AS_OF}).json()["totals"]["total"] == 0
    assert client.get("/api/v1/snapshots/quy-2-2025/views/headcount").json() == live_before


def test_a_sliced_snapshot_passes_its_slice_to_the_views(client: TestClient, settings: Settings) -> None:
    admin = auth(settings, Role.PROVINCE_ADMIN)
    taken = client.post(
        "/api/v1/snapshots", json=request("so-ban-nganh", unit_id="P", sectors=["state_agency"]), headers=admin
    )
    assert taken.status_code == 201, taken.text
    frozen = client.get("/api/v1/snapshots/so-ban-nganh/views/trends").json()
    assert frozen["slice"] == {"unit_id": "P", "sectors": ["state_agency"], "levels": []}
    assert frozen["months"][-1]["headcount"] == 2  # o1 and o2 in S; o3 sits in a People's Committee
    query = client.get("/api/v1/snapshots/so-ban-nganh").json()["params"]["views"]["headcount"]["query"]
    assert query == [["as_of", AS_OF], ["unit_id", "P"], ["sector", "state_agency"]]
    listed = client.get("/api/v1/snapshots").json()["snapshots"]
    assert [(s["name"], s["slice"]["unit_id"]) for s in listed] == [("so-ban-nganh", "P")]


def test_who_may_take_and_delete_and_what_is_refused(client: TestClient, settings: Settings) -> None:
    admin = auth(settings, Role.PROVINCE_ADMIN)
    assert client.post("/api/v1/snapshots", json=request("q2"), headers={"Authorization": ""}).status_code == 401
    assert client.post("/api/v1/snapshots", json=request("q2"), headers=auth(settings, Role.VIEWER)).status_code == 403
    editor = {"Authorization": f"Bearer {mint_token(settings, Role.UNIT_EDITOR, unit='S')}"}
    assert client.post("/api/v1/snapshots", json=request("q2"), headers=editor).status_code == 403

    assert client.post("/api/v1/snapshots", json=request("q2"), headers=admin).status_code == 201
    duplicate = client.post("/api/v1/snapshots", json=request("q2"), headers=admin)
    assert duplicate.status_code == 409 and "q2" in duplicate.json()["detail"]

    unknown = client.post("/api/v1/snapshots", json=request("nope", unit_id="NOPE"), headers=admin)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == f"unit NOPE does not exist on {AS_OF}"
    for bad in (request("Quý 2"), request("q3", sectors=["banks"]), {"name": "q3", "as_of": AS_OF}):
        refused = client.post("/api/v1/snapshots", json=bad, headers=admin)
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert [s["name"] for s in client.get("/api/v1/snapshots").json()["snapshots"]] == ["q2"]

    assert client.get("/api/v1/snapshots/nope").status_code == 404
    missing_view = client.get("/api/v1/snapshots/q2/views/dashboard")
    assert missing_view.status_code == 404 and "no view 'dashboard'" in missing_view.json()["detail"]

    assert client.delete("/api/v1/snapshots/q2", headers={"Authorization": ""}).status_code == 401
    assert client.delete("/api/v1/snapshots/q2", headers=auth(settings, Role.VIEWER)).status_code == 403
    assert client.delete("/api/v1/snapshots/q2", headers=admin).status_code == 204
    assert client.get("/api/v1/snapshots/q2").status_code == 404
    assert client.delete("/api/v1/snapshots/q2", headers=admin).status_code == 404


async def test_an_old_snapshot_with_fewer_views_still_reads(client: TestClient, rpool: asyncpg.Pool) -> None:
    """Taken before trends existed: its list of views is its own, whatever VIEWS holds today."""
    headcount = {"as_of": "2024-12-31", "current_to": None, "totals": {"total": 7}}
    async with rpool.acquire() as conn:
        await conn.execute(
            """INSERT INTO report_snapshots (name, title, as_of, params, views, created_by)
               VALUES ('quy-4-2024', 'Báo cáo quý IV/2024', '2024-12-31', $1, $2, 'admin')""",
            {"as_of": "2024-12-31", "slice": {"unit_id": None, "sectors": [], "levels": []}, "views": {}},
            {"headcount": headcount},
        )
    assert [s["name"] for s in client.get("/api/v1/snapshots").json()["snapshots"]] == ["quy-4-2024"]
    detail = client.get("/api/v1/snapshots/quy-4-2024").json()
    assert detail["views"] == {"headcount": headcount} and detail["note"] is None
    assert client.get("/api/v1/snapshots/quy-4-2024/views/headcount").json() == headcount
    assert client.get("/api/v1/snapshots/quy-4-2024/views/trends").status_code == 404
