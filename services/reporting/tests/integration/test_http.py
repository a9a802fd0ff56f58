"""The reporting app end to end: personnel's events on real (fresh) Kafka topics, the app's own live
consumer projecting them, and the read endpoints over HTTP."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_contracts import Registry, TopicSpec
from cds_plumbing.clock import PROVINCE_TZ
from reporting.config import Settings
from reporting.entrypoints.app import build_app
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.scenario import correction, history, produce, reorganisation

pytestmark = pytest.mark.integration


@pytest.fixture
async def produced(bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]]) -> tuple[Registry, int]:
    registry, _ = personnel_topics
    return registry, await produce(bootstrap, registry, history() + reorganisation() + correction())


def _applied(client: TestClient) -> int:
    body = client.get("/api/v1/freshness").json()
    return sum(o["next_offset"] for t in body["topics"] for o in t["offsets"])


def _totals(body: dict[str, Any]) -> dict[str, int]:
    return {u["unit_id"]: u["rolled_up"]["total"] for u in body["units"]}


def test_read_endpoints_over_the_live_consumer(database: str, bootstrap: str, produced: tuple[Registry, int]) -> None:
    registry, events = produced
    settings = Settings(
        database_url=database, kafka_bootstrap_servers=bootstrap, consumer_name=f"reporting-{uuid.uuid4().hex[:8]}"
    )
    with TestClient(
        build_app(settings, registry=registry), headers=viewer(settings)
    ) as client:  # start-up applies the migrations
        for _ in range(300):
            if _applied(client) >= events:
                break
            time.sleep(0.1)
        assert _applied(client) == events

        tree = client.get("/api/v1/units/tree", params={"as_of": "2025-07-01"}).json()
        assert [c["unit_id"] for c in tree["units"][0]["children"]] == ["C12", "C3", "P.HTH", "P.SKHCN"]
        assert tree["as_of"] == "2025-07-01" and tree["current_to"] is not None
        today = client.get("/api/v1/units/tree").json()
        assert today["as_of"] == dt.datetime.now(PROVINCE_TZ).date().isoformat()

        headcount = client.get("/api/v1/officers/headcount", params={"as_of": "2024-12-31", "unit_id": "D"})
        assert _totals(headcount.json()) == {"D": 5, "C1": 1, "C2": 1, "C3": 2}
        after = client.get("/api/v1/officers/headcount", params={"as_of": "2025-07-01"}).json()
        assert _totals(after) == {"P": 8, "P.SKHCN": 2, "P.HTH": 1, "C12": 2, "C3": 2}

        coverage = client.get("/api/v1/officers/coverage", params={"as_of": "2025-07-01"}).json()
        assert coverage["summary"] == {"agencies": 4, "compliant": 2, "failing": 2}
        teams = client.get("/api/v1/community-teams", params={"as_of": "2025-07-01"}).json()
        assert teams["totals"] == {"teams": 3, "members": 4}
        history_ = client.get("/api/v1/units/C2/history").json()
        assert history_["successors"] == [{"unit_id": "C12", "kind": "merge", "effective_date": "2025-07-01"}]

        missing = client.get("/api/v1/units/NOPE/history")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        gone = client.get("/api/v1/officers/headcount", params={"as_of": "2025-07-01", "unit_id": "D"})
        assert gone.status_code == 404 and "does not exist on 2025-07-01" in gone.json()["detail"]
        bad = client.get("/api/v1/officers/coverage", params={"as_of": "2025-02-30"})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        assert bad.json()["errors"][0]["loc"] == ["query", "as_of"]

        # Slices: People's Committees only roll up People's Committees (P leaves out P.SKHCN and P.HTH).
        committees = client.get(
            "/api/v1/officers/headcount", params={"as_of": "2024-12-31", "sector": "peoples_committee"}
        ).json()
        assert _totals(committees) == {"P": 5, "D": 5, "C1": 1, "C2": 1, "C3": 2}
        assert committees["slice"] == {"unit_id": None, "sectors": ["peoples_committee"], "levels": []}
        communes = client.get("/api/v1/officers/headcount", params={"as_of": "2025-07-01", "level": "commune"})
        assert _totals(communes.json()) == {"C12": 2, "C3": 2} and communes.json()["totals"]["total"] == 4
        state = client.get("/api/v1/officers/coverage", params={"as_of": "2025-07-01", "sector": "state_agency"})
        assert state.json()["summary"] == {"agencies": 1, "compliant": 1, "failing": 0}
        assert [a["unit_id"] for a in state.json()["agencies"]] == ["P.SKHCN"]
        merged = client.get("/api/v1/community-teams", params={"as_of": "2025-07-01", "unit_id": "C12"}).json()
        assert merged["totals"] == {"teams": 2, "members": 3}
        tree = client.get("/api/v1/units/tree", params={"as_of": "2025-07-01", "sector": "state_agency"}).json()
        assert [(n["unit_id"], n["in_slice"]) for n in tree["units"] + tree["units"][0]["children"]] == [
            ("P", False),
            ("P.SKHCN", True),
        ]
        wrong = client.get("/api/v1/community-teams", params={"sector": "church"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["query", "sector", 0]

        _check_openapi(client.get("/openapi.json").json())


RESPONSE_MODELS = {
    "/api/v1/units/tree": "UnitTreeResponse",
    "/api/v1/units/{unit_id}/history": "UnitHistoryResponse",
    "/api/v1/officers/headcount": "HeadcountResponse",
    "/api/v1/officers/coverage": "CoverageResponse",
    "/api/v1/community-teams": "CommunityTeamsResponse",
    "/api/v1/freshness": "FreshnessResponse",
}


def _check_openapi(spec: dict[str, Any]) -> None:
    """Each view names its response model, and every field of those models is described."""
    schemas = spec["components"]["schemas"]
    seen: set[str] = set()

    def walk(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for field, prop in schemas[name]["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
            for ref in _refs(prop):
                walk(ref)

    for path, model in RESPONSE_MODELS.items():
        get = spec["paths"][path]["get"]
        assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model}"
        }, path
        if path != "/api/v1/freshness":
            params = {p["name"] for p in get["parameters"]}
            assert {"as_of", "sector", "level"} <= params and ({"unit_id", "within"} & params), path
        walk(model)
    assert {"HeadcountUnit", "OfficerCounts", "AgencyCoverageRow", "SliceEcho", "UnitTreeNode"} <= seen


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
