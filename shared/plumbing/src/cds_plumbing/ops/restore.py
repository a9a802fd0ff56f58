"""`cds-platform restore DIR`: a backup (ops/backup.py) onto an empty stack, services stopped.

1. The files are checked against the manifest's checksums; every database must be empty (only just
   provisioned) and every topic absent or empty, or nothing is touched.
2. The databases are restored with pg_restore (objects owned by each service's own role).
3. The topics are created as they were (partitions, configuration) and their records produced again,
   partition by partition in offset order, with their keys, headers and timestamps, by an idempotent
   producer: on an empty topic each record gets back its old offset when the original partition started
   at 0 without gaps, which is what our topics are (no deletion, no compaction, no transactions).
   Otherwise the consumers' checkpoints and the groups' offsets are translated to the new offsets.
4. The consumer groups' committed offsets are restored.
5. Outbox rows marked published whose event is not on the restored topics would never reach Kafka again:
   they are marked unpublished, for the relay to publish them (by construction of the backup there are
   none; the count is reported).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import TopicSpec

from ..kafka_admin import ensure_topics
from .archive import BackupError, StoredRecord, read_manifest, read_records, translate, verify_files
from .backup import pg_tool

# Per topic and partition: the original offsets of the restored records, in order (for `translate`).
OffsetMap = dict[tuple[str, int], list[int]]


async def _empty_database(service: str, url: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        tables = await conn.fetchval(
            """SELECT count(*) FROM pg_tables
               WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"""
        )
    finally:
        await conn.close()
    if tables:
        raise BackupError(f"database {service} is not empty ({tables} tables): restore needs an empty stack")


async def _empty_topics(bootstrap: str, names: list[str]) -> set[str]:
    """The topics that exist already (each must be empty)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics()) & set(names)
    finally:
        await admin.close()
    if not existing:
        return existing
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await kafka.start()
    try:
        tps = [TopicPartition(t, p) for t in existing for p in (kafka.partitions_for_topic(t) or set())]
        ends = await kafka.end_offsets(tps)
    finally:
        await kafka.stop()
    full = sorted({tp.topic for tp, end in ends.items() if end > 0})
    if full:
        raise BackupError(f"topics already hold records: {', '.join(full)}; restore needs an empty stack")
    return existing


async def _database_settings(url: str, settings: list[str]) -> None:
    """Put back the database's own settings (`name=value` as PostgreSQL lists them, from the backup)."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        database = await conn.fetchval("SELECT current_database()")
        for setting in settings:
            name, _, value = setting.partition("=")
            if not name.replace("_", "").replace(".", "").isalnum():
                raise BackupError(f"odd database setting in the backup: {setting!r}")
            # The value is PostgreSQL's own rendering from the backed-up database, e.g. `"$user", public`.
            await conn.execute(f'ALTER DATABASE "{database}" SET {name} = {value}')
    finally:
        await conn.close()


async def _pg_restore(service: str, url: str, path: Path, settings: list[str]) -> float:
    began = time.monotonic()
    await _database_settings(url, settings)
    proc = await asyncio.create_subprocess_exec(
        pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
        f"--dbname={url}", str(path), stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"pg_restore of {service} failed: {err.decode(errors='replace').strip()}")
    return time.monotonic() - began


async def _produce(producer: AIOKafkaProducer, topic: str, path: Path) -> tuple[int, OffsetMap]:
    offsets: OffsetMap = defaultdict(list)
    pending: list[asyncio.Future[Any]] = []
    records: list[StoredRecord] = await asyncio.to_thread(lambda: list(read_records(path)))
    for r in records:  # partition by partition, offset order: the order they are stored in
        offsets[(topic, r.partition)].append(r.offset)
        pending.append(
            await producer.send(
                topic, r.value, key=r.key, partition=r.partition, timestamp_ms=r.timestamp_ms, headers=list(r.headers)
            )
        )
        if len(pending) >= 10_000:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    return len(records), offsets


async def _check_offsets(bootstrap: str, offsets: OffsetMap) -> bool:
    """True when every record got back its original offset; raises if a partition's count is off."""
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await kafka.start()
    try:
        ends = await kafka.end_offsets([TopicPartition(t, p) for t, p in offsets])
    finally:
        await kafka.stop()
    for tp, end in ends.items():
        if end != len(offsets[key := (tp.topic, tp.partition)]):
            raise BackupError(f"{tp.topic}[{tp.partition}]: {end} records after the restore, not {len(offsets[key])}")
    return all(o == list(range(len(o))) for o in offsets.values())


async def _translate_checkpoints(url: str, offsets: OffsetMap) -> int:
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('consumer_checkpoints')") is None:
            return 0
        rows = await conn.fetch("SELECT consumer, topic, kafka_partition, next_offset FROM consumer_checkpoints")
        moved = [
            (r["consumer"], r["topic"], r["kafka_partition"], translate(offsets[key], r["next_offset"]))
            for r in rows
            if (key := (r["topic"], r["kafka_partition"])) in offsets
        ]
        await conn.executemany(
            """UPDATE consumer_checkpoints SET next_offset = $4
               WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3""",
            moved,
        )
        return len(moved)
    finally:
        await conn.close()


async def _restore_groups(bootstrap: str, groups: dict[str, dict[str, int]], offsets: OffsetMap, same: bool) -> None:
    for group, committed in groups.items():
        wanted = {}
        for where, offset in committed.items():
            topic, partition = where.rsplit(":", 1)
            key = (topic, int(partition))
            wanted[TopicPartition(*key)] = offset if same else translate(offsets.get(key, []), offset)
        kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await kafka.start()
        try:
            kafka.assign(list(wanted))
            await kafka.commit(wanted)
        finally:
            await kafka.stop()


async def _unmark_missing(url: str, on_topics: set[str]) -> int:
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('outbox')") is None:
            return 0
        published = await conn.fetch("SELECT id, event_id::text FROM outbox WHERE published_at IS NOT NULL")
        missing = [r["id"] for r in published if r["event_id"] not in on_topics]
        await conn.execute("UPDATE outbox SET published_at = NULL WHERE id = ANY($1)", missing)
        return len(missing)
    finally:
        await conn.close()


def _event_ids(path: Path) -> set[str]:
    return {v.decode() for r in read_records(path) for k, v in r.headers if k == "ce_id"}


async def restore(folder: Path, databases: Mapping[str, str], bootstrap: str, prefix: str = "") -> dict[str, Any]:
    """Restore the backup in `folder`; `databases` maps each service to its (provisioned, empty) database."""
    manifest = read_manifest(folder)
    if manifest["topic_prefix"] != prefix:
        raise BackupError(f"the backup's topics have prefix {manifest['topic_prefix']!r}, this stack {prefix!r}")
    if problems := verify_files(folder, manifest):
        raise BackupError("the backup is damaged:\n  " + "\n  ".join(problems))
    dumps = {d["service"]: folder / d["file"] for d in manifest["databases"]}
    settings = {d["service"]: d.get("settings", []) for d in manifest["databases"]}
    if unknown := set(dumps) - set(databases):
        raise BackupError(f"no database given for {', '.join(sorted(unknown))}")
    began = time.monotonic()
    await asyncio.gather(*(_empty_database(s, databases[s]) for s in dumps))
    topics = manifest["topics"]
    await _empty_topics(bootstrap, [t["name"] for t in topics])

    db_seconds = await asyncio.gather(*(_pg_restore(s, databases[s], p, settings[s]) for s, p in dumps.items()))
    await ensure_topics(bootstrap, [TopicSpec(t["name"], t["partitions"], t["config"]) for t in topics])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=20, max_batch_size=1 << 20
    )
    await producer.start()
    offsets: OffsetMap = {}
    produced = 0
    try:
        for t in topics:
            n, mine = await _produce(producer, t["name"], folder / t["file"])
            produced += n
            offsets.update(mine)
    finally:
        await producer.stop()
    same = await _check_offsets(bootstrap, offsets)
    translated = 0
    if not same:
        translated = sum(await asyncio.gather(*(_translate_checkpoints(databases[s], offsets) for s in dumps)))
    await _restore_groups(bootstrap, manifest["groups"], offsets, same)
    on_topics: set[str] = set()
    for t in topics:
        on_topics |= await asyncio.to_thread(_event_ids, folder / t["file"])
    unmarked = await asyncio.gather(*(_unmark_missing(databases[s], on_topics) for s in dumps))
    return {
        "databases": {s: round(sec, 2) for s, sec in zip(dumps, db_seconds, strict=True)},
        "topics": len(topics),
        "records": produced,
        "offsets_kept": same,
        "checkpoints_translated": translated,
        "groups": len(manifest["groups"]),
        "outbox_rows_to_republish": sum(unmarked),
        "seconds": round(time.monotonic() - began, 2),
    }
