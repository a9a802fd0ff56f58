"""Two relays over one outbox (two replicas of a service), on the real engines: writers in both replicas
interleave commands on the same aggregates (each command locks its aggregate's row first, as the
services' repositories do), both relays run with small batches, one dies mid-way; every aggregate's
events are on Kafka, each once at least, and in commit order (first occurrences, since a relay that
dies after publishing leaves duplicates, which consumers skip by event id)."""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing import outbox
from cds_plumbing.broker import make_producer
from cds_plumbing.outbox import OutboxRelay, append
from tests.support.events import CounterIncremented
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration
KEYS = [f"officer-{i}" for i in range(6)]
COMMANDS_PER_WRITER = 300


async def _writer(pool: asyncpg.Pool, registry: Registry, rng: random.Random, commands: int) -> None:
    for _ in range(commands):
        key = rng.choice(KEYS)
        async with pool.acquire() as conn, conn.transaction():
            # Lock the aggregate, then decide and append: the commit order is the order of `seq`.
            seq = await conn.fetchval("SELECT applied + 1 FROM counters WHERE counter_id = $1 FOR UPDATE", key)
            await conn.execute("UPDATE counters SET applied = $2 WHERE counter_id = $1", key, seq)
            await append(conn, CounterIncremented(counter_id=key, amount=1, seq=seq), source="/t", registry=registry)
        await asyncio.sleep(rng.random() / 500)


def _jitter(producer: AIOKafkaProducer, rng: random.Random) -> None:
    """Replicas on busy machines: each send waits a little, so two relays publishing at once would interleave."""
    send = producer.send

    async def jittered(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(rng.random() / 1000)
        return await send(*args, **kwargs)

    producer.send = jittered


async def test_two_relays_keep_every_aggregates_events_in_commit_order(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    await pool.executemany("INSERT INTO counters VALUES ($1, 0, 0)", [(k,) for k in KEYS])
    producers = [make_producer(bootstrap, f"relay-{n}") for n in (1, 2)]
    for n, p in enumerate(producers):
        await p.start()
        _jitter(p, random.Random(n))
    rngs = [random.Random(1), random.Random(2)]
    # A backlog first, so both relays start on it at once (as after an outage), then writes go on.
    await asyncio.gather(*(_writer(pool, registry, rng, COMMANDS_PER_WRITER // 2) for rng in rngs))
    stops = [asyncio.Event(), asyncio.Event()]
    relays = [
        asyncio.create_task(OutboxRelay(pool, p, batch_size=7, idle_poll_s=0.2).run(s))
        for p, s in zip(producers, stops, strict=True)
    ]
    writers = [asyncio.create_task(_writer(pool, registry, rng, COMMANDS_PER_WRITER // 2)) for rng in rngs]
    await asyncio.sleep(0.5)
    relays[0].cancel()  # replica 1 dies mid-way; replica 2's relay carries on alone
    await asyncio.gather(*writers)
    for _ in range(300):
        if await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0:
            break
        await asyncio.sleep(0.1)
    stops[1].set()
    await asyncio.gather(*relays, return_exceptions=True)
    for p in producers:
        await p.stop()
    published_by_both = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL")
    assert published_by_both == 2 * COMMANDS_PER_WRITER

    records = await read_topic(bootstrap, topic.name, expect=2 * COMMANDS_PER_WRITER)
    seen: set[str] = set()
    order: dict[str, list[int]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        event_id = Envelope.from_headers(dict(r.headers)).event_id
        if str(event_id) in seen:
            continue  # a redelivered copy
        seen.add(str(event_id))
        order[r.key.decode()].append(json.loads(r.value)["seq"])
    committed = {r["counter_id"]: r["applied"] for r in await pool.fetch("SELECT counter_id, applied FROM counters")}
    for key in KEYS:
        assert order[key] == list(range(1, committed[key] + 1)), f"{key}: {order[key]}"


async def test_a_relay_taking_the_lock_over_does_not_claim_what_the_last_holder_published(pool: asyncpg.Pool) -> None:
    """Relay A marks its rows published and commits, releasing the lock, while relay B's pass is already
    under way: B reads the rows in a statement begun once it holds the lock, so it sees A's commit. (When
    the rows were read in the statement that took the lock, which reads the table as it was when it
    began, B sent A's rows again: 5 of 5 trials with a backlog that takes a while to count.)"""
    await pool.execute(
        """INSERT INTO outbox (event_id, topic, key, event_type, event_version, payload, headers)
           SELECT gen_random_uuid(), 't', 'k' || g, 'x', 1, '{}'::jsonb, '{}'::jsonb
           FROM generate_series(1, 300000) g"""
    )
    await pool.execute("ANALYZE outbox")
    async with pool.acquire() as a, pool.acquire() as b:
        for _ in range(3):
            a_tx, b_tx = a.transaction(), b.transaction()
            await a_tx.start()
            assert await a.fetchval(outbox._LOCK_AND_BACKLOG, outbox._RELAY_LOCK)  # held: the first column
            published = [r["id"] for r in await a.fetch(outbox._PENDING, 10)]
            await a.fetchrow(outbox._MARK_PUBLISHED, published, max(published))
            await b_tx.start()
            taking_over = asyncio.create_task(b.fetchval(outbox._LOCK_AND_BACKLOG, outbox._RELAY_LOCK))
            await asyncio.sleep(0.02)  # B's statement has begun: it is counting the backlog
            await a_tx.commit()  # A's rows published, and the lock released
            claimed = [r["id"] for r in await b.fetch(outbox._PENDING, 10)] if await taking_over else []
            await b_tx.rollback()
            assert not set(published) & set(claimed)
