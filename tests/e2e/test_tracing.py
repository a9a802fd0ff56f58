"""One trace from an HTTP request to every consumer of its event, across real processes.

personnel, training and recruitment run as `cds-serve` processes (as scripts/stack.sh and the images start
them) with their own fresh databases, private topics, and OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
receiver in this test. Registering a unit must give
one trace: personnel's server span → the relay's publish (restored from the outbox row) → training's and
recruitment's consumer spans (continued from the Kafka headers). The processes' log lines are JSON with
the same trace and span ids."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import pytest

from cds_contracts.topics import PERSONNEL_ORG_UNIT
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings, admin_database_url
from tests.support.otlp import OtlpReceiver, ReceivedSpan, otlp_receiver

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CDS_SERVE = ROOT / ".venv" / "bin" / "cds-serve"
APPS = {
    "personnel": "personnel.entrypoints.app:app",
    "training": "training.entrypoints.app:app",
    "recruitment": "recruitment.entrypoints.app:app",
}
CONSUMERS = {"training", "recruitment"}  # both keep a copy of personnel's unit tree
REGISTERED = "vn.cds.personnel.org_unit.registered"


@dataclass
class Service:
    name: str
    base: str
    dsn: str
    proc: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        """The log lines that are JSON objects (every line, since cds-serve sets logging up first)."""
        lines = []
        for line in self.output().splitlines():
            with contextlib.suppress(ValueError):
                obj = json.loads(line)
                if isinstance(obj, dict):
                    lines.append(obj)
        return lines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with otlp_receiver() as r:
        yield r


@pytest.fixture
async def databases() -> AsyncIterator[dict[str, str]]:
    """An empty database per service (each applies its own migrations); dropped afterwards."""
    names = {svc: f"test_trace_{svc[:5]}_{uuid.uuid4().hex[:8]}" for svc in APPS}
    admin = await asyncpg.connect(admin_database_url())
    base = admin_database_url().rsplit("/", 1)[0]
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
        yield {svc: f"{base}/{name}" for svc, name in names.items()}
    finally:
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _start(svc: str, dsn: str, prefix: str, endpoint: str, log_path: Path) -> Service:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}  # the default format is under test
    p = svc.upper()
    env |= {
        f"{p}_DATABASE_URL": dsn,
        f"{p}_HTTP_PORT": str(port),  # cds-serve binds there: no --port
        "KAFKA_TOPIC_PREFIX": prefix,
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # export within 0.1 s instead of the default 5 s
        "PYTHONUNBUFFERED": "1",
    }
    log = log_path.open("ab")
    cmd = [str(CDS_SERVE), APPS[svc]]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Service(svc, f"http://127.0.0.1:{port}", dsn, proc, log, log_path)


async def _wait_ready(service: Service, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=service.base, timeout=2) as client:
        while time.monotonic() < deadline:
            assert service.proc.poll() is None, f"{service.name} exited early:\n{service.output()}"
            with contextlib.suppress(httpx.TransportError):  # refused while the server is still starting
                if (await client.get("/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    pytest.fail(f"{service.name} not ready within {timeout}s:\n{service.output()}")


def _stop(service: Service) -> None:
    if service.proc.poll() is None:
        service.proc.send_signal(signal.SIGTERM)
        try:
            service.proc.wait(30)
        except subprocess.TimeoutExpired:
            service.proc.kill()
            service.proc.wait()
    service.log.close()


@pytest.fixture
async def services(
    databases: dict[str, str], topic_prefix: str, receiver: OtlpReceiver, tmp_path: Path
) -> AsyncIterator[dict[str, Service]]:
    started: dict[str, Service] = {}
    try:
        for svc, dsn in databases.items():
            started[svc] = _start(svc, dsn, topic_prefix, receiver.endpoint, tmp_path / f"{svc}.log")
        await asyncio.gather(*(_wait_ready(s) for s in started.values()))
        yield started
    finally:
        for s in started.values():
            _stop(s)


def _ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    chain = []
    while span.parent_id is not None and span.parent_id in by_id:
        span = by_id[span.parent_id]
        chain.append(span)
    return chain


def _is_request(s: ReceivedSpan) -> bool:
    return s.service == "personnel" and s.kind == "server" and s.attributes.get("http.route") == "/api/v1/units"


async def _event_id(dsn: str, unit_id: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        found = await conn.fetchval(
            "SELECT event_id FROM outbox WHERE key = $1 AND event_type = $2", unit_id, REGISTERED
        )
    finally:
        await conn.close()
    assert found is not None, f"no {REGISTERED} outbox row for {unit_id}"
    return str(found)


async def test_one_trace_from_the_request_to_every_consumer(
    services: dict[str, Service], receiver: OtlpReceiver, topic_prefix: str
) -> None:
    personnel = services["personnel"]
    token = mint_token(ServiceSettings(service_name="t"), Role.PROVINCE_ADMIN)
    unit_id = f"TRACE{uuid.uuid4().hex[:6].upper()}"
    body = {
        "unit_id": unit_id,
        "name_vi": f"Sở Thông tin và Truyền thông {unit_id}",
        "kind": "peoples_committee",
        "level": "province",
        "valid_from": "2024-01-01",
    }
    async with httpx.AsyncClient(base_url=personnel.base, timeout=10) as client:
        response = await client.post("/api/v1/units", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    event_id = await _event_id(personnel.dsn, unit_id)

    def consumed_everywhere(spans: list[ReceivedSpan]) -> bool:
        # Each process exports on its own timer: wait until every consumer span's chain up to the request
        # has arrived (personnel's publish span can come in a later export than the consumers' spans).
        handled = [s for s in spans if s.attributes.get("messaging.message.id") == event_id]
        requests = [s for s in spans if _is_request(s)]
        by_id = {s.span_id: s for s in spans}
        return (
            bool(requests)
            and {s.service for s in handled} >= CONSUMERS
            and all(requests[0] in _ancestors(s, by_id) for s in handled if s.kind == "consumer")
        )

    spans = await asyncio.to_thread(receiver.wait_for, consumed_everywhere, "request and consumer spans")

    requests = [s for s in spans if _is_request(s)]
    assert len(requests) == 1, requests
    probes = [s.name for s in spans if "/health/" in s.name or "/metrics" in s.name]
    assert probes == [], "readiness polls and scrapes are not traced (they would bury the real traces)"
    request = requests[0]
    assert request.name == "POST /api/v1/units"
    assert request.attributes["http.response.status_code"] == 201
    assert request.parent_id is None, "the request came without a traceparent: it starts the trace"
    trace = {s.span_id: s for s in spans if s.trace_id == request.trace_id}

    # The relay published in a background task, long after the request's span ended: it joined the trace
    # only because it restored the context stored with the outbox row.
    topic = topic_prefix + PERSONNEL_ORG_UNIT.name
    publishes = [
        s for s in trace.values() if s.kind == "producer" and s.attributes.get("messaging.operation") == "publish"
    ]
    assert [(s.service, s.attributes.get("messaging.destination.name")) for s in publishes] == [("personnel", topic)]
    assert request in _ancestors(publishes[0], trace)

    consumed = [s for s in spans if s.kind == "consumer" and s.attributes.get("messaging.message.id") == event_id]
    assert sorted(s.service for s in consumed) == sorted(CONSUMERS), consumed
    for span in consumed:
        assert span.trace_id == request.trace_id, f"{span.service} started a trace of its own"
        assert span.attributes["messaging.destination.name"] == topic
        assert span.attributes["cds.event.type"] == f"{REGISTERED}.v1"
        # The parent came through the Kafka headers: a producer span of personnel's, under the request.
        parent = trace[str(span.parent_id)]
        assert (parent.service, parent.kind) == ("personnel", "producer")
        assert request in _ancestors(span, trace)

    # Log lines are JSON by default and carry the ids of the span they were written in.
    lines = personnel.json_lines()
    assert len(lines) == len([ln for ln in personnel.output().splitlines() if ln.strip()]), "a line that is not JSON"
    assert any(ln["logger"] == "cds_plumbing.runtime" and ln["service"] == "personnel" for ln in lines), (
        personnel.output()
    )
    in_request = [ln for ln in lines if ln["trace_id"] == request.trace_id]
    assert in_request, f"no log line of the request's trace:\n{personnel.output()}"
    assert all(ln["span_id"] in trace for ln in in_request), in_request
