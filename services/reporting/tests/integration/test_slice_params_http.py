"""The training, recruitment and readiness endpoints' shared contract over HTTP (the real routers,
in-process, on the real PostgreSQL): 404 for a unit not valid on as_of, 422 for an unknown sector or
level, bodies exactly as the service layer builds them (the response models never reshape them), and
the response models published in /openapi.json."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from cds_plumbing.clock import today
from reporting.config import Settings
from reporting.domain.slices import Slice
from reporting.entrypoints.app import build_app
from reporting.entrypoints.http.models import readiness as models_readiness
from reporting.entrypoints.http.models import recruitment as models_recruitment
from reporting.entrypoints.http.models import training as models_training
from reporting.service_layer import readiness_views, recruitment_views, training_views
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.sliced_world import REORG, client, context, get, tree
from services.reporting.tests.integration.test_readiness_slices import teams
from services.reporting.tests.integration.test_recruitment_slices import recruitment
from services.reporting.tests.integration.test_training_slices import training

pytestmark = pytest.mark.integration
D = dt.date
BEFORE = D(2024, 12, 31)
PATHS: dict[str, dict[str, Any]] = {  # path -> the other parameters it needs
    "training/attainment": {"year": 2024},
    "training/trained-share": {},
    "training/certificates/expiring": {},
    "training/drills": {},
    "recruitment/vacancies": {},
    "recruitment/pipeline": {},
    "recruitment/policies": {},
    "recruitment/staffing-fill": {},
    "attrition": {},
    "response-teams/readiness": {},
}


@pytest.fixture
async def pool(rpool: asyncpg.Pool, feeder: Feeder) -> asyncpg.Pool:
    for events in (tree(), training(), recruitment(), teams()):
        assert (await feeder.feed(events)).applied == len(events)
    return rpool


@pytest.fixture
async def c(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with client(pool) as http:
        yield http


async def test_unknown_units_are_404_and_unknown_sectors_or_levels_422(c: httpx.AsyncClient) -> None:
    for path, extra in PATHS.items():
        for as_of, unit in ((BEFORE, "NOPE"), (REORG, "D"), (BEFORE, "C12")):  # D dissolved, C12 not yet formed
            missing = await c.get(f"/api/v1/{path}", params={**extra, "as_of": as_of.isoformat(), "unit_id": unit})
            assert missing.status_code == 404, path
            assert missing.headers["content-type"] == "application/problem+json"
            assert missing.json()["detail"] == f"unit {unit} does not exist on {as_of}"
        bad = await c.get(f"/api/v1/{path}", params={**extra, "sector": ["party_agency", "church"]})
        assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "sector", 1], path
        bad = await c.get(f"/api/v1/{path}", params={**extra, "level": "village"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "level", 0], path


async def test_every_body_says_its_day_freshness_and_slice(c: httpx.AsyncClient) -> None:
    for path, extra in PATHS.items():
        sl = {"unit_id": "P", "sector": ["party_agency", "peoples_committee"], "level": "commune"}
        body = await get(c, path, REORG, **sl, **extra)
        assert body["as_of"] == "2025-07-01" and body["current_to"] is not None, path
        assert body["slice"] == {
            "unit_id": "P",
            "sectors": ["party_agency", "peoples_committee"],
            "levels": ["commune"],
        }, path
    for path, extra in PATHS.items():  # without as_of: the province's today
        assert (await c.get(f"/api/v1/{path}", params=extra)).json()["as_of"] == today().isoformat(), path


async def test_the_response_models_leave_the_bodies_as_the_service_layer_builds_them(
    c: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    ctx = context(pool)
    for day, sl, params in (
        (BEFORE, Slice(), {}),
        (BEFORE, Slice(unit_id="D", levels=("commune",)), {"unit_id": "D", "level": "commune"}),
        (D(2025, 12, 31), Slice(unit_id="C12"), {"unit_id": "C12"}),
    ):
        expected: dict[tuple[str, str], dict[str, Any]] = {
            ("training/attainment", "year=2024"): await training_views.attainment(ctx, day, sl, 2024),
            ("training/trained-share", ""): await training_views.trained_share(ctx, day, sl),
            ("training/certificates/expiring", "days=400"): await training_views.expiring(ctx, day, sl, 400),
            ("training/drills", "year=2024"): await training_views.drills(ctx, day, sl, 2024),
            ("recruitment/vacancies", ""): await recruitment_views.vacancies(ctx, day, sl),
            ("recruitment/pipeline", ""): await recruitment_views.pipeline(ctx, day, sl, None),
            ("recruitment/policies", ""): await recruitment_views.policies(ctx, day, sl),
            ("recruitment/staffing-fill", "year=2024"): await recruitment_views.staffing_fill(ctx, day, sl, 2024),
            ("attrition", ""): await recruitment_views.attrition(ctx, day, sl),
            ("response-teams/readiness", ""): await readiness_views.readiness(ctx, day, sl),
        }
        for (path, extra), body in expected.items():
            asked = {**params, **dict([extra.split("=")] if extra else [])}
            response = await c.get(f"/api/v1/{path}", params={"as_of": day.isoformat(), **asked})
            assert response.status_code == 200, response.text
            # Same JSON, keys in the same order (what a client or an export sees).
            assert json.dumps(response.json()) == json.dumps(jsonable_encoder(body)), (path, params)
    # The data above is not empty: every list the models describe was exercised.
    full = await get(c, "training/certificates/expiring", BEFORE, days=400)
    assert len(full["certificates"]) == 3


def test_the_response_models_are_published_in_openapi() -> None:
    schema = build_app(Settings(database_url="postgresql://unused/unused")).openapi()
    models = {
        "/api/v1/training/attainment": "AttainmentResponse",
        "/api/v1/training/trained-share": "TrainedShareResponse",
        "/api/v1/training/certificates/expiring": "ExpiringResponse",
        "/api/v1/training/drills": "DrillsResponse",
        "/api/v1/recruitment/vacancies": "VacanciesResponse",
        "/api/v1/recruitment/pipeline": "PipelineResponse",
        "/api/v1/recruitment/policies": "PoliciesResponse",
        "/api/v1/recruitment/staffing-fill": "StaffingFillResponse",
        "/api/v1/attrition": "AttritionResponse",
        "/api/v1/response-teams/readiness": "ReadinessResponse",
    }
    components = schema["components"]["schemas"]
    for path, model in models.items():
        get_ = schema["paths"][path]["get"]
        ok = get_["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{model}"}, path
        assert "404" in get_["responses"], path
        assert {p["name"] for p in get_["parameters"]} >= {"as_of", "unit_id", "sector", "level"}, path
    ours = {
        name
        for module in (models_training, models_recruitment, models_readiness)
        for name, obj in vars(module).items()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__
    }
    assert ours <= set(components) | {"Frozen", "Header"} and len(ours) > 30
    undescribed = [
        f"{name}.{field}"
        for name in ours & set(components)
        for field, spec in components[name].get("properties", {}).items()
        if "description" not in spec
    ]
    assert undescribed == []
    assert components["AttritionWindow"]["required"] == ["from", "to"]  # the body's key, not the Python name
