"""The idempotent consumer on the real PostgreSQL and Kafka: duplicates applied once, crashes of the
relay or of the consumer leave exactly the right rows, bad records go to the .dlq and the partition
keeps moving."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import prometheus_client
import pytest
from aiokafka import AIOKafkaProducer

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer, run_consumer
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.outbox import OutboxRelay, append
from tests.support.events import (
    TEST_EVENT_TYPE,
    CounterFailed,
    CounterIncremented,
    on_counter_failed,
    on_counter_incremented,
)
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration
PROCS = Path(__file__).parent / "procs"
ROOT = Path(__file__).resolve().parents[4]


def _consumer(registry: Registry) -> IdempotentConsumer:
    c = IdempotentConsumer(f"test-group-{uuid.uuid4().hex[:8]}", registry=registry)
    c.on(CounterIncremented)(on_counter_incremented)
    c.on(CounterFailed)(on_counter_failed)
    return c


async def _run_until(consumer: IdempotentConsumer, pool: asyncpg.Pool, bootstrap: str, applied: int) -> None:
    """Run the consumer until `applied` events are recorded in the inbox (or fail after 60 s)."""
    dlq = DeadLetterPublisher(bootstrap, consumer.name)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop, max_records=100))
    try:
        for _ in range(600):
            if await pool.fetchval("SELECT count(*) FROM processed_events") >= applied or task.done():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # give a wrongly repeated application the chance to show
    finally:
        stop.set()
        await task
        await dlq.stop()


async def _publish_via_outbox(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, per_key: dict[str, int]
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for key, n in per_key.items():
            for seq in range(1, n + 1):
                await append(
                    conn, CounterIncremented(counter_id=key, amount=seq, seq=seq), source="/t", registry=registry
                )
    relay = OutboxRelay(pool, producer, batch_size=1000)
    while await relay.publish_pending():
        pass


def _expected_totals(per_key: dict[str, int]) -> dict[str, int]:
    return {k: n * (n + 1) // 2 for k, n in per_key.items()}


async def _totals(pool: asyncpg.Pool) -> tuple[dict[str, int], int]:
    rows = await pool.fetch("SELECT counter_id, total, applied FROM counters")
    return {r["counter_id"]: r["total"] for r in rows}, sum(r["applied"] for r in rows)


async def test_the_same_event_delivered_twice_is_applied_once(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    event = CounterIncremented(counter_id="dup", amount=7, seq=1)
    env = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject="dup")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    for _ in range(2):
        await producer.send_and_wait(topic.name, event.model_dump_json().encode(), key=b"dup", headers=env.to_headers())
    await producer.stop()
    consumer = _consumer(registry)
    await _run_until(consumer, pool, bootstrap, applied=1)
    assert await _totals(pool) == ({"dup": 7}, 1)
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 1
    # Both deliveries were consumed: the checkpoint is past the second copy.
    assert await pool.fetchval("SELECT sum(next_offset) FROM consumer_checkpoints") == 2


def _lag_samples(consumer: str) -> dict[tuple[str, str], float]:
    return {
        (s.labels["topic"], s.labels["partition"]): s.value
        for metric in prometheus_client.REGISTRY.collect()
        if metric.name == "cds_consumer_lag"
        for s in metric.samples
        if s.labels.get("consumer") == consumer
    }


async def test_consumer_lag_is_exported_per_partition_and_drops_to_zero(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    for seq in range(1, 4):
        event = CounterIncremented(counter_id="lag", amount=1, seq=seq)
        env = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject="lag")
        await producer.send_and_wait(topic.name, event.model_dump_json().encode(), key=b"lag", headers=env.to_headers())
    await producer.stop()
    consumer = _consumer(registry)
    assert _lag_samples(consumer.name) == {}
    dlq = DeadLetterPublisher(bootstrap, consumer.name)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop, max_records=100))
    try:
        samples: dict[tuple[str, str], float] = {}
        for _ in range(300):  # caught up: every partition it owns (all 3, 2 of them empty) at 0
            samples = _lag_samples(consumer.name)
            applied = await pool.fetchval("SELECT count(*) FROM processed_events")
            if applied == 3 and len(samples) == 3 and set(samples.values()) == {0.0}:
                break
            await asyncio.sleep(0.1)
        assert {t for t, _ in samples} == {topic.name} and set(samples.values()) == {0.0}, samples
        assert sorted(p for _, p in samples) == ["0", "1", "2"]
    finally:
        stop.set()
        await task
        await dlq.stop()
    assert _lag_samples(consumer.name) == {}, "a stopped consumer owns no partitions"


async def test_relay_killed_between_publish_and_mark_still_applies_each_event_once(
    pool: asyncpg.Pool, database: str, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    per_key = {f"k{i}": 30 for i in range(10)}  # 300 events
    async with pool.acquire() as conn, conn.transaction():
        for key, n in per_key.items():
            for seq in range(1, n + 1):
                await append(
                    conn, CounterIncremented(counter_id=key, amount=seq, seq=seq), source="/t", registry=registry
                )
    proc = subprocess.run(
        [sys.executable, str(PROCS / "relay_proc.py"), database, bootstrap, "120"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "published 120" in proc.stdout
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 300
    relay = OutboxRelay(pool, producer, batch_size=1000)
    assert await relay.publish_pending() == 300
    records = await read_topic(bootstrap, topic.name, expect=420)
    assert len(records) == 420  # the first 120 events are on the topic twice

    await _run_until(_consumer(registry), pool, bootstrap, applied=300)
    totals, applications = await _totals(pool)
    assert totals == _expected_totals(per_key)
    assert applications == 300
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 300


async def test_consumer_killed_mid_batch_and_restarted_ends_with_exactly_the_right_rows(
    pool: asyncpg.Pool, database: str, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    per_key = {f"k{i}": 40 for i in range(15)}  # 600 events
    await _publish_via_outbox(pool, producer, registry, per_key)
    group = f"test-killed-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, str(PROCS / "consumer_proc.py"), database, bootstrap, topic.name, group, "100"]

    slow = subprocess.Popen([*args, "5"], stdout=subprocess.PIPE, text=True, env=env)
    assert slow.stdout is not None
    seen = 0
    while seen < 150:  # the 150th application happens inside the second (or a later) open batch
        line = await asyncio.to_thread(slow.stdout.readline)
        assert line, "consumer process ended before it was killed"
        seen += line.startswith("applied")
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=10)
    committed = await pool.fetchval("SELECT count(*) FROM processed_events")
    _, applications_now = await _totals(pool)
    assert committed < 150, "the open batch must have been rolled back with the process"
    assert applications_now == committed  # database consistent: no half-applied batch

    fast = subprocess.Popen([*args, "0"], stdout=subprocess.DEVNULL, env=env)
    try:
        for _ in range(600):
            if await pool.fetchval("SELECT count(*) FROM processed_events") >= 600:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    finally:
        fast.send_signal(signal.SIGTERM)
        assert fast.wait(timeout=30) == 0
    totals, applications = await _totals(pool)
    assert totals == _expected_totals(per_key)
    assert applications == 600
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 600


async def test_bad_records_go_to_the_dead_letter_topic_and_the_partition_keeps_moving(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    def env(subject: str, type_: str = TEST_EVENT_TYPE) -> list[tuple[str, bytes]]:
        return Envelope(type=type_, version=1, source="/t", subject=subject).to_headers()

    good = CounterIncremented(counter_id="same", amount=1, seq=1).model_dump_json().encode()
    later = CounterIncremented(counter_id="same", amount=10, seq=2).model_dump_json().encode()
    bad_cases: list[tuple[bytes, list[tuple[str, bytes]], str]] = [
        (b"{not json", env("same"), "ValidationError"),
        (b'{"counter_id": "same", "amount": "many", "seq": 1}', env("same"), "ValidationError"),
        (good, [("ce_type", b"vn.cds.test.counter.incremented.v1")], "EnvelopeError"),
        (good, [*env("same"), ("ce_actor", b"\xff\xfe")], "UndecodableRecordError"),
        (good, env("same", "vn.cds.test.unknown"), "UnknownEventError"),
        (b'{"counter_id": "same"}', env("same", "vn.cds.test.counter.failed"), "ValueError"),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    # Same key, so all land on one partition, in this order: good, 6 bad, later.
    await producer.send_and_wait(topic.name, good, key=b"same", headers=env("same"))
    for value, headers, _ in bad_cases:
        await producer.send_and_wait(topic.name, value, key=b"same", headers=headers)
    await producer.send_and_wait(topic.name, later, key=b"same", headers=env("same"))
    await producer.stop()

    await _run_until(_consumer(registry), pool, bootstrap, applied=2)
    assert await _totals(pool) == ({"same": 11}, 2)

    dead = await read_topic(bootstrap, topic.dlq.name, expect=len(bad_cases))
    assert len(dead) == len(bad_cases)
    dead.sort(key=lambda r: int(dict(r.headers)["x-dlq-origin-offset"]))
    for record, (value, headers, error_type) in zip(dead, bad_cases, strict=True):
        h = dict(record.headers)
        assert record.value == value, "the original bytes must be kept"
        assert record.key == b"same"
        assert h["x-dlq-error-type"].decode() == error_type
        assert h["x-dlq-cause"], "the cause must be stated"
        assert h["x-dlq-origin-topic"].decode() == topic.name
        assert h["x-dlq-attempt"] == b"1"
        for k, v in headers:  # original headers, byte for byte
            assert (k, v) in record.headers
    offsets = Counter(int(dict(r.headers)["x-dlq-origin-offset"]) for r in dead)
    assert sorted(offsets) == list(range(1, 1 + len(bad_cases)))
