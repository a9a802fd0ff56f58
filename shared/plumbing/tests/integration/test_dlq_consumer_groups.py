"""One bad record on a topic that three consumer groups read, on the real Kafka and PostgreSQL: each group that
fails it dead-letters its own copy (`x-dlq-consumer`), `dlq list` shows the copies of the record together, and
`dlq replay` sends each copy back for the group that failed it only. The other groups skip a replay that is not
theirs (`cds_plumbing.deadletter.replayed_for_another`), so none applies the event twice, and a group still
waiting for its fix does not dead-letter it again."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing import deadletter as dl
from cds_plumbing.consumer import IdempotentConsumer, run_consumer
from cds_plumbing.db import Connection
from cds_plumbing.deadletter import DeadLetterPublisher
from tests.support.events import CounterIncremented
from tests.support.kafka import read_topic

from .test_cli import cli, produce

pytestmark = pytest.mark.integration


def group(name: str, registry: Registry, *, fixed: bool) -> IdempotentConsumer:
    """A consumer group whose projection rows are its own (`<group>/<counter>`); until fixed, it fails "bad"."""
    consumer = IdempotentConsumer(name, registry=registry)

    async def on_counter_incremented(conn: Connection, event: CounterIncremented, envelope: Envelope) -> None:
        if event.counter_id == "bad" and not fixed:
            raise ValueError(f"{name} cannot count bad yet")
        await conn.execute(
            """INSERT INTO counters (counter_id, total, applied) VALUES ($1, $2, 1) ON CONFLICT (counter_id)
               DO UPDATE SET total = counters.total + $2, applied = counters.applied + 1""",
            f"{name}/{event.counter_id}",
            event.amount,
        )

    consumer.on(CounterIncremented)(on_counter_incremented)
    return consumer


async def run_side_by_side(consumers: list[IdempotentConsumer], pool: asyncpg.Pool, bootstrap: str, n: int) -> None:
    """Run the groups at once until each has read the topic's first `n` records, then a little longer."""
    publishers = [DeadLetterPublisher(bootstrap, c.name) for c in consumers]
    stop = asyncio.Event()
    tasks = []
    for consumer, publisher in zip(consumers, publishers, strict=True):
        await publisher.start()
        consumer.bind(pool, publisher)
        tasks.append(asyncio.create_task(run_consumer(consumer, bootstrap, stop, max_records=100)))
    names = [c.name for c in consumers]
    try:
        for _ in range(600):
            read = await pool.fetch(
                "SELECT consumer, sum(next_offset) AS n FROM consumer_checkpoints WHERE consumer = ANY($1) "
                "GROUP BY consumer",
                names,
            )
            if (len(read) == len(names) and all(r["n"] >= n for r in read)) or any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # time for a wrong application or dead letter to show
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for publisher in publishers:
            await publisher.stop()


async def counted(pool: asyncpg.Pool) -> dict[str, tuple[int, int]]:
    rows = await pool.fetch("SELECT counter_id, total, applied FROM counters WHERE counter_id LIKE '%/bad'")
    return {r["counter_id"].rsplit("/", 1)[0]: (r["total"], r["applied"]) for r in rows}


async def letters(bootstrap: str, topic: TopicSpec) -> list[dict[str, object]]:
    listed = await cli(bootstrap, "dlq", "list", topic.name, "--json")
    assert listed.returncode == 0, listed.stderr
    loaded: list[dict[str, object]] = json.loads(listed.stdout)
    return loaded


async def test_each_dead_letter_goes_back_only_to_the_group_that_failed_it(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    a, b, c = (f"test-groups-{uuid.uuid4().hex[:6]}-{x}" for x in "abc")
    good, bad = (
        CounterIncremented(counter_id="ok", amount=1, seq=1),
        CounterIncremented(counter_id="bad", amount=5, seq=1),
    )
    [_, (bad_partition, bad_offset, bad_headers)] = await produce(bootstrap, topic.name, [good, bad])
    await run_side_by_side([group(x, registry, fixed=False) for x in (a, b, c)], pool, bootstrap, 2)
    assert await counted(pool) == {}

    # A retried batch may dead-letter a record twice: copy a's dead letter as that would.
    [a_copy] = [
        r for r in await read_topic(bootstrap, topic.dlq.name, expect=3) if dict(r.headers)[dl.CONSUMER] == a.encode()
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    await producer.send_and_wait(topic.dlq.name, a_copy.value, key=a_copy.key, headers=list(a_copy.headers))
    await producer.stop()

    [record] = await letters(bootstrap, topic)  # four copies of one record
    assert (record["origin_partition"], record["origin_offset"]) == (str(bad_partition), str(bad_offset))
    assert record["consumers"] == sorted([a, b, c])
    assert sorted(str(x["consumer"]) for x in record["copies"]) == sorted([a, a, b, c])  # type: ignore[attr-defined]
    text = (await cli(bootstrap, "dlq", "list", topic.name)).stdout
    assert f"{topic.name}[{bad_partition}]@{bad_offset}  key=bad" in text and "failed by 3 consumer(s)" in text

    # a is fixed and replays its copy (once, though it has two); b is fixed too, c is not.
    replay_a = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", a)
    assert "replayed 1 record(s)" in replay_a.stdout, replay_a.stderr
    assert f"-> {topic.name} for {a} only" in replay_a.stdout
    assert "another copy of a record this replay sends to the same consumer, skipped" in replay_a.stdout
    replayed = max(
        await read_topic(bootstrap, topic.name, expect=3), key=lambda r: r.offset * (r.partition == bad_partition)
    )
    assert list(replayed.headers)[: len(bad_headers)] == bad_headers
    assert dict(replayed.headers)[dl.REPLAY_FOR] == a.encode()
    assert dict(replayed.headers)[dl.REPLAY_OF].decode().startswith(f"{topic.dlq.name}/")
    assert not any(k.startswith("x-dlq-") for k, _ in replayed.headers)
    await run_side_by_side(
        [group(a, registry, fixed=True), group(b, registry, fixed=True), group(c, registry, fixed=False)],
        pool,
        bootstrap,
        3,
    )
    assert await counted(pool) == {a: (5, 1)}, "b and c skip the replay meant for a"
    assert len(await read_topic(bootstrap, topic.dlq.name, expect=4)) == 4, "c did not dead-letter it again"

    # Every copy, each for its own group: a already applied the event, b applies it now, c fails again.
    replay_all = await cli(bootstrap, "dlq", "replay", topic.name)
    assert "replayed 3 record(s)" in replay_all.stdout, replay_all.stderr
    await run_side_by_side(
        [group(a, registry, fixed=True), group(b, registry, fixed=True), group(c, registry, fixed=False)],
        pool,
        bootstrap,
        6,
    )
    assert await counted(pool) == {a: (5, 1), b: (5, 1)}
    [first, again] = await letters(bootstrap, topic)
    assert first["consumers"] == sorted([a, b, c])
    assert again["consumers"] == [c] and again["origin_offset"] != str(bad_offset), "c's new copy, of the replay"

    # c is fixed at last: both its copies go back to it alone, and it applies the event once.
    replay_c = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", c)
    assert "replayed 2 record(s)" in replay_c.stdout, replay_c.stderr
    await run_side_by_side([group(x, registry, fixed=True) for x in (a, b, c)], pool, bootstrap, 8)
    assert await counted(pool) == {a: (5, 1), b: (5, 1), c: (5, 1)}
    assert await pool.fetchval("SELECT count(*) FROM counters WHERE counter_id LIKE '%/ok'") == 3
