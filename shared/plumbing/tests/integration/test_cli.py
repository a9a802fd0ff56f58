"""`cds-platform` as an operator runs it (the installed console script, in a subprocess) against the real
Kafka and PostgreSQL: topic checks, dead letters listed and replayed after a fix, outbox backlog."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import Envelope, Registry, TopicSpec, all_topics
from cds_plumbing import deadletter as dl
from cds_plumbing.broker import make_producer
from cds_plumbing.consumer import IdempotentConsumer, run_consumer
from cds_plumbing.db import Connection
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.kafka_admin import ensure_topics
from cds_plumbing.ops.outbox import outbox_backlog
from cds_plumbing.outbox import OutboxRelay, append
from cds_plumbing.settings import admin_database_url
from tests.support.events import TEST_EVENT_TYPE, CounterIncremented, on_counter_incremented
from tests.support.kafka import read_topic
from tests.support.proxy import CuttableProxy

pytestmark = pytest.mark.integration
CLI = Path(sys.executable).parent / "cds-platform"
PROXY_PORT = int(os.environ.get("KAFKA_PROXY_PORT", "9095"))
PROXIED_PORT = int(os.environ.get("KAFKA_PROXIED_PORT", "9094"))


async def cli(bootstrap: str, *args: str, prefix: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix}
    return await asyncio.to_thread(
        subprocess.run, [str(CLI), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def broken_handler(conn: Connection, event: CounterIncremented, envelope: Envelope) -> None:
    """The bug to fix: counter "bad" is refused."""
    if event.counter_id == "bad":
        raise ValueError("counter bad is not supported yet")
    await on_counter_incremented(conn, event, envelope)


def make_consumer(name: str, registry: Registry, *, fixed: bool) -> IdempotentConsumer:
    consumer = IdempotentConsumer(name, registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented if fixed else broken_handler)
    return consumer


async def run_until(
    consumer: IdempotentConsumer, pool: asyncpg.Pool, bootstrap: str, done: Callable[[], Awaitable[bool]]
) -> None:
    dlq = DeadLetterPublisher(bootstrap, consumer.name)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(consumer, bootstrap, stop, max_records=100))
    try:
        for _ in range(600):
            if await done() or task.done():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # give a wrongly repeated application the chance to show
    finally:
        stop.set()
        await task
        await dlq.stop()


def consumed(pool: asyncpg.Pool, records: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bool(await pool.fetchval("SELECT coalesce(sum(next_offset), 0) FROM consumer_checkpoints") >= records)

    return check


async def totals(pool: asyncpg.Pool) -> dict[str, tuple[int, int]]:
    rows = await pool.fetch("SELECT counter_id, total, applied FROM counters")
    return {r["counter_id"]: (r["total"], r["applied"]) for r in rows}


async def produce(
    bootstrap: str, topic: str, events: list[CounterIncremented]
) -> list[tuple[int, int, list[tuple[str, bytes]]]]:
    """Send each event with full CloudEvents headers; returns (partition, offset, headers) of each."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    sent = []
    try:
        for e in events:
            headers = Envelope(
                type=TEST_EVENT_TYPE, version=1, source="/t", subject=e.counter_id, actor="tester"
            ).to_headers()
            meta = await producer.send_and_wait(
                topic, e.model_dump_json().encode(), key=e.counter_id.encode(), headers=headers
            )
            sent.append((meta.partition, meta.offset, headers))
    finally:
        await producer.stop()
    return sent


async def test_a_dead_letter_is_listed_replayed_after_the_fix_and_applied_once(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    name = f"test-cli-{uuid.uuid4().hex[:8]}"
    ok, bad = (
        CounterIncremented(counter_id="ok", amount=1, seq=1),
        CounterIncremented(counter_id="bad", amount=5, seq=1),
    )
    (_, _, _), (bad_partition, bad_offset, bad_headers) = await produce(bootstrap, topic.name, [ok, bad])
    await run_until(make_consumer(name, registry, fixed=False), pool, bootstrap, consumed(pool, 2))
    assert await totals(pool) == {"ok": (1, 1)}

    listed = await cli(bootstrap, "dlq", "list", topic.name, "--json")
    assert listed.returncode == 0, listed.stderr
    [record] = json.loads(listed.stdout)
    assert (record["consumers"], record["type"]) == ([name], f"{TEST_EVENT_TYPE}.v1")
    assert record["event_id"] == dict(bad_headers)["ce_id"].decode()
    [letter] = record["copies"]
    assert (letter["key"], letter["origin_topic"], letter["consumer"]) == ("bad", topic.name, name)
    assert (letter["origin_partition"], letter["origin_offset"]) == (str(bad_partition), str(bad_offset))
    assert letter["cause"] == "ValueError: counter bad is not supported yet"
    assert letter["attempt"] == "1"
    assert datetime.fromisoformat(letter["failed_at"]).tzinfo is not None
    text = await cli(bootstrap, "dlq", "list", topic.dlq.name, "--limit", "5")
    assert f"{topic.name}[{bad_partition}]@{bad_offset}  key=bad" in text.stdout
    assert f"failed by 1 consumer(s): {name}" in text.stdout
    assert "cause: ValueError: counter bad is not supported yet" in text.stdout

    dry = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 record(s) would be replayed" in dry.stdout
    assert len(await read_topic(bootstrap, topic.name, expect=2, settle_s=1.0)) == 2, "a dry run publishes nothing"

    first = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name)
    assert first.returncode == 0, first.stderr
    assert "replayed 1 record(s)" in first.stdout
    assert "1/1 (100%)" in first.stderr  # the progress line
    again = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name)
    assert again.returncode == 0, again.stderr
    assert "replayed 0 record(s)" in again.stdout
    records = await read_topic(bootstrap, topic.name, expect=3)
    assert len(records) == 3, "the second replay must not publish again"
    replayed = max(records, key=lambda r: r.offset if r.partition == bad_partition else -1)
    assert replayed.offset > bad_offset and replayed.partition == bad_partition  # same key, same partition
    assert (replayed.key, replayed.value) == (b"bad", bad.model_dump_json().encode())
    assert list(replayed.headers)[: len(bad_headers)] == bad_headers, "original headers, without the x-dlq-* ones"
    assert [k for k, _ in replayed.headers[len(bad_headers) :]] == [dl.REPLAY_FOR, dl.REPLAY_OF]
    assert dict(replayed.headers)[dl.REPLAY_FOR] == name.encode(), "for the consumer that failed it"

    # The fixed consumer, same group, picks up where it stopped: only the replayed record is new.
    await run_until(make_consumer(name, registry, fixed=True), pool, bootstrap, consumed(pool, 3))
    assert await totals(pool) == {"ok": (1, 1), "bad": (5, 1)}

    # A replay under another progress group publishes the record again; the inbox applies it once.
    other = await cli(bootstrap, "dlq", "replay", topic.name, "--group", f"test-replay-{uuid.uuid4().hex[:6]}")
    assert "replayed 1 record(s)" in other.stdout, other.stderr
    await run_until(make_consumer(name, registry, fixed=True), pool, bootstrap, consumed(pool, 4))
    assert await totals(pool) == {"ok": (1, 1), "bad": (5, 1)}
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 2


async def test_replaying_chosen_offsets_twice_publishes_them_once_and_the_rest_later(
    pool: asyncpg.Pool, registry: Registry, topic: TopicSpec, bootstrap: str
) -> None:
    name = f"test-cli-{uuid.uuid4().hex[:8]}"
    events = [
        CounterIncremented(counter_id="bad", amount=5, seq=1),
        CounterIncremented(counter_id="bad", amount=7, seq=2),
    ]
    await produce(bootstrap, topic.name, events)
    await run_until(make_consumer(name, registry, fixed=False), pool, bootstrap, consumed(pool, 2))
    letters = [
        c for r in json.loads((await cli(bootstrap, "dlq", "list", topic.name, "--json")).stdout) for c in r["copies"]
    ]
    assert [int(x["origin_offset"]) for x in letters] == [0, 1]  # both on one partition: same key
    second = f"{letters[1]['partition']}:{letters[1]['offset']}"

    one = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name, "--offsets", second)
    assert "replayed 1 record(s)" in one.stdout, one.stderr
    twice = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name, "--offsets", second)
    assert f"[{second.replace(':', ']@')}: already replayed" in twice.stdout
    assert "replayed 0 record(s)" in twice.stdout
    rest = await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name)
    assert "replayed 1 record(s)" in rest.stdout, "only the record not replayed yet"
    assert "replayed 0 record(s)" in (await cli(bootstrap, "dlq", "replay", topic.name, "--consumer", name)).stdout
    records = await read_topic(bootstrap, topic.name, expect=4)
    assert [json.loads(r.value)["amount"] for r in sorted(records, key=lambda r: r.offset)] == [5, 7, 7, 5]

    await run_until(make_consumer(name, registry, fixed=True), pool, bootstrap, consumed(pool, 4))
    assert await totals(pool) == {"bad": (12, 2)}


async def test_an_unknown_offset_is_reported_and_fails_the_command(topic: TopicSpec, bootstrap: str) -> None:
    result = await cli(bootstrap, "dlq", "replay", topic.name, "--offsets", "0:99")
    assert result.returncode == 1
    assert "[0]@99: no such dead letter" in result.stdout


async def test_topics_verify_passes_on_declared_topics(topic_prefix: str, bootstrap: str) -> None:
    result = await cli(bootstrap, "topics", "verify", prefix=topic_prefix)
    assert result.returncode == 0, result.stdout
    assert f"all {len(all_topics())} present" in result.stdout


async def test_topics_verify_lists_missing_topics_and_wrong_partitions(bootstrap: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    made = [TopicSpec(prefix + "personnel.officer", 1), TopicSpec(prefix + "personnel.officer.dlq")]
    await ensure_topics(bootstrap, made)
    try:
        result = await cli(bootstrap, "topics", "verify", prefix=prefix)
    finally:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        await admin.delete_topics([t.name for t in made])
        await admin.close()
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{len(all_topics()) - 1} of {len(all_topics())} topics are not as declared:"
    assert f"  {prefix}personnel.officer: 1 partition(s), expected 3" in lines
    assert f"  {prefix}personnel.org-unit.dlq: missing" in lines
    assert not any(line.startswith(f"  {prefix}personnel.officer.dlq") for line in lines)


async def test_outbox_backlog_counts_pending_rows_and_the_oldest_age(
    pool: asyncpg.Pool, database: str, registry: Registry, bootstrap: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for seq in (1, 2, 3):
            await append(conn, CounterIncremented(counter_id="c", amount=1, seq=seq), source="/t", registry=registry)
    await pool.execute("UPDATE outbox SET published_at = now() WHERE id = (SELECT min(id) FROM outbox)")
    # The oldest pending row waited 2 h 5 min; the published one is older still and must not count.
    await pool.execute("UPDATE outbox SET created_at = now() - interval '3 hours' WHERE published_at IS NOT NULL")
    await pool.execute(
        "UPDATE outbox SET created_at = now() - interval '2 hours 5 minutes' "
        "WHERE id = (SELECT min(id) FROM outbox WHERE published_at IS NULL)"
    )
    unreachable = "postgresql://nobody@127.0.0.1:1/nothing"
    result = await cli(
        bootstrap, "outbox", "backlog", "--database-url", database, "--database-url", admin_database_url(),
        "--database-url", unreachable,
    )  # fmt: skip
    assert result.returncode == 1, "an unreachable database fails the command"
    by_db = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:]}
    pending, oldest, failing, relay = by_db[database.rsplit("/", 1)[-1]]
    assert (pending, failing, relay) == ("2", "0", "ok"), "no publication was tried yet"
    assert re.fullmatch(r"2h05m0\ds", oldest), oldest
    assert by_db["postgres"] == ["no", "outbox", "table"]
    assert by_db["nothing"][0] == "unreachable:"


@pytest.mark.skipif(bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")), reason="needs the local broker's PROXIED listener")
async def test_outbox_backlog_shows_the_rows_a_relay_failed_to_publish_and_why(
    pool: asyncpg.Pool, database: str, registry: Registry, bootstrap: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for seq in (1, 2, 3):
            await append(conn, CounterIncremented(counter_id="c", amount=1, seq=seq), source="/t", registry=registry)
    proxy = CuttableProxy(PROXY_PORT, PROXIED_PORT)
    await proxy.start()
    producer = make_producer(f"127.0.0.1:{PROXY_PORT}", "backlog-test", request_timeout_ms=2000)
    await producer.start()
    try:
        await proxy.cut()  # the broker becomes unreachable
        relay = OutboxRelay(pool, producer, batch_size=2)
        with pytest.raises(Exception) as failed:  # whatever the client raises is the error to show
            await relay.publish_pending()
    finally:
        await proxy.start()  # let the broker client close cleanly
        await producer.stop()
        await proxy.cut()
    error = failed.value
    rows = await pool.fetch("SELECT attempts, last_error, published_at FROM outbox ORDER BY id")
    expected = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    assert [tuple(r) for r in rows] == [(1, expected, None), (1, expected, None), (0, None, None)], (
        "the failed pass's two rows carry the attempt and the error; the third was not tried"
    )

    result = await cli(bootstrap, "outbox", "backlog", "--database-url", database)
    assert result.returncode == 0, result.stdout
    [line, error_line] = result.stdout.splitlines()[1:]
    assert line.split()[1:2] + line.split()[3:4] == ["3", "2"], line  # pending 3, failing 2
    assert re.search(r"failing for 0m0\ds \(1 passes\)$", line), line
    assert error_line.strip() == f"last error: {expected}"
    backlog = await outbox_backlog(database)
    assert (backlog.pending, backlog.failing, backlog.last_error, backlog.relay_failed_passes) == (3, 2, expected, 1)


async def test_rebuild_reporting_runs_the_services_own_command(bootstrap: str) -> None:
    result = await cli(bootstrap, "rebuild", "reporting", "--", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: reporting-rebuild")
