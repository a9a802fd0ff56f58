"""Tombstones, the erasure signal of compacted profile topics: `append_tombstone` in the outbox becomes a
record with a null value (and the envelope headers, without personal data), and a consumer that
registered `on_tombstone` for the topic deletes its copy of that key; a tombstone on a topic without
such a handler is a dead letter, like any record it cannot read."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer, run_consumer
from cds_plumbing.db import Connection
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.outbox import OutboxRelay, append, append_tombstone
from tests.support.events import CounterIncremented, on_counter_incremented
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration


async def forget_counter(conn: Connection, key: str) -> None:
    await conn.execute("DELETE FROM counters WHERE counter_id = $1", key)


async def test_a_tombstone_travels_as_a_null_value_and_deletes_the_consumers_copy(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for key in ("keep", "erase"):
            await append(conn, CounterIncremented(counter_id=key, amount=5, seq=1), source="/t", registry=registry)
        await append_tombstone(conn, topic, "erase", type="vn.cds.test.counter.erased", source="/t", actor="dpo")
    relay = OutboxRelay(pool, producer, batch_size=100)
    while await relay.publish_pending():
        pass

    records = await read_topic(bootstrap, topic.name, expect=3)
    (tombstone,) = [r for r in records if r.value is None]
    assert tombstone.key == b"erase"
    headers = Envelope.from_headers(tombstone.headers)
    assert (headers.type, headers.subject, headers.actor) == ("vn.cds.test.counter.erased", "erase", "dpo")

    consumer = IdempotentConsumer(f"test-tomb-{uuid.uuid4().hex[:8]}", registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented)
    consumer.on_tombstone(topic)(forget_counter)
    assert consumer.topics == [topic.name]
    dlq = DeadLetterPublisher(bootstrap, consumer.name)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop))
    try:
        for _ in range(300):  # both increments applied, and the erased counter gone again
            rows = {r["counter_id"] for r in await pool.fetch("SELECT counter_id FROM counters")}
            done = await pool.fetchval("SELECT count(*) FROM processed_events") == 2
            if done and rows == {"keep"}:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
        await dlq.stop()
    assert {r["counter_id"] for r in await pool.fetch("SELECT counter_id FROM counters")} == {"keep"}
    # Replaying the partition (a rebuild) ends in the same place: deleting is idempotent.
    batch = await consumer.process_batch(sorted(records, key=lambda r: (r.partition, r.offset)))
    assert batch.dead_lettered == 0
    assert {r["counter_id"] for r in await pool.fetch("SELECT counter_id FROM counters")} == {"keep"}


async def test_a_tombstone_nobody_registered_for_is_a_dead_letter(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await append_tombstone(conn, topic, "k", type="vn.cds.test.counter.erased", source="/t")
    relay = OutboxRelay(pool, producer, batch_size=100)
    while await relay.publish_pending():
        pass
    (record,) = await read_topic(bootstrap, topic.name, expect=1)
    consumer = IdempotentConsumer(f"test-tomb-{uuid.uuid4().hex[:8]}", registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented)
    sent: list[str] = []

    class Dead:
        async def send(self, rec: object, error: BaseException, **_: object) -> None:
            sent.append(str(error))

    consumer.bind(pool, Dead())  # type: ignore[arg-type]
    assert (await consumer.process_batch([record])).dead_lettered == 1
    assert len(sent) == 1 and "counter.erased" in sent[0]  # the cause names what it could not read
