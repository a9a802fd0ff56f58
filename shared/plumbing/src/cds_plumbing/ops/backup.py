"""`cds-platform backup DIR`: every service database and every topic's records into one folder.

A consistent cut without stopping the services: first every service's outbox relay is paused by taking
its advisory lock (ops.backup waits for a pass in flight to finish), so no event reaches Kafka during the
backup; then all databases are dumped at once (pg_dump, each its own snapshot), then every topic is read
up to its end, dead-letter topics last, then the consumer groups' offsets; then the relays resume.

Why this order holds together after a restore: every record on the topics was published, so acknowledged
and marked, before the dumps; the rows still unpublished in the dumps are published by the relays after a
restore (a duplicate at most, which consumers skip by event id); a consumer's dump never holds a
checkpoint beyond what the topics hold; a dead letter is on its .dlq before its batch commits, so before
the dump that records that batch. Writes accepted while the backup runs are in it if they committed
before their database's dump started; the rest is what a restore of this backup loses (README, Backup).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import TopicSpec

from ..outbox import RELAY_LOCK
from .archive import FORMAT, BackupError, StoredRecord, sha256, write_manifest, write_records


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest PostgreSQL installed the Debian way."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client-15)")
    return str(candidates[-1])


@contextlib.asynccontextmanager
async def relays_paused(urls: Mapping[str, str]) -> AsyncIterator[None]:
    """Hold every database's relay lock (a session lock; the relays take the same key per transaction)."""
    conns: list[asyncpg.Connection] = []
    try:
        for url in urls.values():
            conn = await asyncpg.connect(url, timeout=10)
            conns.append(conn)
            await conn.execute("SELECT pg_advisory_lock($1)", RELAY_LOCK)
        yield
    finally:
        for conn in conns:
            with contextlib.suppress(Exception):  # closing the session releases the lock anyway
                await conn.close()


async def _dump(service: str, url: str, folder: Path) -> dict[str, Any]:
    path = folder / "databases" / f"{service}.dump"
    began = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}", url,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"pg_dump of {service} failed: {err.decode(errors='replace').strip()}")
    return {
        "service": service,
        "settings": await _database_settings(url),
        "file": str(path.relative_to(folder)),
        "bytes": path.stat().st_size,
        "sha256": sha256(path),
        "seconds": round(time.monotonic() - began, 2),
    }


async def _database_settings(url: str) -> list[str]:
    """`ALTER DATABASE ... SET` values (reporting's migrations set search_path): pg_dump leaves them out."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        rows = await conn.fetch(
            """SELECT unnest(setconfig) FROM pg_db_role_setting
               WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) AND setrole = 0"""
        )
        return [r[0] for r in rows]
    finally:
        await conn.close()


async def _read_all(
    kafka: AIOKafkaConsumer, bounds: dict[TopicPartition, tuple[int, int]]
) -> dict[TopicPartition, list[StoredRecord]]:
    """Every record with begin <= offset < end of every partition, read together (one assignment)."""
    out: dict[TopicPartition, list[StoredRecord]] = {tp: [] for tp in bounds}
    todo = {tp for tp, (begin, end) in bounds.items() if begin < end}
    kafka.assign(list(todo))
    for tp in todo:
        kafka.seek(tp, bounds[tp][0])
    while todo:
        batch = await kafka.getmany(*todo, timeout_ms=1000, max_records=10_000)
        for tp, records in batch.items():
            end = bounds[tp][1]
            for r in records:
                if r.offset < end:
                    headers = tuple((k, bytes(v)) for k, v in (r.headers or ()))
                    out[tp].append(StoredRecord(r.partition, r.offset, r.timestamp, r.key, r.value, headers))
        for tp in list(todo):
            if await kafka.position(tp) >= bounds[tp][1]:  # past the end (markers or compaction count too)
                todo.discard(tp)
    return out


async def _partitions(bootstrap: str, names: list[str]) -> dict[str, list[int]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        if missing := sorted(set(names) - existing):
            raise BackupError(f"topics missing: {', '.join(missing)}")
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return {t["topic"]: sorted(p["partition"] for p in t["partitions"]) for t in described}


def _write_topic(
    spec: TopicSpec, parts: list[int], bounds: dict[TopicPartition, tuple[int, int]],
    records: dict[TopicPartition, list[StoredRecord]], folder: Path,
) -> dict[str, Any]:  # fmt: skip
    tps = [TopicPartition(spec.name, p) for p in parts]
    path = folder / "topics" / f"{spec.name}.jsonl.gz"
    count = write_records(path, (r for tp in tps for r in records[tp]))
    return {
        "name": spec.name,
        "partitions": len(parts),
        "config": spec.config,
        "file": str(path.relative_to(folder)),
        "sha256": sha256(path),
        "records": count,
        "offsets": {
            str(tp.partition): {"begin": bounds[tp][0], "end": bounds[tp][1], "records": len(records[tp])} for tp in tps
        },
    }


async def _dump_topics(bootstrap: str, topics: Sequence[TopicSpec], folder: Path) -> list[dict[str, Any]]:
    partitions = await _partitions(bootstrap, [t.name for t in topics])
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await kafka.start()
    stored = []
    try:
        # Source topics first, dead letters last (see the module's docstring): their ends are read later.
        for dead_letters in (False, True):
            specs = [t for t in topics if t.name.endswith(".dlq") == dead_letters]
            tps = [TopicPartition(t.name, p) for t in specs for p in partitions[t.name]]
            begins, ends = await kafka.beginning_offsets(tps), await kafka.end_offsets(tps)
            bounds = {tp: (begins[tp], ends[tp]) for tp in tps}
            records = await _read_all(kafka, bounds)
            for spec in specs:
                stored.append(
                    await asyncio.to_thread(_write_topic, spec, partitions[spec.name], bounds, records, folder)
                )
        return stored
    finally:
        await kafka.stop()


async def _group_offsets(bootstrap: str, topics: set[str], prefix: str) -> dict[str, dict[str, int]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        groups: dict[str, dict[str, int]] = {}
        for group, _ in await admin.list_consumer_groups():
            if not group.startswith(prefix):
                continue
            offsets = await admin.list_consumer_group_offsets(group)
            mine = {f"{tp.topic}:{tp.partition}": o.offset for tp, o in offsets.items() if tp.topic in topics}
            if mine:
                groups[group] = mine
        return groups
    finally:
        await admin.close()


def _prepare(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; a backup goes into a new folder")
    for sub in ("databases", "topics"):
        (folder / sub).mkdir(parents=True, exist_ok=True)


async def backup(
    folder: Path, databases: Mapping[str, str], bootstrap: str, topics: Sequence[TopicSpec], prefix: str = ""
) -> dict[str, Any]:
    """Write the backup into `folder` (created; must be empty) and return its manifest."""
    await asyncio.to_thread(_prepare, folder)
    began = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    async with relays_paused(databases):
        dumps = await asyncio.gather(*(_dump(s, url, folder) for s, url in databases.items()))
        stored = await _dump_topics(bootstrap, topics, folder)
        groups = await _group_offsets(bootstrap, {t.name for t in topics}, prefix)
    manifest = {
        "format": FORMAT,
        "started_at": started_at,
        "seconds": round(time.monotonic() - began, 2),
        "topic_prefix": prefix,
        "databases": list(dumps),
        "topics": stored,
        "groups": groups,
    }
    write_manifest(folder, manifest)
    return manifest
