"""SIGTERM during a burst of writes: personnel, as a real `cds-serve` process (how scripts/stack.sh and
the images start it) with its own fresh database and private topics, finishes the requests in flight,
stops its relay and consumers, exits 0, and loses nothing: every acknowledged write is in the database
with its outbox row, and every outbox row reaches Kafka (before the exit, or after a restart).
SIGTERM while a consumer is in the middle of a batch (tests/support/slow_app.py, a slow handler): the
batch is finished and committed (database and Kafka offsets) before the exit 0, and a restart applies
the rest without applying anything twice. A start-up that fails exits non-zero."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import Envelope, TopicSpec
from cds_contracts.topics import PERSONNEL_ORG_UNIT
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings, admin_database_url
from tests.support.events import TEST_EVENT_TYPE, CounterIncremented

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CDS_SERVE = ROOT / ".venv" / "bin" / "cds-serve"
REGISTERED = "vn.cds.personnel.org_unit.registered"
WORKERS = 16
SHUTDOWN_LINES = (
    "Shutting down",
    "Waiting for application shutdown.",
    "Application shutdown complete.",
    "Finished server process",
)


@pytest.fixture
async def fresh_database() -> AsyncIterator[str]:
    """DSN of an empty database (the service applies its own migrations); dropped afterwards."""
    name = f"test_shutdown_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_database_url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{admin_database_url().rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def _start(dsn: str, prefix: str, port: int, log_path: Path) -> Server:
    assert CDS_SERVE.exists(), "cds-serve is missing: reinstall shared/plumbing (make install)"
    env = {
        **os.environ,
        "PERSONNEL_DATABASE_URL": dsn,
        "PERSONNEL_HTTP_PORT": str(port),
        "KAFKA_TOPIC_PREFIX": prefix,
        "PYTHONUNBUFFERED": "1",
    }
    log = log_path.open("ab")
    cmd = [str(CDS_SERVE), "personnel.entrypoints.app:app", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--graceful-timeout", "20"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Server(proc, log, log_path)


async def _wait_ready(server: Server, base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while time.monotonic() < deadline:
            assert server.proc.poll() is None, f"server exited early:\n{server.output()}"
            with contextlib.suppress(httpx.TransportError):  # refused while the server is still starting
                if (await client.get("/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    pytest.fail(f"the service was not ready within {timeout}s:\n{server.output()}")


async def _terminate(server: Server, timeout: float = 30.0) -> float:
    """SIGTERM, then wait for the exit; returns how long it took. Kills (and fails) on a hang."""
    began = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.to_thread(server.proc.wait, timeout)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
        pytest.fail(f"no exit within {timeout}s of SIGTERM:\n{server.output()}")
    # Plain uvicorn would re-raise the SIGTERM after its shutdown and die with -15; cds-serve exits 0.
    assert code == 0, f"exit code {code}:\n{server.output()}"
    out = server.output()
    assert "Finished server process" in out, f"exit without a complete shutdown:\n{out}"
    assert "Traceback" not in out, f"error during shutdown:\n{out}"
    return time.monotonic() - began


@dataclass
class Outcome:
    unit_id: str
    status: int | None  # None: transport error (connection refused or closed during shutdown)
    sent_at: float
    done_at: float


class Burst(threading.Thread):
    """Registers units from WORKERS threads until the server stops answering."""

    def __init__(self, base: str, token: str, tag: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.tag = base, token, tag
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.refused = threading.Event()

    def _worker(self, n: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=25) as client:
            i = 0
            while not self.refused.is_set():
                unit_id = f"{self.tag}-{n}-{i}"
                i += 1
                body = {
                    "unit_id": unit_id,
                    "name_vi": f"Đơn vị {unit_id}",
                    "kind": "peoples_committee",
                    "level": "province",
                    "valid_from": "2024-01-01",
                }
                sent = time.monotonic()
                status: int | None
                try:
                    status = client.post("/api/v1/units", json=body).status_code
                except httpx.TransportError:
                    status = None
                    if _refused(self.base):
                        self.refused.set()
                with self.lock:
                    self.outcomes.append(Outcome(unit_id, status, sent, time.monotonic()))

    def run(self) -> None:
        with ThreadPoolExecutor(WORKERS) as pool:
            for n in range(WORKERS):
                pool.submit(self._worker, n)

    def ok_count(self) -> int:
        with self.lock:
            return sum(1 for o in self.outcomes if o.status is not None and 200 <= o.status < 300)


def _refused(base: str) -> bool:
    """True once the listening socket is gone (uvicorn closes it first thing on SIGTERM)."""
    host, port = base.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return False
    except OSError:
        return True


async def _outbox(dsn: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch("SELECT event_id, key, event_type, published_at FROM outbox ORDER BY id")
    finally:
        await conn.close()


async def _units(dsn: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return {r["unit_id"] for r in await conn.fetch("SELECT unit_id FROM org_units")}
    finally:
        await conn.close()


async def _event_ids_on_topic(bootstrap: str, topic: str, wanted: set[str], timeout: float = 15.0) -> set[str]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + timeout
        while not wanted <= seen and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    headers = dict(r.headers or ())
                    if "ce_id" in headers:
                        seen.add(bytes(headers["ce_id"]).decode())
    finally:
        await consumer.stop()
    return seen


async def test_sigterm_during_writes_exits_cleanly_and_loses_nothing(
    fresh_database: str, topic_prefix: str, bootstrap: str, tmp_path: Path
) -> None:
    dsn, port = fresh_database, _free_port()
    base = f"http://127.0.0.1:{port}"
    token = mint_token(ServiceSettings(service_name="t"), Role.PROVINCE_ADMIN)

    first = _start(dsn, topic_prefix, port, tmp_path / "first.log")
    try:
        await _wait_ready(first, base)
        burst = Burst(base, token, f"GS{uuid.uuid4().hex[:6].upper()}")
        burst.start()
        deadline = time.monotonic() + 10
        while burst.ok_count() < 40 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert burst.ok_count() >= 40, f"the burst did not get going:\n{first.output()}"
        sigterm_at = time.monotonic()
        took = await _terminate(first)
        burst.refused.set()
        await asyncio.to_thread(burst.join, 30)
        assert not burst.is_alive()
    finally:
        if first.proc.poll() is None:
            first.proc.kill()
            first.proc.wait()
        first.log.close()
    out = first.output()
    for line in SHUTDOWN_LINES:
        assert line in out, f"{line!r} missing from the server output:\n{out}"
    assert took < 30

    outcomes = burst.outcomes
    acknowledged = {o.unit_id for o in outcomes if o.status is not None and 200 <= o.status < 300}
    unexpected = [o for o in outcomes if o.status is not None and not 200 <= o.status < 300]
    assert not unexpected, f"non-2xx answers: {unexpected[:5]}"
    in_flight = [o for o in outcomes if o.unit_id in acknowledged and o.sent_at < sigterm_at < o.done_at]
    assert in_flight, "no request was in flight at SIGTERM"

    # Every acknowledged write is stored with its event; nothing beyond what was attempted exists.
    units = await _units(dsn)
    rows = await _outbox(dsn)
    events = {r["key"] for r in rows if r["event_type"] == REGISTERED}
    assert acknowledged <= units, f"acknowledged but missing: {sorted(acknowledged - units)[:5]}"
    assert acknowledged <= events, f"acknowledged without an outbox row: {sorted(acknowledged - events)[:5]}"
    assert units == events, "a unit without its event or an event without its unit"
    assert units <= {o.unit_id for o in outcomes}
    unpublished_after_first = sum(1 for r in rows if r["published_at"] is None)

    # Start again: whatever the first run left unpublished goes out, then a second clean SIGTERM.
    second = _start(dsn, topic_prefix, port, tmp_path / "second.log")
    try:
        await _wait_ready(second, base)
        deadline = time.monotonic() + 15
        while any(r["published_at"] is None for r in await _outbox(dsn)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        rows = await _outbox(dsn)
        assert all(r["published_at"] is not None for r in rows), "the restarted relay left rows unpublished"
        await _terminate(second)
    finally:
        if second.proc.poll() is None:
            second.proc.kill()
            second.proc.wait()
        second.log.close()
    assert "Application shutdown complete." in second.output()

    # Published means on the topic: every outbox event is there (duplicates are allowed, losses are not).
    wanted = {str(r["event_id"]) for r in rows}
    seen = await _event_ids_on_topic(bootstrap, topic_prefix + PERSONNEL_ORG_UNIT.name, wanted)
    assert wanted <= seen, f"{len(wanted - seen)} outbox events never reached Kafka"
    print(  # visible with -s: how the shutdown went
        f"acknowledged={len(acknowledged)} in_flight_at_sigterm={len(in_flight)} "
        f"exit_after={took:.2f}s unpublished_after_first_run={unpublished_after_first}",
        file=sys.stderr,
    )


async def test_failed_start_up_exits_non_zero(topic_prefix: str, tmp_path: Path) -> None:
    """No database to reach: the lifespan start-up fails and cds-serve exits 3 (uvicorn's STARTUP_FAILURE)
    without ever listening, so a supervisor restarts it instead of counting a clean stop."""
    port = _free_port()
    server = _start("postgresql://personnel:x@127.0.0.1:1/personnel", topic_prefix, port, tmp_path / "bad.log")
    try:
        code = await asyncio.to_thread(server.proc.wait, 60)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        server.log.close()
    assert code == 3, f"exit code {code}:\n{server.output()}"
    assert "Application startup failed" in server.output()


SLOW_APP = "tests.support.slow_app:app"
BATCH = 20  # records per consumer batch (one transaction)
EVENTS = 60


def _start_slow_app(dsn: str, topic: str, group: str, port: int, delay_ms: int, log_path: Path) -> Server:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # for tests.support
        "PYTHONUNBUFFERED": "1",
        "TESTS_DATABASE_URL": dsn,
        "TESTS_TOPIC": topic,
        "TESTS_CONSUMER_NAME": group,
        "TESTS_CONSUMER_MAX_RECORDS": str(BATCH),
        "TESTS_HANDLER_DELAY_MS": str(delay_ms),
        "TESTS_HTTP_PORT": str(port),  # no --port: cds-serve takes the service's setting
    }
    log = log_path.open("ab")
    cmd = [str(CDS_SERVE), SLOW_APP, "--graceful-timeout", "20"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Server(proc, log, log_path)


def _applied_lines(server: Server) -> int:
    """Applications the handler printed, from inside open batch transactions (committed or not)."""
    return sum(1 for line in server.output().splitlines() if line.startswith("applied "))


async def _fetchval(dsn: str, sql: str) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def _produce_counter_events(bootstrap: str, topic: str) -> None:
    """EVENTS increments of one counter: one key, so one partition and batches of exactly BATCH."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for seq in range(1, EVENTS + 1):
            headers = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject="slow").to_headers()  # own id
            value = CounterIncremented(counter_id="slow", amount=1, seq=seq).model_dump_json().encode()
            await producer.send(topic, value, key=b"slow", headers=headers)
        await producer.flush()
    finally:
        await producer.stop()


async def _kafka_committed(bootstrap: str, group: str) -> dict[int, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {tp.partition: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    finally:
        await admin.close()


def _kill(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait()
    server.log.close()


async def test_sigterm_while_a_consumer_is_mid_batch_finishes_and_commits_that_batch(
    database: str, topic: TopicSpec, bootstrap: str, tmp_path: Path
) -> None:
    await _produce_counter_events(bootstrap, topic.name)
    group = f"tests-shutdown-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    # 150 ms per event: a batch of 20 takes 3 s, and SIGTERM comes after its 5th event.
    first = _start_slow_app(database, topic.name, group, port, 150, tmp_path / "first.log")
    try:
        await _wait_ready(first, base)
        deadline = time.monotonic() + 30
        while _applied_lines(first) < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        at_sigterm = _applied_lines(first)
        assert 5 <= at_sigterm < BATCH, f"not mid-batch ({at_sigterm} applied):\n{first.output()}"
        await _terminate(first)
    finally:
        _kill(first)

    printed = _applied_lines(first)
    committed = await _fetchval(database, "SELECT count(*) FROM processed_events")
    assert committed == printed, "every application of the interrupted batch was committed, none rolled back"
    assert committed == BATCH, f"the batch went on after SIGTERM and was the last one ({at_sigterm} at SIGTERM)"
    assert await _fetchval(database, "SELECT sum(applied) FROM counters") == BATCH
    checkpoint = await _fetchval(database, f"SELECT next_offset FROM consumer_checkpoints WHERE consumer = '{group}'")
    assert checkpoint == BATCH
    assert list((await _kafka_committed(bootstrap, group)).values()) == [BATCH], "Kafka offsets committed too"

    second = _start_slow_app(database, topic.name, group, port, 0, tmp_path / "second.log")
    try:
        await _wait_ready(second, base)
        deadline = time.monotonic() + 30
        while await _fetchval(database, "SELECT count(*) FROM processed_events") < EVENTS:
            assert time.monotonic() < deadline, f"the restart did not apply the rest:\n{second.output()}"
            await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            metrics = (await client.get("/metrics")).text
        await _terminate(second)
    finally:
        _kill(second)
    assert _applied_lines(second) == EVENTS - BATCH, "the restart started right after the committed batch"
    assert f'cds_consumer_events_duplicate_total{{consumer="{group}"}} 0.0' in metrics
    assert await _fetchval(database, "SELECT sum(applied) FROM counters") == EVENTS, "nothing applied twice"
    assert await _fetchval(database, "SELECT total FROM counters WHERE counter_id = 'slow'") == EVENTS
