"""Idempotency-Key on creates and the request limits, against real service processes: a client that lost
the answer to a create (connection closed before reading it) retries with the same key and gets the
stored answer, once-only; a body over the cap is a 413 without stalling the service."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from cds_plumbing.auth import Role
from tests.badinput.conftest import fetchval
from tests.support.isolated_stack import Stack

pytestmark = pytest.mark.e2e


def _unit_body(unit_id: str, parent: str | None = None) -> bytes:
    body = {"unit_id": unit_id, "name_vi": "Đơn vị", "kind": "other", "level": "province", "valid_from": "2020-01-01"}
    return json.dumps({**body, "parent_id": parent}).encode()


def _count(stack: Stack, sql: str, *args: Any) -> int:
    return int(asyncio.run(fetchval(stack.services["personnel"].dsn, sql, *args)))


def _post(c: httpx.Client, body: bytes, key: str) -> httpx.Response:
    headers = {"content-type": "application/json", "Idempotency-Key": key}
    return c.post("/api/v1/units", content=body, headers=headers)


def test_a_retry_after_a_dropped_connection_gets_the_stored_answer(iso: Stack) -> None:
    unit_id, key = f"IK{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = _unit_body(unit_id)
    url = urlsplit(iso.services["personnel"].base)
    request = (
        f"POST /api/v1/units HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {iso.token()}\r\n"
        f"Content-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=10) as sock:
        sock.sendall(request)
        deadline = time.monotonic() + 20  # the server commits; the client never reads the answer
        while _count(iso, "SELECT count(*) FROM idempotency_keys WHERE key = $1", key) == 0:
            assert time.monotonic() < deadline, "the first request was never stored"
            time.sleep(0.05)
    with iso.client("personnel") as c:
        retry = _post(c, body, key)
        assert retry.status_code == 201, retry.text
        assert retry.headers["idempotent-replayed"] == "true"
        assert retry.json() == {"unit_id": unit_id}
        assert _post(c, body, key).json() == {"unit_id": unit_id}  # as often as asked
        other = _post(c, _unit_body(unit_id + "B"), key)
        assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert _count(iso, "SELECT count(*) FROM org_units WHERE unit_id LIKE $1", unit_id + "%") == 1
    assert _count(iso, "SELECT count(*) FROM outbox WHERE key = $1", unit_id) == 1


def test_concurrent_requests_with_one_key_create_once(iso: Stack) -> None:
    unit_id, key = f"IC{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    with iso.client("personnel") as c, ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _post(c, _unit_body(unit_id), key), range(4)))
    fresh = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
    assert len(fresh) == 1, [(a.status_code, a.text) for a in answers]
    assert all(a.status_code in (201, 409) for a in answers), [(a.status_code, a.text) for a in answers]
    assert _count(iso, "SELECT count(*) FROM outbox WHERE key = $1", unit_id) == 1


def test_keys_are_per_subject_and_failures_are_not_stored(iso: Stack) -> None:
    unit_id, key = f"IS{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    parent = f"IP{uuid.uuid4().hex[:8]}"
    body = _unit_body(unit_id, parent)
    with iso.client("personnel") as c:
        failed = _post(c, body, key)
        assert failed.status_code in (404, 409), failed.text  # the parent does not exist yet
        assert _count(iso, "SELECT count(*) FROM idempotency_keys WHERE key = $1", key) == 0
        assert c.post("/api/v1/units", content=_unit_body(parent), headers={"content-type": "application/json"})
        again = _post(c, body, key)
        assert again.status_code == 201 and "idempotent-replayed" not in again.headers  # ran again
    with iso.client("personnel", subject="another-admin") as other:
        assert _post(other, body, key).status_code == 409  # not their answer to replay: a real duplicate
    with iso.client("personnel") as c:
        for bad in ("a key", "x" * 256, "\u00e9t\u00e9"):  # a space, too long, not ASCII (sent as Latin-1)
            headers = [(b"content-type", b"application/json"), (b"idempotency-key", bad.encode("latin-1"))]
            answer = c.post("/api/v1/units", content=body, headers=headers)
            assert answer.status_code == 400 and answer.json()["status"] == 400


def test_a_10_mb_body_is_413_at_once_and_writes_nothing(iso: Stack) -> None:
    ids = [f"U{i:07d}" for i in range(1_000_000)]
    body = json.dumps({"title": "t", "scenario": "s", "format": "tabletop", "held_on": "2024-01-01",
                       "plan_year": 2024, "unit_ids": ids}).encode()  # fmt: skip
    assert len(body) > 10_000_000
    outbox = "SELECT count(*) FROM outbox"
    before = int(asyncio.run(fetchval(iso.services["training"].dsn, outbox)))  # the fuzzer may have written some
    with iso.client("training") as c:
        began = time.monotonic()
        answer = c.post("/api/v1/drills", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 413 and answer.json()["status"] == 413
        assert time.monotonic() - began < 5

        def chunks() -> Any:  # no Content-Length: counted while read
            for i in range(0, len(body), 65536):
                yield body[i : i + 65536]

        streamed = c.post("/api/v1/drills", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
    assert int(asyncio.run(fetchval(iso.services["training"].dsn, outbox))) == before


def test_health_live_answers_within_a_second_while_1_mib_bodies_are_validated(iso: Stack) -> None:
    ids = [f"UNIT-{i:06d}" for i in range(80_000)]
    body = json.dumps({"title": "t", "scenario": "s", "format": "tabletop", "held_on": "2024-01-01",
                       "plan_year": 2024, "unit_ids": ids, "objectives": ["o"] * 500})[: 1024 * 1024 - 200]  # fmt: skip
    body = body[: body.rindex(",")] + "]}"  # still JSON, just under 1 MiB
    assert len(body) > 1000 * 1000
    stop = threading.Event()
    slowest = 0.0

    def probe() -> None:
        nonlocal slowest
        with httpx.Client(base_url=iso.services["training"].base, timeout=10) as c:
            while not stop.is_set():
                began = time.monotonic()
                assert c.get("/health/live").status_code == 200
                slowest = max(slowest, time.monotonic() - began)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with iso.client("training") as c, ThreadPoolExecutor(4) as pool:

            def send(_: int) -> int:
                return c.post("/api/v1/drills", content=body, headers={"content-type": "application/json"}).status_code

            statuses = list(pool.map(send, range(8)))
    finally:
        stop.set()
        prober.join()
    assert statuses == [422] * 8  # more than 1000 units: refused, with a short answer
    assert slowest < 1.0, f"/health/live took {slowest:.2f}s"


def test_a_viewer_token_cannot_use_a_key_to_write(iso: Stack) -> None:
    headers = {"Authorization": f"Bearer {iso.token(Role.VIEWER, 'viewer')}", "Idempotency-Key": "k-1"}
    with httpx.Client(base_url=iso.services["personnel"].base, headers=headers, timeout=10) as c:
        answer = c.post("/api/v1/units", content=_unit_body("VIEW1"), headers={"content-type": "application/json"})
    assert answer.status_code == 403
    assert _count(iso, "SELECT count(*) FROM idempotency_keys WHERE key = 'k-1'") == 0


def test_a_snapshot_taken_with_a_key_is_stored_once_with_its_answer(iso: Stack) -> None:
    name, key = f"idem-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = {"name": name, "title": "Báo cáo", "as_of": "2024-12-31"}
    with iso.client("reporting") as c:
        first = c.post("/api/v1/snapshots", json=body, headers={"Idempotency-Key": key})
        assert first.status_code == 201, first.text
        again = c.post("/api/v1/snapshots", json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    sql = "SELECT count(*) FROM idempotency_keys WHERE key = $1"
    assert asyncio.run(fetchval(iso.services["reporting"].dsn, sql, key)) == 1
