"""The backlog the relay measures after each pass, on the real PostgreSQL: correct when rows commit behind
its read, and measured without a join whose cost grows as backlog × batch. A bulk import of 15,000
officers (30,000 rows) took 29 s instead of 7 to reach Kafka in a third of the bench runs: statistics
taken while the outbox was empty made that join a nested loop, 1.3 s a pass."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY as METRICS

from cds_contracts import Registry, TopicSpec
from cds_plumbing import outbox
from cds_plumbing.outbox import OutboxRelay, append, append_many
from tests.support.events import CounterIncremented, register_test_events

pytestmark = pytest.mark.integration

BACKLOG = 3_000


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def _outbox_believed_empty(pool: asyncpg.Pool, registry: Registry) -> None:
    """Statistics that say no row is unpublished (an ANALYZE while the relay had caught up), then a backlog
    of BACKLOG rows they know nothing about (autovacuum off, so no ANALYZE catches up in between)."""
    await pool.execute("ALTER TABLE outbox SET (autovacuum_enabled = false)")
    async with pool.acquire() as conn, conn.transaction():
        events = [CounterIncremented(counter_id=f"k{n}", amount=1, seq=n) for n in range(200)]
        await append_many(conn, events, source="/test", registry=registry)
    await pool.execute("UPDATE outbox SET published_at = now()")
    await pool.execute("ANALYZE outbox")
    async with pool.acquire() as conn, conn.transaction():
        events = [CounterIncremented(counter_id=f"k{n}", amount=1, seq=n) for n in range(BACKLOG)]
        await append_many(conn, events, source="/test", registry=registry)


@pytest.mark.parametrize("mode", ["force_custom_plan", "force_generic_plan"])
async def test_marking_a_batch_reads_the_backlog_once_however_stale_the_statistics(
    pool: asyncpg.Pool, mode: str
) -> None:
    """The relay's mark statement prepared, as asyncpg runs it (custom plans first, then maybe a generic
    one), under EXPLAIN ANALYZE: no plan node runs more than once. The former anti-join with the published
    rows ran its inner side once per backlog row (loops = 3,000) under these statistics. PREPARE and EXECUTE
    with the values written out: EXPLAIN of a statement with bound parameters always plans it custom."""
    # Nothing is sent: a topic's name is all the rows need, no topic on Kafka.
    await _outbox_believed_empty(pool, register_test_events(Registry(), TopicSpec("test.counter-unsent")))
    async with pool.acquire() as conn:
        tx = conn.transaction()  # rolled back: EXPLAIN ANALYZE really runs the mark's updates
        await tx.start()
        try:
            await conn.execute(f"SET LOCAL plan_cache_mode = {mode}")
            await conn.execute(f"PREPARE mark(bigint[], bigint) AS {outbox._MARK_PUBLISHED}")
            ids = [r["id"] for r in await conn.fetch(outbox._PENDING, 500)]
            listed = "{" + ",".join(map(str, ids)) + "}"
            explained = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE mark('{listed}', {max(ids)})")
        finally:
            await tx.rollback()
            await conn.execute("DEALLOCATE ALL")  # a prepared statement outlives the rollback
    plan = explained[0]["Plan"]  # the pool decodes json (cds_plumbing.db)
    loops = [(n["Node Type"], n.get("Relation Name") or n.get("CTE Name"), n["Actual Loops"]) for n in _nodes(plan)]
    assert max(n for _, _, n in loops) == 1, loops
    # and the plan does read the backlog it measures
    assert max(n["Actual Rows"] for n in _nodes(plan) if n.get("Relation Name") == "outbox") >= BACKLOG - 500


async def test_the_backlog_left_counts_a_row_committed_behind_the_published_batch(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, registry: Registry, topic: TopicSpec
) -> None:
    """A transaction that took its outbox id first but commits after the relay read its batch: that row's
    id is below the batch's highest, and it is still unpublished, so the gauge counts it."""
    late = await pool.acquire()
    held = late.transaction()
    await held.start()
    await append(late, CounterIncremented(counter_id="late", amount=1, seq=1), source="/test", registry=registry)
    events = [CounterIncremented(counter_id="k", amount=1, seq=s) for s in (1, 2)]
    async with pool.acquire() as conn, conn.transaction():
        await append_many(conn, events, source="/test", registry=registry)

    async def commit_the_late_row(rows: Sequence[asyncpg.Record]) -> None:
        await held.commit()  # after the batch was read and sent, before it is marked

    try:
        relay = OutboxRelay(pool, producer, after_publish=commit_the_late_row)
        assert await relay.publish_pending() == 2
        assert METRICS.get_sample_value("cds_outbox_pending") == 1
        assert (METRICS.get_sample_value("cds_outbox_oldest_unpublished_age_seconds") or 0) > 0
        ids = await pool.fetchrow("SELECT min(id) AS late, max(id) AS top FROM outbox")
        # the case this test is about: the late row's id lies inside the published batch's range
        assert ids is not None and ids["late"] < ids["top"]
        assert await OutboxRelay(pool, producer).publish_pending() == 1
        assert METRICS.get_sample_value("cds_outbox_pending") == 0
        assert METRICS.get_sample_value("cds_outbox_oldest_unpublished_age_seconds") == 0
    finally:
        await pool.release(late)
