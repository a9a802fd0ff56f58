"""Set-based apply on the real PostgreSQL and Kafka: a batch handler gets a whole step of events, one key's
events keep their order, duplicates in a batch count once, and a poison event inside a set-based write
is isolated (bisecting in savepoints) and dead-lettered while every other event of the batch is applied."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer, Record, run_consumer
from cds_plumbing.db import Connection
from cds_plumbing.deadletter import DeadLetterPublisher
from tests.support.deadletters import NoDeadLetters
from tests.support.events import TEST_EVENT_TYPE, CounterIncremented, on_counter_incremented
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration


class Counting:
    """A set-based projection of counters: one statement per call, and a log of what each call got."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[str, int]]] = []
        self.last_seq: dict[str, int] = {}

    async def __call__(self, conn: Connection, batch: Sequence[tuple[CounterIncremented, Envelope]]) -> None:
        self.calls.append([(e.counter_id, e.seq) for e, _ in batch])
        assert len({e.counter_id for e, _ in batch}) == len(batch), "one event per key in a call"
        for e, _ in batch:
            assert e.seq == self.last_seq.get(e.counter_id, 0) + 1, f"{e.counter_id} out of order"
        # One statement for the whole step; PostgreSQL refuses a NUL in text, failing the statement.
        await conn.execute(
            """INSERT INTO counters (counter_id, total, applied)
               SELECT id, amount, 1 FROM unnest($1::text[], $2::bigint[]) AS u(id, amount)
               ON CONFLICT (counter_id) DO UPDATE
               SET total = counters.total + EXCLUDED.total, applied = counters.applied + 1""",
            [e.counter_id for e, _ in batch],
            [e.amount for e, _ in batch],
        )
        for e, _ in batch:  # only once the statement succeeded (a failed call's events are retried)
            self.last_seq[e.counter_id] = e.seq


async def _send(bootstrap: str, topic: str, events: list[CounterIncremented], *, twice: int | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for i, event in enumerate(events):
            env = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject=event.counter_id).to_headers()
            for _ in range(2 if i == twice else 1):
                value, key = event.model_dump_json().encode(), event.counter_id.encode()
                # Each counter is its own key, all on partition 0 so the offsets follow the list.
                await producer.send_and_wait(topic, value, key=key, headers=env, partition=0)
    finally:
        await producer.stop()


async def _batch(bootstrap: str, topic: str, expect: int) -> list[Record]:
    records = await read_topic(bootstrap, topic, expect=expect, settle_s=0.2)
    return sorted(records, key=lambda r: (r.partition, r.offset))


async def _consumer(pool: asyncpg.Pool, registry: Registry, bootstrap: str) -> tuple[IdempotentConsumer, Counting]:
    consumer = IdempotentConsumer(f"test-sets-{uuid.uuid4().hex[:8]}", registry=registry)
    counting = Counting()
    consumer.on_batch(CounterIncremented)(counting)
    dlq = DeadLetterPublisher(bootstrap, consumer.name)
    await dlq.start()
    consumer.bind(pool, dlq)
    return consumer, counting


async def _totals(pool: asyncpg.Pool) -> dict[str, tuple[int, int]]:
    return {r["counter_id"]: (r["total"], r["applied"]) for r in await pool.fetch("SELECT * FROM counters")}


async def test_a_batch_handler_gets_every_key_in_one_call_and_each_keys_events_in_order(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    # 100 counters once each, then counters c0..c2 three more times: 4 steps, the first with 100 events.
    events = [CounterIncremented(counter_id=f"c{i}", amount=1, seq=1) for i in range(100)]
    events += [CounterIncremented(counter_id=f"c{i}", amount=10, seq=s) for s in (2, 3, 4) for i in range(3)]
    await _send(bootstrap, topic.name, events, twice=5)  # c5's event is on the topic twice
    consumer, counting = await _consumer(pool, registry, bootstrap)
    result = await consumer.process_batch(await _batch(bootstrap, topic.name, expect=len(events) + 1))
    assert (result.applied, result.duplicates, result.dead_lettered) == (109, 1, 0)
    assert [len(call) for call in counting.calls] == [100, 3, 3, 3]
    totals = await _totals(pool)
    assert totals["c0"] == (31, 4) and totals["c5"] == (1, 1) and len(totals) == 100
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 109


async def test_a_poison_event_in_a_set_based_write_is_isolated_and_dead_lettered(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    events = [CounterIncremented(counter_id=f"c{i}", amount=i, seq=1) for i in range(60)]
    events.insert(37, CounterIncremented(counter_id="bad\x00id", amount=1, seq=1))  # text cannot hold NUL
    events.append(CounterIncremented(counter_id="c7", amount=100, seq=2))  # after the poison, same batch
    await _send(bootstrap, topic.name, events)
    consumer, counting = await _consumer(pool, registry, bootstrap)
    result = await consumer.process_batch(await _batch(bootstrap, topic.name, expect=len(events)))
    assert (result.applied, result.dead_lettered) == (61, 1)
    assert len(counting.calls[0]) == 61, "the whole first step was tried in one statement first"
    totals = await _totals(pool)
    assert len(totals) == 60 and totals["c7"] == (107, 2)
    assert sum(t for t, _ in totals.values()) == sum(range(60)) + 100
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 61, "the poison is not in the inbox"
    dead = await read_topic(bootstrap, topic.dlq.name, expect=1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["x-dlq-origin-offset"] == b"37"
    assert headers["x-dlq-error-type"] == b"CharacterNotInRepertoireError"
    assert dead[0].value == events[37].model_dump_json().encode()


async def test_records_read_ahead_of_a_failed_batch_are_applied_once_it_is_retried(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    # 6 counters x 10 events on every partition; small batches, so the next is always read ahead when the
    # third one fails on the database (transient: rolled back, rewound, retried).
    events = [CounterIncremented(counter_id=f"c{k}", amount=seq, seq=seq) for seq in range(1, 11) for k in range(6)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for e in events:
            env = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject=e.counter_id).to_headers()
            await producer.send_and_wait(
                topic.name, e.model_dump_json().encode(), key=e.counter_id.encode(), headers=env
            )
    finally:
        await producer.stop()
    consumer = IdempotentConsumer(f"test-ahead-{uuid.uuid4().hex[:8]}", registry=registry)
    calls = 0

    async def flaky(conn: Connection, batch: Sequence[tuple[CounterIncremented, Envelope]]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            await asyncio.sleep(0.3)  # the next batch is read and decoded meanwhile
            raise OSError("simulated database outage")
        for event, envelope in batch:  # the totals in the database tell if anything was lost or doubled
            await on_counter_incremented(conn, event, envelope)

    consumer.on_batch(CounterIncremented)(flaky)
    consumer.bind(pool, NoDeadLetters())
    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop, max_records=5, backoff_s=0.1))
    try:
        for _ in range(300):
            if await pool.fetchval("SELECT count(*) FROM processed_events") >= 60 or task.done():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await task
    assert calls > 3, "the failed batch was retried"
    assert await _totals(pool) == {f"c{k}": (55, 10) for k in range(6)}
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 60
