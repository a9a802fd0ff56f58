"""Every /api/v1 operation of all four services answers 401 (a problem body, WWW-Authenticate: Bearer)
without a token and with a bad one, reads included; health, metrics, OpenAPI, the docs page and the
dashboard's files stay open. The routes are enumerated from the apps themselves, so a route added later
is covered without touching this test; the apps also refuse to start with an unprotected one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from importlib import import_module

import jwt
import pytest
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient

from cds_plumbing.auth import unprotected_api_routes

SERVICES = ("personnel", "training", "recruitment", "reporting")


def app_of(service: str) -> FastAPI:
    return import_module(f"{service}.entrypoints.app").app  # type: ignore[no-any-return]


def operations() -> Iterator[tuple[str, str, str]]:
    for service in SERVICES:
        for ctx in routing.iter_route_contexts(app_of(service).routes):
            if (ctx.path or "").startswith("/api/v1"):
                for method in sorted(ctx.methods or ()):
                    yield service, method, re.sub(r"\{[^}]+\}", "X-1", ctx.path or "")


OPERATIONS = list(operations())
FORGED = jwt.encode(
    {"sub": "intruder", "role": "province_admin", "exp": int(time.time()) + 3600},
    "a-secret-that-is-not-the-services-secret!",
    algorithm="HS256",
)


def test_every_service_is_covered_and_none_has_an_unprotected_route() -> None:
    assert {s for s, _, _ in OPERATIONS} == set(SERVICES)
    assert len(OPERATIONS) > 100
    for service in SERVICES:
        assert unprotected_api_routes(app_of(service).routes) == [], service


@pytest.mark.parametrize(("service", "method", "path"), OPERATIONS, ids=[f"{s}:{m} {p}" for s, m, p in OPERATIONS])
def test_no_token_or_a_bad_token_is_401_problem(service: str, method: str, path: str) -> None:
    client = TestClient(app_of(service))  # no lifespan: the token is checked before anything else runs
    for headers in ({}, {"Authorization": f"Bearer {FORGED}"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        r = client.request(method, path, headers=headers, json={})
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["status"] == 401


@pytest.mark.parametrize("service", SERVICES)
def test_health_openapi_and_docs_stay_open_and_openapi_names_the_bearer_scheme(service: str) -> None:
    client = TestClient(app_of(service))
    assert client.get("/health/live").status_code == 200
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": spec["components"]["securitySchemes"]["bearer"]["description"],
    }
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            protected = {"bearer": []} in operation.get("security", [])
            assert protected == path.startswith("/api/v1"), (method, path)
    if service == "reporting":
        assert client.get("/dashboard/").status_code == 200  # the page; its figures need a token
        assert client.get("/dashboard/config.json").json() == {"oidc": None}
