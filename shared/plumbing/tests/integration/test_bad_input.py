"""The plumbing every service gets from create_service_app, on a small app over the real PostgreSQL and
Kafka: database refusals become 409/422 problems, a statement past the HTTP timeout a 503 with
Retry-After, bodies over their cap 413, and the OpenAPI document declares each of those errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from cds_contracts.bounds import Id
from cds_plumbing.auth import Role, Writer, mint_token
from cds_plumbing.idempotency import purge_expired
from cds_plumbing.runtime import create_service_app
from cds_plumbing.settings import ServiceSettings

pytestmark = pytest.mark.integration


class Counter(BaseModel):
    counter_id: Id
    total: int


def _app(settings: ServiceSettings) -> FastAPI:
    app = create_service_app(settings, title="bad input", body_caps={"/big": 4000})

    @app.post("/counters", status_code=201)
    async def create(body: Counter, request: Request, who: Writer) -> dict[str, str]:
        pool: asyncpg.Pool = request.app.state.runtime.pool
        await pool.execute(  # total is bigint, applied an int: a total beyond int4 into `applied` fails
            "INSERT INTO counters (counter_id, total, applied) VALUES ($1, $2, $3)", body.counter_id, 0, body.total
        )
        return {"counter_id": body.counter_id}

    @app.get("/sleep")
    async def sleep(request: Request, seconds: float = 2.0) -> dict[str, Any]:
        await request.app.state.runtime.pool.execute("SELECT pg_sleep($1)", seconds)
        return {"slept": seconds}

    @app.post("/flaky")
    async def flaky(request: Request, fail: int = 1) -> dict[str, int]:
        """Fails with a serialization error on its first `fail` runs (counted across runs)."""
        request.app.state.runs = getattr(request.app.state, "runs", 0) + 1
        body = await request.json()
        if request.app.state.runs <= fail:
            raise asyncpg.SerializationError("could not serialize access due to concurrent update")
        return {"runs": request.app.state.runs, "x": body["x"]}

    @app.post("/big")
    async def big(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return app


@pytest.fixture
def client(database: str, bootstrap: str, topic_prefix: str) -> Iterator[TestClient]:
    settings = ServiceSettings(
        service_name="badinput",
        database_url=database,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=topic_prefix,
        db_statement_timeout_ms=300,
        http_max_body_bytes=1000,
    )
    with TestClient(_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN)}"
        yield c


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_database_refusals_are_409_and_422_problems(client: TestClient) -> None:
    assert client.post("/counters", json={"counter_id": "C1", "total": 1}).status_code == 201
    assert "conflicts" in _problem(client.post("/counters", json={"counter_id": "C1", "total": 1}), 409)["detail"]
    out_of_range = _problem(client.post("/counters", json={"counter_id": "C2", "total": 2**40}), 422)
    assert out_of_range["errors"] and "range" in out_of_range["detail"]


def test_serialization_failures_are_run_again_then_409(client: TestClient) -> None:
    assert client.post("/flaky", params={"fail": 1}, json={"x": 7}).json() == {"runs": 2, "x": 7}  # body replayed
    client.app.state.runs = 0  # type: ignore[attr-defined]
    answer = client.post("/flaky", params={"fail": 99}, json={"x": 7})
    assert "may be retried" in _problem(answer, 409)["detail"] and answer.headers["retry-after"] == "1"
    assert client.app.state.runs == 3  # type: ignore[attr-defined]  # the first run and two more


def test_a_statement_past_the_http_timeout_is_a_503_with_retry_after(client: TestClient) -> None:
    began = time.monotonic()
    answer = client.get("/sleep", params={"seconds": 5})
    assert time.monotonic() - began < 3, "the statement was not cancelled"
    _problem(answer, 503)
    assert answer.headers["retry-after"].isdigit()
    assert client.get("/sleep", params={"seconds": 0.01}).status_code == 200  # the connection is fine after


def test_bodies_over_their_cap_are_413(client: TestClient) -> None:
    _problem(client.post("/counters", content=b"{" + b" " * 2000 + b"}"), 413)

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted while read, also by the idempotency layer
        yield b"{" + b" " * 1500
        yield b"}"

    _problem(client.post("/counters", content=chunked(), headers={"Idempotency-Key": "k1"}), 413)
    assert client.post("/big", content=b"x" * 3000).json() == {"bytes": 3000}  # a prefix with its own cap
    _problem(client.post("/big", content=b"x" * 5000), 413)


def test_the_openapi_document_declares_every_error_with_problem_schemas(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    create = doc["paths"]["/counters"]["post"]
    for status in ("400", "401", "403", "404", "409", "413", "414", "422", "503"):
        assert "application/problem+json" in create["responses"][status]["content"], status
    assert create["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
        "ValidationProblem"
    )
    assert "Retry-After" in create["responses"]["503"]["headers"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    sleep = doc["paths"]["/sleep"]["get"]
    assert {"414", "422", "503"} <= set(sleep["responses"]) and "401" not in sleep["responses"]
    assert "errors" in doc["components"]["schemas"]["ValidationProblem"]["required"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]


async def test_expired_idempotency_keys_are_purged(pool: asyncpg.Pool) -> None:
    insert = """INSERT INTO idempotency_keys (principal, key, fingerprint, status, headers, body, expires_at)
                VALUES ('p', $1, 'f', 201, '[]', '', now() + $2 * interval '1 second')"""
    await pool.execute(insert, "old", -1)
    await pool.execute(insert, "fresh", 3600)
    assert await purge_expired(pool) == 1
    assert [r["key"] for r in await pool.fetch("SELECT key FROM idempotency_keys")] == ["fresh"]
