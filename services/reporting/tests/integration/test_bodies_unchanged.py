"""Every reporting GET body, on a fixed data set, against golden bodies recorded from main at 1817587.

The golden file (bodies_golden.json) was written by this test's own requests on the code as it was before
the view registry (issue 16), so a refactoring of how views are wired (routes, overview, exports,
snapshots) cannot change a status or a byte of a body without failing here. Only fields that say when a
body was made are left out (VOLATILE). To record afresh after a deliberate change of a body:
`REPORTING_BODIES_RECORD=1 .venv/bin/pytest services/reporting/tests/integration/test_bodies_unchanged.py`,
and review the diff of bodies_golden.json like code."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_contracts import Registry, TopicSpec
from cds_plumbing.auth import Role, mint_token
from reporting.config import Settings
from reporting.entrypoints.app import build_app
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.scenario import Feeder, correction, history, reorganisation, sectors
from services.reporting.tests.integration.test_readiness_view import team
from services.reporting.tests.integration.test_recruitment_views import recruitment
from services.reporting.tests.integration.test_training_views import year_2024

pytestmark = pytest.mark.integration

GOLDEN = Path(__file__).with_name("bodies_golden.json")
VOLATILE = frozenset({"generated_at", "created_at"})
DAYS = ("2024-12-31", "2025-07-01", "2025-12-31")
# the whole province, the root, a district merged away in 2025 (404 after it), a sector, a level, both
SLICES = (
    "",
    "unit_id=P",
    "unit_id=D",
    "sector=peoples_committee",
    "level=commune",
    "sector=state_agency&level=district",
)
VIEWS = (
    "/api/v1/units/tree",
    "/api/v1/officers/headcount",
    "/api/v1/officers/coverage",
    "/api/v1/community-teams",
    "/api/v1/training/attainment?year=2024",
    "/api/v1/training/attainment?year=2025",
    "/api/v1/training/trained-share",
    "/api/v1/training/certificates/expiring?days=3650",
    "/api/v1/training/drills",
    "/api/v1/training/drills?year=2024",
    "/api/v1/recruitment/vacancies",
    "/api/v1/recruitment/pipeline",
    "/api/v1/recruitment/pipeline?year=2024",
    "/api/v1/recruitment/policies",
    "/api/v1/recruitment/staffing-fill?year=2024",
    "/api/v1/recruitment/staffing-fill",
    "/api/v1/attrition",
    "/api/v1/response-teams/readiness",
    "/api/v1/overview",
    "/api/v1/trends",
    "/api/v1/trends?from=2024-01&to=2025-06",
)
EXPORTS = (
    "headcount",
    "coverage",
    "community-teams",
    "community-members",
    "trained-share",
    "certificates-expiring?days=3650",
    "drills?year=2024",
    "attainment?year=2024",
    "vacancies",
    "pipeline?year=2024",
    "policies",
    "staffing-fill?year=2024",
    "attrition-months",
    "attrition-units",
    "readiness",
    "trends",
    "units",
)
ERRORS = (  # the error answers are part of the behaviour too
    "/api/v1/officers/headcount?unit_id=NOPE&as_of=2024-12-31",
    "/api/v1/training/attainment?as_of=2024-12-31",
    "/api/v1/training/attainment?year=2024&unit_id=NOPE&as_of=2024-12-31",
    "/api/v1/trends?as_of=2024-12-31&from=2025-01",
    "/api/v1/trends?as_of=2024-12-31&from=2024-05&to=2024-01",
    "/api/v1/trends?as_of=2024-12-31&unit_id=NOPE",
    "/api/v1/overview?as_of=2024-12-31&unit_id=NOPE",
    "/api/v1/overview?as_of=2024-12-31&sector=nope",
    "/api/v1/recruitment/vacancies?as_of=2024-12-31&level=nope",
    "/api/v1/units/NOPE/history",
    "/api/v1/exports/attainment.csv?as_of=2024-12-31",
    "/api/v1/exports/headcount.csv?as_of=2024-12-31&unit_id=NOPE",
    "/api/v1/exports/trends.csv?as_of=2024-12-31&from=2025-01",
    "/api/v1/exports/drills.csv?as_of=2024-12-31&year=1999",
    "/api/v1/exports/nope.csv",
    "/api/v1/exports/headcount.pdf",
)


def requests() -> list[str]:
    paths = ["/api/v1/freshness", *ERRORS]
    for day in DAYS:
        for sl in SLICES:
            query = "&".join(q for q in (f"as_of={day}", sl) if q)
            paths += [f"{v}{'&' if '?' in v else '?'}{query}" for v in VIEWS]
        for table in EXPORTS:
            name, _, params = table.partition("?")
            query = "&".join(q for q in (params, f"as_of={day}", "unit_id=P") if q)
            paths += [f"/api/v1/exports/{name}.csv?lang={lang}&{query}" for lang in ("vi", "en")]
    paths += [f"/api/v1/units/{u}/history?as_of={d}" for u in ("P", "D", "C1", "C12") for d in DAYS]
    return paths


def _scrub(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _scrub(v) for k, v in body.items() if k not in VOLATILE}
    if isinstance(body, list):
        return [_scrub(v) for v in body]
    return body


def _answer(response: Any) -> dict[str, Any]:
    kind = response.headers.get("content-type", "")
    body = _scrub(response.json()) if "json" in kind else response.text
    return {"status": response.status_code, "retry_after": response.headers.get("retry-after"), "body": body}


@pytest.fixture
async def fed(feeder: Feeder) -> Feeder:
    for events in (history() + reorganisation() + correction() + sectors(), year_2024(), recruitment(), team()):
        result = await feeder.feed(events)
        assert result.dead_lettered == 0 and result.applied == len(events)
    return feeder


@pytest.fixture
def settings(reporting_db: str, bootstrap: str) -> Settings:
    return Settings(
        database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=f"rep-{uuid.uuid4().hex[:8]}"
    )


@pytest.fixture
def client(settings: Settings, personnel_topics: tuple[Registry, list[TopicSpec]], fed: Feeder) -> Iterator[TestClient]:
    registry, _ = personnel_topics  # the app's own consumer reads fresh, empty topics
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        yield c


def admin(settings: Settings) -> dict[str, str]:
    token = mint_token(settings, Role.PROVINCE_ADMIN, subject="bodies-admin")
    return {"Authorization": f"Bearer {token}"}


def _unnamed(answer: dict[str, Any]) -> dict[str, Any]:
    """Freshness names the test's own consumer and topics, which are fresh (random) names every run."""
    body = answer["body"]
    topics = [{**t, "topic": re.sub(r"-[0-9a-f]{8}$", "", t["topic"])} for t in body["topics"]]
    return {**answer, "body": {**body, "consumer": "<consumer>", "topics": topics}}


def capture(client: TestClient, settings: Settings) -> dict[str, Any]:
    out = {path: _answer(client.get(path)) for path in requests()}
    out["/api/v1/freshness"] = _unnamed(out["/api/v1/freshness"])
    # a snapshot: what it freezes, its detail, a frozen view and an export of it
    body = {
        "name": "q4-2024",
        "title": "Quý IV/2024",
        "as_of": "2024-12-31",
        "unit_id": "P",
        "sectors": [],
        "levels": [],
    }
    out["POST /api/v1/snapshots"] = _answer(client.post("/api/v1/snapshots", json=body, headers=admin(settings)))
    for path in (
        "/api/v1/snapshots",
        "/api/v1/snapshots/q4-2024",
        "/api/v1/snapshots/q4-2024/views/attainment",
        "/api/v1/snapshots/q4-2024/views/trends",
        "/api/v1/snapshots/q4-2024/exports/attrition-months.csv",
        "/api/v1/snapshots/q4-2024/exports/drills.csv",
    ):
        out[path] = _answer(client.get(path))
    bad = {**body, "name": "bad", "unit_id": "NOPE"}
    out["POST /api/v1/snapshots (unknown unit)"] = _answer(
        client.post("/api/v1/snapshots", json=bad, headers=admin(settings))
    )
    return out


def test_every_get_body_is_the_golden_one(client: TestClient, settings: Settings) -> None:
    got = capture(client, settings)
    if os.environ.get("REPORTING_BODIES_RECORD") == "1":
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"recorded {len(got)} answers in {GOLDEN.name}")
    golden = json.loads(GOLDEN.read_text())
    assert sorted(got) == sorted(golden)
    differ = [path for path in golden if got[path] != golden[path]]
    assert not differ, f"{len(differ)} of {len(golden)} answers differ, first {differ[0]}: {got[differ[0]]}"
    assert sum(a["status"] == 200 for a in golden.values()) > 400  # the data set answers, not only errors
