"""The idempotent consumer when things go wrong, on the real PostgreSQL and Kafka: a dead letter the .dlq
does not take is retried rather than skipped, lag stays true while a batch keeps failing and after a
rebalance, a set stop ends the retry backoff at once, and a retried batch's events are counted once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import REGISTRY

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import BatchHook, IdempotentConsumer, run_consumer
from cds_plumbing.db import Connection
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.kafka_admin import ensure_topics
from tests.support.deadletters import NoDeadLetters
from tests.support.events import (
    TEST_EVENT_TYPE,
    CounterFailed,
    CounterIncremented,
    on_counter_failed,
    on_counter_incremented,
    register_test_events,
)
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration
PROCS = Path(__file__).parent / "procs"
ROOT = Path(__file__).resolve().parents[4]


class QuickDeadLetters(DeadLetterPublisher):
    """The real dead-letter producer, with a 2 s request timeout instead of 40 s so a missing .dlq fails
    within the test's patience."""

    def __init__(self, bootstrap: str, client_id: str) -> None:  # no super(): it would make a second producer
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, client_id=f"{client_id}-dlq", enable_idempotence=True, request_timeout_ms=2000
        )


def _consumer(registry: Registry, before_batch: BatchHook | None = None) -> IdempotentConsumer:
    c = IdempotentConsumer(f"test-fail-{uuid.uuid4().hex[:8]}", registry=registry, before_batch=before_batch)
    c.on(CounterIncremented)(on_counter_incremented)
    c.on(CounterFailed)(on_counter_failed)
    return c


def _headers(subject: str) -> list[tuple[str, bytes]]:
    return Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject=subject).to_headers()


async def _produce(bootstrap: str, topic: str, values: list[bytes], key: bytes = b"same") -> None:
    """Same key: one partition, in this order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=key, headers=_headers(key.decode()))
    finally:
        await producer.stop()


def _increment(seq: int, amount: int = 1) -> bytes:
    return CounterIncremented(counter_id="same", amount=amount, seq=seq).model_dump_json().encode()


async def _until(check: Callable[[], Awaitable[bool] | bool], task: asyncio.Task[None], timeout: float = 30) -> None:
    """Poll until `check()` holds or the consumer task ended (the caller asserts which)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not task.done():
        outcome = check()
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        if outcome:
            return
        await asyncio.sleep(0.1)


async def _finish(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    with contextlib.suppress(Exception):  # a test that failed already says why
        await asyncio.wait_for(task, 30)


def _lag(consumer: str) -> dict[tuple[str, str], float]:
    return {
        (s.labels["topic"], s.labels["partition"]): s.value
        for metric in REGISTRY.collect()
        if metric.name == "cds_consumer_lag"
        for s in metric.samples
        if s.labels.get("consumer") == consumer
    }


@pytest.fixture
async def topic_without_dlq(bootstrap: str) -> AsyncIterator[TopicSpec]:
    """A fresh 3-partition topic whose .dlq does not exist yet (the test creates it when it wants)."""
    spec = TopicSpec(f"test.counter-{uuid.uuid4().hex[:10]}")
    await ensure_topics(bootstrap, [spec])
    yield spec
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        await admin.delete_topics([t for t in (spec.name, spec.dlq.name) if t in existing])
    finally:
        await admin.close()


async def test_a_dead_letter_the_dlq_does_not_take_is_retried_and_never_skipped(
    pool: asyncpg.Pool, topic_without_dlq: TopicSpec, bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    spec = topic_without_dlq
    await _produce(bootstrap, spec.name, [_increment(1), b"{not json", _increment(2, amount=10)])
    consumer = _consumer(register_test_events(Registry(), spec))
    dlq = QuickDeadLetters(bootstrap, consumer.name)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="cds_plumbing.consumer")
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop, max_records=100, max_backoff_s=1.0))
    try:
        await _until(lambda: any("batch failed" in r.getMessage() for r in caplog.records), task)
        assert not task.done(), "the consumer must ride out a .dlq that does not take the dead letter"
        # The batch rolled back: its checkpoint must not have moved past the undelivered dead letter.
        assert await pool.fetchval("SELECT count(*) FROM consumer_checkpoints") == 0
        assert await pool.fetchval("SELECT count(*) FROM processed_events") == 0

        await ensure_topics(bootstrap, [spec.dlq])  # the broker is back for dead letters
        await _until(lambda: _applied(pool, 2), task)
        await asyncio.sleep(0.5)  # a wrongly repeated application would show now
    finally:
        await _finish(task, stop)
        await dlq.stop()
    assert task.exception() is None
    rows = await pool.fetch("SELECT counter_id, total, applied FROM counters")
    assert [(r["counter_id"], r["total"], r["applied"]) for r in rows] == [("same", 11, 2)]
    dead = await read_topic(bootstrap, spec.dlq.name, expect=1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert dead[0].value == b"{not json"
    assert headers["x-dlq-origin-offset"] == b"1"
    assert int(headers["x-dlq-attempt"]) >= 2, "the failed tries of the batch are counted"


async def _applied(pool: asyncpg.Pool, n: int) -> bool:
    return bool(await pool.fetchval("SELECT count(*) FROM processed_events") >= n)


async def test_lag_is_reported_while_a_batch_keeps_failing_and_stop_ends_the_backoff(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    await _produce(bootstrap, topic.name, [_increment(seq) for seq in (1, 2, 3)])

    async def database_down(conn: Connection) -> None:
        raise OSError("simulated database outage")  # transient: retried, never committed

    consumer = _consumer(registry, before_batch=database_down)
    consumer.bind(pool, NoDeadLetters())
    stop = asyncio.Event()
    # A first backoff far longer than the test: only the stop event can end the wait in time.
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop, backoff_s=60.0, max_backoff_s=60.0))
    try:
        await _until(lambda: sorted(_lag(consumer.name).values()) == [0.0, 0.0, 3.0], task)
        assert sorted(_lag(consumer.name).values()) == [0.0, 0.0, 3.0], "3 records behind on one partition"
        stopped_at = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 10)
        assert time.monotonic() - stopped_at < 3, "the retry backoff must end when stop is set"
    finally:
        await _finish(task, stop)
    assert _lag(consumer.name) == {}, "a stopped consumer reports no partitions"


async def test_lag_of_partitions_lost_in_a_rebalance_is_no_longer_reported(
    pool: asyncpg.Pool, database: str, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    consumer = _consumer(registry)
    consumer.bind(pool, NoDeadLetters())
    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop))
    other: subprocess.Popen[str] | None = None
    try:
        await _until(lambda: len(_lag(consumer.name)) == 3, task)
        assert len(_lag(consumer.name)) == 3, "idle, it owns and reports all 3 partitions"
        # A second member of the same group, in its own process, takes some of the partitions.
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        args = [str(PROCS / "consumer_proc.py"), database, bootstrap, topic.name, consumer.name, "100", "0"]
        other = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, env=env, text=True)
        await _until(lambda: 0 < len(_lag(consumer.name)) < 3, task, timeout=45)
        assert 0 < len(_lag(consumer.name)) < 3, f"revoked partitions still reported: {_lag(consumer.name)}"
    finally:
        if other is not None:
            other.send_signal(signal.SIGTERM)
            other.wait(timeout=30)
        await _finish(task, stop)


async def test_events_of_a_retried_batch_are_counted_once(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    await _produce(bootstrap, topic.name, [_increment(1), _increment(2)])
    records = await read_topic(bootstrap, topic.name, expect=2, settle_s=0.2)
    outage = True

    async def flaky(conn: Connection, event: CounterIncremented, envelope: Envelope) -> None:
        nonlocal outage
        if event.seq == 2 and outage:  # after seq 1 was applied inside the same transaction
            outage = False
            raise OSError("simulated database outage")
        await on_counter_incremented(conn, event, envelope)

    consumer = IdempotentConsumer(f"test-count-{uuid.uuid4().hex[:8]}", registry=registry)
    consumer.on(CounterIncremented)(flaky)
    consumer.bind(pool, NoDeadLetters())

    def applied() -> float | None:
        return REGISTRY.get_sample_value(
            "cds_consumer_events_applied_total", {"consumer": consumer.name, "type": f"{TEST_EVENT_TYPE}.v1"}
        )

    with pytest.raises(OSError, match="simulated"):
        await consumer.process_batch(records)
    assert applied() is None, "a rolled-back batch applied nothing"
    assert (await consumer.process_batch(records)).applied == 2
    assert applied() == 2
