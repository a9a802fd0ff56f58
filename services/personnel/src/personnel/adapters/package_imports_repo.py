"""The import record of each province package (table package_imports): what was sent, by whom, how far the
run is, and what it wrote. Progress is written on its own short transactions, so a reader sees it while
the package's one long transaction is still open; the final 'succeeded' is written inside that
transaction, so the record says succeeded exactly when the data are there (its times from clock_timestamp():
now() inside that transaction would be the moment it began).

A run holds a session advisory lock on its import id while it lives (`hold`); a process killed mid-import
(kill -9, a lost machine) drops it with its connection. Reading the records first fails every 'running' one
whose lock is free (`reap`), so a dead run does not show its last progress forever."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import asyncpg

from cds_plumbing.db import Connection

# counts as text in and out, so it is a JSON object in the table whether or not the connection has the
# pool's JSON codec (with it, json.dumps'd text was encoded a second time into a jsonb string).
_COLUMNS = """import_id, actor, file_name, sha256, size_bytes, status, phase, rows_total, rows_done,
              counts::text AS counts, error, started_at, updated_at, finished_at"""


_LOCK = "hashtextextended('cds.package_import:' || $1::uuid::text, 0)"
_DEAD = "the service stopped during the import (its process ended); nothing of it was written; send the package again"
_QUIET_S = 30  # a record just created is not yet held by its run (it starts after the answer): spared this long


def _record(row: asyncpg.Record) -> dict[str, Any]:
    counts = json.loads(row["counts"])
    # Records written before counts went in as text were a JSON string inside jsonb (encoded twice).
    return {**dict(row), "counts": json.loads(counts) if isinstance(counts, str) else counts}


async def create(
    conn: Connection,
    import_id: UUID,
    actor: str | None,
    file_name: str,
    sha256: str,
    size_bytes: int,
    counts: dict[str, int],
) -> None:
    await conn.execute(
        """INSERT INTO package_imports (import_id, actor, file_name, sha256, size_bytes, status, phase, rows_total,
                                        counts)
           VALUES ($1, $2, $3, $4, $5, 'running', 'queued', $6, $7::text::jsonb)""",
        import_id,
        actor,
        file_name,
        sha256,
        size_bytes,
        sum(counts.values()),
        json.dumps(counts),
    )


async def progress(conn: Connection, import_id: UUID, phase: str, rows_done: int) -> None:
    await conn.execute(
        """UPDATE package_imports SET phase = $2, rows_done = $3, updated_at = clock_timestamp()
           WHERE import_id = $1 AND status = 'running'""",
        import_id,
        phase,
        rows_done,
    )


async def succeed(conn: Connection, import_id: UUID) -> None:
    await conn.execute(
        """UPDATE package_imports SET status = 'succeeded', phase = 'done', rows_done = rows_total,
                  updated_at = clock_timestamp(), finished_at = clock_timestamp()
           WHERE import_id = $1""",
        import_id,
    )


async def fail(conn: Connection, import_id: UUID, error: str) -> None:
    await conn.execute(
        """UPDATE package_imports SET status = 'failed', phase = 'failed', rows_done = 0, error = $2,
                  updated_at = clock_timestamp(), finished_at = clock_timestamp()
           WHERE import_id = $1 AND status = 'running'""",
        import_id,
        error[:2000],
    )


async def hold(conn: Connection, import_id: UUID) -> None:
    """Mark the run alive on this connection (kept for the whole run, released by `release` or its closing)."""
    await conn.execute(f"SELECT pg_advisory_lock({_LOCK})", import_id)


async def release(conn: Connection, import_id: UUID) -> None:
    await conn.execute(f"SELECT pg_advisory_unlock({_LOCK})", import_id)


async def reap(conn: Connection) -> None:
    """Fail the 'running' records whose run is no longer alive (its lock is free)."""
    running = await conn.fetch(
        """SELECT import_id FROM package_imports
           WHERE status = 'running' AND updated_at < clock_timestamp() - make_interval(secs => $1)""",
        float(_QUIET_S),
    )
    for row in running:
        async with conn.transaction():  # the try-lock (released at commit) proves nobody holds it
            if await conn.fetchval(f"SELECT pg_try_advisory_xact_lock({_LOCK})", row["import_id"]):
                await fail(conn, row["import_id"], _DEAD)


async def get(conn: Connection, import_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM package_imports WHERE import_id = $1", import_id)
    return None if row is None else _record(row)


async def recent(conn: Connection, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM package_imports ORDER BY started_at DESC, import_id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    total = await conn.fetchval("SELECT count(*) FROM package_imports")
    return [_record(r) for r in rows], int(total)
