"""cds_plumbing.http's two rules every service shares: which domain error answers which problem, and the
paging parameters and envelope of list routes (on a bare FastAPI app, no engines needed)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cds_plumbing.http import Limit, Offset, install_domain_errors, install_problem_handlers, page, problem


class DomainError(Exception):
    pass


class NotFoundError(DomainError):
    pass


class ConflictError(DomainError):
    pass


class RuleViolationError(DomainError):
    pass


class ListedError(RuleViolationError):
    """A refusal with its own handler, as personnel's rejected import."""


def app() -> FastAPI:
    api = FastAPI()
    install_problem_handlers(api)
    install_domain_errors(
        api, DomainError, not_found=NotFoundError, conflict=ConflictError, rule_violation=RuleViolationError
    )

    async def listed(request: Any, exc: ListedError) -> Any:
        return problem(422, "Listed", str(exc), instance=request.url.path, errors=[{"row": 1}])

    api.add_exception_handler(ListedError, listed)  # type: ignore[arg-type]
    kinds: dict[str, type[Exception]] = {
        "missing": NotFoundError,
        "taken": ConflictError,
        "broken": RuleViolationError,
        "other": DomainError,
        "listed": ListedError,
    }

    @api.get("/refuse/{kind}")
    async def refuse(kind: str) -> None:
        raise kinds[kind](f"refused: {kind}")

    @api.get("/rows")
    async def rows(limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        everything = list(range(7))
        return page(everything[offset : offset + limit], len(everything), limit, offset)

    return api


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("missing", 404, "Not Found"),
        ("taken", 409, "Conflict"),
        ("broken", 422, "Rule violated"),
        ("other", 400, "Bad Request"),
    ],
)
def test_each_kind_of_domain_error_answers_its_problem(kind: str, status: int, title: str) -> None:
    response = TestClient(app()).get(f"/refuse/{kind}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["title"], body["status"], body["detail"]) == (title, status, f"refused: {kind}")
    assert body["instance"] == f"/refuse/{kind}"


def test_a_handler_for_a_subclass_still_wins() -> None:
    body = TestClient(app()).get("/refuse/listed").json()
    assert (body["title"], body["errors"]) == ("Listed", [{"row": 1}])


def test_a_page_is_the_rows_asked_for_with_the_total() -> None:
    body = TestClient(app()).get("/rows", params={"limit": 3, "offset": 5}).json()
    assert body == {"items": [5, 6], "total": 7, "limit": 3, "offset": 5}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"offset": 2**31}])
def test_paging_out_of_bounds_is_a_422(params: dict[str, int]) -> None:
    response = TestClient(app()).get("/rows", params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][0] == "query"
