"""The outbox on the real PostgreSQL and Kafka: every committed event reaches Kafka once, in order per
key; rolled-back events never do; the stored trace context travels with the event."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from prometheus_client import REGISTRY as METRICS

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing import outbox
from cds_plumbing.outbox import OutboxRelay, OutsideTransactionError, append
from tests.support.events import CounterIncremented
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration


async def _append_all(
    pool: asyncpg.Pool, registry: Registry, events: list[CounterIncremented], *, commit: bool
) -> None:
    class RollbackError(Exception):
        pass

    try:
        async with pool.acquire() as conn, conn.transaction():
            for e in events:
                await append(conn, e, source="/test", registry=registry)
            if not commit:
                raise RollbackError
    except RollbackError:
        assert not commit  # the rollback this helper asked for, nothing else


async def _wait_published(pool: asyncpg.Pool, total: int, timeout_s: float = 60.0) -> None:
    for _ in range(int(timeout_s * 10)):
        if await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") >= total:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("relay did not publish everything in time")


async def test_thousand_committed_events_reach_kafka_once_in_key_order(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    # Relay started first with a 60 s poll: it can only see the events in time through LISTEN/NOTIFY.
    stop = asyncio.Event()
    relay = OutboxRelay(pool, producer, batch_size=200, idle_poll_s=60)
    task = asyncio.create_task(relay.run(stop))
    keys = [f"c{k:02d}" for k in range(40)]
    committed: list[CounterIncremented] = []
    seq: dict[str, int] = defaultdict(int)
    for txn in range(100):  # 100 committed transactions of 10 events, keys interleaved
        batch = []
        for i in range(10):
            key = keys[(txn * 7 + i) % len(keys)]
            seq[key] += 1
            batch.append(CounterIncremented(counter_id=key, amount=1, seq=seq[key]))
        await _append_all(pool, registry, batch, commit=True)
        committed += batch
        if txn % 10 == 0:  # rolled-back transactions in between must leave no trace
            ghost = [CounterIncremented(counter_id=k, amount=1000, seq=-1) for k in keys[:5]]
            await _append_all(pool, registry, ghost, commit=False)
    await _wait_published(pool, 1000)
    stop.set()
    await task

    records = await read_topic(bootstrap, topic.name, expect=1000)
    assert len(records) == 1000
    ids = [dict(r.headers)["ce_id"].decode() for r in records]
    assert len(set(ids)) == 1000
    stored = {str(i) for i in await pool.fetchval("SELECT array_agg(event_id) FROM outbox")}
    assert set(ids) == stored
    bodies = [json.loads(r.value) for r in records]
    assert all(b["seq"] > 0 for b in bodies), "an event of a rolled-back transaction was published"
    by_key: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for r, b in zip(records, bodies, strict=True):
        assert r.key.decode() == b["counter_id"]
        by_key[b["counter_id"]].append((r.partition, r.offset, b["seq"]))
    for key, seen in by_key.items():
        assert len({p for p, _, _ in seen}) == 1, f"{key} spread over partitions"
        in_offset_order = [s for _, _, s in sorted(seen)]
        assert in_offset_order == list(range(1, seq[key] + 1)), f"{key} out of order"


async def test_headers_follow_cloudevents_binary_mode_and_carry_the_trace(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("command") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        async with pool.acquire() as conn, conn.transaction():
            env = await append(
                conn,
                CounterIncremented(counter_id="k1", amount=5, seq=1),
                source="/test",
                actor="user-7",
                correlation_id=uuid.uuid4(),
                registry=registry,
            )
    relay = OutboxRelay(pool, producer)
    assert await relay.publish_pending() == 1  # published outside the request's span
    (record,) = await read_topic(bootstrap, topic.name, expect=1)
    headers = dict(record.headers)
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"vn.cds.test.counter.incremented.v1"
    assert headers["ce_subject"] == b"k1" and record.key == b"k1"
    assert headers["content-type"] == b"application/json"
    assert Envelope.from_headers(record.headers).event_id == env.event_id
    assert headers["traceparent"].decode().split("-")[1] == trace_id
    assert json.loads(record.value) == {"counter_id": "k1", "amount": 5, "seq": 1}
    # Exactly the documented headers, once each: no `correlation_id` of FastStream's beside ce_correlationid.
    documented = {"ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "ce_actor"}
    documented |= {"ce_correlationid", "content-type", "traceparent"}
    assert sorted(k for k, _ in record.headers) == sorted(documented)
    assert headers["ce_correlationid"] == str(env.correlation_id).encode()


async def test_append_refuses_to_run_outside_a_transaction(pool: asyncpg.Pool, registry: Registry) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(OutsideTransactionError):
            await append(conn, CounterIncremented(counter_id="k", amount=1, seq=1), source="/t", registry=registry)
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_relay_keeps_rows_and_retries_when_publishing_fails(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    failures = 2

    async def flaky(rows: object) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise ConnectionError("simulated broker outage before the mark")

    async with pool.acquire() as conn, conn.transaction():
        for i in range(1, 6):
            await append(conn, CounterIncremented(counter_id="k", amount=1, seq=i), source="/t", registry=registry)
    stop = asyncio.Event()
    relay = OutboxRelay(pool, producer, after_publish=flaky, idle_poll_s=0.2)
    task = asyncio.create_task(relay.run(stop))
    await _wait_published(pool, 5, timeout_s=30)
    stop.set()
    await task
    assert failures == 0
    row = await pool.fetchrow(
        "SELECT count(*) AS n, max(attempts) AS attempts FROM outbox WHERE published_at IS NOT NULL"
    )
    assert row is not None and row["n"] == 5
    # Each failed pass had already published: the topic holds duplicates, never fewer than 5 distinct ids.
    records = await read_topic(bootstrap, topic.name, expect=15)
    assert len(records) == 15
    assert len({dict(r.headers)["ce_id"] for r in records}) == 5


async def test_commits_within_the_linger_share_one_pass(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec
) -> None:
    """Woken by the first commit, the relay waits `linger_s`: the commits right behind it go in the same
    pass (without the wait, the first commit's pass would go out alone, 50 ms before the others)."""
    passes: list[int] = []

    async def note(rows: Sequence[asyncpg.Record]) -> None:
        passes.append(len(rows))

    stop = asyncio.Event()
    relay = OutboxRelay(pool, producer, after_publish=note, linger_s=0.5, idle_poll_s=30)
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.3)  # the relay's first pass found nothing; it now waits for a NOTIFY
        assert passes == []
        for seq in range(1, 4):
            event = CounterIncremented(counter_id="k", amount=1, seq=seq)
            await _append_all(pool, registry, [event], commit=True)
            await asyncio.sleep(0.05)
        await _wait_published(pool, 3, timeout_s=10)
    finally:
        stop.set()
        await task
    assert passes == [3]


async def test_a_relay_without_the_lock_publishes_nothing_and_still_measures_the_backlog(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec
) -> None:
    """Another replica's relay holds the relay lock: this one leaves every row to it (no duplicates from two
    relays at once), and its backlog gauge still counts them."""
    events = [CounterIncremented(counter_id="k", amount=1, seq=s) for s in (1, 2)]
    await _append_all(pool, registry, events, commit=True)
    relay = OutboxRelay(pool, producer)
    async with pool.acquire() as other, other.transaction():
        assert await other.fetchval("SELECT pg_try_advisory_xact_lock($1)", outbox._RELAY_LOCK)
        assert await relay.publish_pending() == 0
        assert METRICS.get_sample_value("cds_outbox_pending") == 2
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 2
    assert await relay.publish_pending() == 2  # the lock is free again
    assert METRICS.get_sample_value("cds_outbox_pending") == 0
