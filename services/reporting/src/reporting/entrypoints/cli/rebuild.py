"""`reporting-rebuild`: replay the personnel topics from offset 0 into a fresh projection schema and swap it in.

1. Create schema proj_<n+1> (same tables, plus an unlogged inbox of its own) and replay every partition
   into it with a temporary consumer `reporting-rebuild-<n+1>` (same subscribers, search_path set to the
   new schema), up to the end offsets seen at start. The tables triggers keep (the trend and team-member
   deltas, migrations 0015 and 0020) are left out while it replays and filled once, set-based, at its end.
2. Take PROJECTION_LOCK exclusively: the live consumer stops at its next batch. Read its checkpoints and
   keep replaying until the rebuild is at least as far on every partition.
3. In one transaction: add the rebuild's inbox entries the live consumer's lacks to it (so it skips what
   the rebuild applied), drop the rebuild's inbox, point projection_state at the new schema, drop the
   old one. Release the lock.
Readers keep reading the old schema until the swap commits, then the new one.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

import asyncpg
import uvloop
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import REGISTRY
from cds_plumbing.consumer import IdempotentConsumer, Prefetch, kafka_consumer, seek_back
from cds_plumbing.db import create_pool
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.runtime import tune_garbage_collector
from reporting.adapters.projection_schema import (
    PROJECTION_LOCK,
    active_schema,
    analyze_schema,
    create_rebuild_inbox,
    create_schema,
    next_schema,
    swap_in,
    use_schema,
)
from reporting.config import Settings
from reporting.entrypoints.events.subscribers import ALL_SUBSCRIBERS, make_consumer

REBUILD_LOCK = PROJECTION_LOCK + 1  # held for a whole rebuild, so two never race for the same schema
DEFAULT_TOPICS = tuple(sorted({REGISTRY.spec_for(m).topic.name for m in ALL_SUBSCRIBERS}))


@dataclass
class Progress:
    """A plain-text progress bar on one line: `[#####.....] 51% 2550/5000 events`."""

    out: TextIO
    start: dict[TopicPartition, int]
    target: dict[TopicPartition, int]
    width: int = 30
    shown: str = field(default="", init=False)

    def show(self, positions: dict[TopicPartition, int]) -> None:
        total = sum(self.target[tp] - self.start[tp] for tp in self.target)
        done = sum(min(positions.get(tp, self.start[tp]), self.target[tp]) - self.start[tp] for tp in self.target)
        ratio = done / total if total else 1.0
        filled = int(ratio * self.width)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {ratio:4.0%} {done}/{total} events"
        if line != self.shown:
            self.out.write("\r" + line)
            self.out.flush()
            self.shown = line


@dataclass(frozen=True)
class RebuildResult:
    schema: str
    replaced: str
    applied: int
    replay_s: float = 0.0  # replaying every partition up to the live consumer, then catching up under the lock
    swap_s: float = 0.0  # handing the inbox over and switching the schema, in one transaction


async def rebuild(
    dsn: str,
    bootstrap: str,
    topics: tuple[str, ...] = DEFAULT_TOPICS,
    *,
    live_consumer: str = "reporting-projections",
    max_records: int = 500,
    out: TextIO = sys.stdout,
) -> RebuildResult:
    # One session for the whole run: it holds REBUILD_LOCK (one rebuild at a time) and later
    # PROJECTION_LOCK; closing it releases both, also when something fails half-way.
    session = await asyncpg.connect(dsn)
    pool = await create_pool(dsn, 1, 2)
    dead_letters: DeadLetterPublisher | None = None
    try:
        if not await session.fetchval("SELECT pg_try_advisory_lock($1)", REBUILD_LOCK):
            raise SystemExit("another reporting-rebuild is running on this database")
        async with pool.acquire() as conn:
            schema = next_schema(await active_schema(conn))
            name = f"reporting-rebuild-{schema.removeprefix('proj_')}"
            # Leftovers of an interrupted rebuild with the same number would make it skip events.
            await conn.execute("DELETE FROM processed_events WHERE consumer = $1", name)
            await conn.execute("DELETE FROM consumer_checkpoints WHERE consumer = $1", name)
            await create_schema(conn, schema)
            await create_rebuild_inbox(conn, schema)
            await conn.execute("SELECT reporting_drop_derived_tables($1)", schema)  # filled after the replay
        consumer = make_consumer(name, before_batch=use_schema(schema))
        dead_letters = DeadLetterPublisher(bootstrap, name)
        await dead_letters.start()
        consumer.bind(pool, dead_letters)
        applied, replaced, replay_s, swap_s = await _replay_and_swap(
            consumer, schema, session, bootstrap, topics, live_consumer, max_records, out
        )
        return RebuildResult(schema, replaced, applied, replay_s, swap_s)
    finally:
        if dead_letters is not None:
            await dead_letters.stop()
        await pool.close()
        await session.close()


async def _replay_and_swap(
    consumer: IdempotentConsumer,
    schema: str,
    session: asyncpg.Connection,
    bootstrap: str,
    topics: tuple[str, ...],
    live_consumer: str,
    max_records: int,
    out: TextIO,
) -> tuple[int, str, float, float]:
    started = time.perf_counter()
    # No group: partitions are assigned explicitly and nothing is committed to Kafka.
    kafka = kafka_consumer(bootstrap, None, consumer.name)
    await kafka.start()
    try:
        partitions = await _partitions(bootstrap, topics)
        kafka.assign(partitions)
        await kafka.seek_to_beginning(*partitions)
        start = await kafka.beginning_offsets(partitions)
        progress = Progress(out, dict(start), dict(await kafka.end_offsets(partitions)))
        applied = await _replay(kafka, consumer, progress, max_records)
        # Once, set-based, what the triggers would have kept batch by batch; they keep it from here on.
        await session.execute("SELECT reporting_create_derived_tables($1)", schema)
        await analyze_schema(session, schema)  # before the lock: the live consumer goes on meanwhile

        # The live consumer waits at its next batch from here until the swap; readers do not.
        await session.execute("SELECT pg_advisory_lock($1)", PROJECTION_LOCK)
        rows = await session.fetch(
            "SELECT topic, kafka_partition, next_offset FROM consumer_checkpoints WHERE consumer = $1", live_consumer
        )
        live = {TopicPartition(r["topic"], r["kafka_partition"]): r["next_offset"] for r in rows}
        progress.target = {tp: max(end, live.get(tp, 0)) for tp, end in progress.target.items()}
        applied += await _replay(kafka, consumer, progress, max_records)
        replayed = time.perf_counter()
        replaced = await swap_in(session, schema, rebuild_consumer=consumer.name, live_consumer=live_consumer)
        await session.execute("SELECT pg_advisory_unlock($1)", PROJECTION_LOCK)
        out.write("\n")
        return applied, replaced, replayed - started, time.perf_counter() - replayed
    finally:
        await kafka.stop()


async def _partitions(bootstrap: str, topics: tuple[str, ...]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    found = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
    missing = set(topics) - {tp.topic for tp in found}
    if missing:
        raise SystemExit(f"topic(s) not found: {', '.join(sorted(missing))}")
    return sorted(found, key=lambda tp: (tp.topic, tp.partition))


async def _replay(kafka: AIOKafkaConsumer, consumer: IdempotentConsumer, progress: Progress, max_records: int) -> int:
    """Apply batches until every partition is applied up to progress.target; returns the events applied.
    The next batch is read and decoded while one is applied (Prefetch); what was read ahead when it stops
    is read again by the next call."""
    applied = 0
    done = {tp: await kafka.position(tp) for tp in progress.target}
    progress.show(done)
    prefetch = Prefetch(kafka, consumer, max_records)
    try:
        while any(done[tp] < target for tp, target in progress.target.items()):
            fetched, decoded = await prefetch.next()
            if fetched:
                # A database failure ends the command: rerunning it starts a clean rebuild.
                result = await consumer.apply_decoded(decoded)
                applied += result.applied
                done.update(result.next_offsets)
            else:  # nothing new: the positions say how far the partitions go (past any control record)
                seek_back(kafka, await prefetch.discard())
                done = {tp: max(off, await kafka.position(tp)) for tp, off in done.items()}
            progress.show(done)
    finally:
        seek_back(kafka, await prefetch.discard())
    return applied


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(prog="reporting-rebuild", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default=settings.database_url, help="reporting database URL")
    parser.add_argument("--bootstrap", default=settings.kafka_bootstrap_servers, help="Kafka brokers")
    parser.add_argument("--topics", default=",".join(DEFAULT_TOPICS), help="comma-separated topics to replay")
    parser.add_argument("--live-consumer", default=settings.consumer_name, help="name of the live consumer")
    parser.add_argument("--max-records", type=int, default=settings.consumer_max_records, help="records per batch")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    tune_garbage_collector(freeze=True)
    topics = tuple(t for t in args.topics.split(",") if t)
    # uvloop: the replay's Kafka and PostgreSQL I/O run in C (as the services' do under uvicorn)
    result = uvloop.run(
        rebuild(args.dsn, args.bootstrap, topics, live_consumer=args.live_consumer, max_records=args.max_records)
    )
    total = result.replay_s + result.swap_s
    print(
        f"rebuilt {result.schema}: {result.applied:,} events applied in {total:.1f} s "
        f"({result.applied / total if total else 0:,.0f} events/s; replay {result.replay_s:.1f} s, "
        f"swap {result.swap_s:.1f} s); replaced {result.replaced}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
