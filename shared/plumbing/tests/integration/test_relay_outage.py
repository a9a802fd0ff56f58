"""The relay through a real outage: the connection to the broker is cut, events keep arriving in the
outbox, nothing is lost, the failed attempts are noted on the rows, and when the broker is reachable
again everything is published."""

from __future__ import annotations

import asyncio
import json
import os

import asyncpg
import pytest

from cds_contracts import Registry, TopicSpec
from cds_plumbing.broker import make_broker
from cds_plumbing.outbox import OutboxRelay, append
from tests.support.events import CounterIncremented
from tests.support.kafka import read_topic
from tests.support.proxy import CuttableProxy

pytestmark = pytest.mark.integration
PROXY_PORT = int(os.environ.get("KAFKA_PROXY_PORT", "9095"))
PROXIED_PORT = int(os.environ.get("KAFKA_PROXIED_PORT", "9094"))


async def _append(pool: asyncpg.Pool, registry: Registry, seqs: range) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for seq in seqs:
            await append(conn, CounterIncremented(counter_id="k", amount=1, seq=seq), source="/t", registry=registry)


async def _published(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"))


@pytest.mark.skipif(bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")), reason="needs the local broker's PROXIED listener")
async def test_relay_rides_out_a_broker_outage(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    proxy = CuttableProxy(PROXY_PORT, PROXIED_PORT)
    await proxy.start()
    broker = make_broker(f"127.0.0.1:{PROXY_PORT}", "outage-test", request_timeout_ms=3000)
    await broker.connect()
    stop = asyncio.Event()
    relay = OutboxRelay(pool, broker, idle_poll_s=0.2, max_backoff_s=1.0, ack_timeout_s=2.0)
    task = asyncio.create_task(relay.run(stop))
    try:
        await _append(pool, registry, range(1, 6))
        for _ in range(100):
            if await _published(pool) == 5:
                break
            await asyncio.sleep(0.1)
        assert await _published(pool) == 5

        await proxy.cut()
        await _append(pool, registry, range(6, 11))
        await asyncio.sleep(5)  # longer than the acknowledgement timeout: the relay has failed and is backing off
        assert await _published(pool) == 5, "nothing can be acknowledged while the broker is unreachable"
        assert not task.done(), "the relay must survive the outage"
        failed = await pool.fetch("SELECT attempts, last_error FROM outbox WHERE published_at IS NULL")
        assert len(failed) == 5 and all(r["attempts"] >= 1 and r["last_error"] for r in failed), (
            "each failed pass is recorded on its rows, for `outbox backlog`"
        )

        await proxy.start()
        for _ in range(300):
            if await _published(pool) == 10:
                break
            await asyncio.sleep(0.1)
        assert await _published(pool) == 10
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE last_error IS NOT NULL") == 0
    finally:
        stop.set()
        await task
        await proxy.start()  # also after a failure mid-outage: a client cut off from its broker cannot stop
        await broker.stop()
        await proxy.cut()
    records = await read_topic(bootstrap, topic.name, expect=10)
    seqs = sorted({json.loads(r.value)["seq"] for r in records})
    assert seqs == list(range(1, 11))
