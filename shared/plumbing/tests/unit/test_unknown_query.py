"""Every /api/v1 operation refuses query parameters it does not declare (a misspelt filter must not
silently answer everything unfiltered)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.testclient import TestClient

from cds_plumbing.http import KNOWN_QUERY_ONLY, install_problem_handlers


def _slice(unit_id: Annotated[str | None, Query()] = None) -> str | None:
    return unit_id


def _client() -> TestClient:
    router = APIRouter()

    @router.get("/things")
    async def things(
        subject: Annotated[str | None, Query()] = None,
        tag: Annotated[list[str] | None, Query()] = None,
        unit: Annotated[str | None, Depends(_slice)] = None,
    ) -> dict[str, object]:
        return {"subject": subject, "tag": tag, "unit": unit}

    @router.get("/bare")
    async def bare() -> dict[str, str]:
        return {"ok": "yes"}

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router, dependencies=KNOWN_QUERY_ONLY)
    return TestClient(app)


def test_declared_parameters_pass_including_a_dependency_s_and_repeated_ones() -> None:
    answer = _client().get("/things", params=[("subject", "o-1"), ("tag", "a"), ("tag", "b"), ("unit_id", "u")])
    assert answer.status_code == 200
    assert answer.json() == {"subject": "o-1", "tag": ["a", "b"], "unit": "u"}


def test_a_misspelt_filter_is_a_422_naming_it_and_what_the_operation_takes() -> None:
    answer = _client().get("/things", params={"subjet": "o-1"})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "subjet" in detail and "subject" in detail and "unit_id" in detail


def test_an_operation_without_parameters_refuses_any() -> None:
    assert _client().get("/bare").status_code == 200
    answer = _client().get("/bare", params={"x": "1"})
    assert answer.status_code == 422 and "x" in answer.json()["detail"]
