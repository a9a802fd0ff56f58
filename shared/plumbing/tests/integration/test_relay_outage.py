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
from cds_plumbing.broker import make_producer
from cds_plumbing.ops.outbox import outbox_backlogs
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
    producer = make_producer(f"127.0.0.1:{PROXY_PORT}", "outage-test", request_timeout_ms=3000)
    await producer.start()
    stop = asyncio.Event()
    relay = OutboxRelay(pool, producer, idle_poll_s=0.2, max_backoff_s=1.0, ack_timeout_s=2.0)
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
        await producer.stop()
        await proxy.cut()
    records = await read_topic(bootstrap, topic.name, expect=10)
    seqs = sorted({json.loads(r.value)["seq"] for r in records})
    assert seqs == list(range(1, 11))


@pytest.mark.skipif(bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")), reason="needs the local broker's PROXIED listener")
async def test_a_broker_outage_shows_in_the_backlog_within_the_acknowledgement_timeout(
    pool: asyncpg.Pool, database: str, registry: Registry, topic: TopicSpec
) -> None:
    """The broker goes away while the relay idles; new rows arrive. Before the fix the first failure came
    after the producer's 40 s request timeout, and `outbox backlog` said nothing until then."""
    proxy = CuttableProxy(PROXY_PORT, PROXIED_PORT)
    await proxy.start()
    producer = make_producer(f"127.0.0.1:{PROXY_PORT}", "backlog-outage-test")  # the services' 40 s request timeout
    await producer.start()
    stop = asyncio.Event()
    relay = OutboxRelay(pool, producer, idle_poll_s=30.0, ack_timeout_s=2.0)
    task = asyncio.create_task(relay.run(stop))
    try:
        await _append(pool, registry, range(1, 4))
        for _ in range(100):
            if await _published(pool) == 3:
                break
            await asyncio.sleep(0.1)
        await proxy.cut()
        began = asyncio.get_running_loop().time()
        # More than one producer batch (16 kB) for the key's partition: a send then blocks until the
        # batch before it drains, which it never does with the broker gone (that was the 40 s).
        await _append(pool, registry, range(4, 304))
        while await pool.fetchval("SELECT failing_since IS NULL FROM outbox_relay_status") in (None, True):
            assert asyncio.get_running_loop().time() - began < 2.0 + 3.0, "the outage never showed"
            await asyncio.sleep(0.1)
        shown_after = asyncio.get_running_loop().time() - began
        assert shown_after < 2.0 + 1.5, f"shown only after {shown_after:.1f} s (acknowledgement timeout 2 s)"

        # The operator's view during the outage: answered at once, with the state and the cause, even
        # with one database that never answers next to it.
        blackhole = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        silent = f"postgresql://x@127.0.0.1:{blackhole.sockets[0].getsockname()[1]}/x"
        asked = asyncio.get_running_loop().time()
        [backlog, hanging] = await outbox_backlogs([database, silent])
        answered_in = asyncio.get_running_loop().time() - asked
        blackhole.close()
        assert answered_in < 2.0, f"backlog took {answered_in:.1f} s"
        assert isinstance(hanging, TimeoutError)
        assert not isinstance(backlog, BaseException)
        assert (backlog.pending, backlog.relay_failed_passes >= 1) == (300, True)
        assert backlog.oldest_age is not None and backlog.relay_failing_for is not None
        assert backlog.last_error is not None
        assert "Kafka did not acknowledge 300 record(s) within 2 s: the broker does not answer" in backlog.last_error
    finally:
        stop.set()
        await proxy.start()
        await task
        await producer.stop()
        await proxy.cut()
    assert await pool.fetchval("SELECT failing_since FROM outbox_relay_status") is None, "cleared once published"
