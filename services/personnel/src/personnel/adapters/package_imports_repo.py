"""The import record of each province package (table package_imports): what was sent, by whom, how far the
run is, and what it wrote. Progress is written on its own short transactions, so a reader sees it while
the package's one long transaction is still open; the final 'succeeded' is written inside that
transaction, so the record says succeeded exactly when the data are there (its times from clock_timestamp():
now() inside that transaction would be the moment it began)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import asyncpg

from cds_plumbing.db import Connection

_COLUMNS = """import_id, actor, file_name, sha256, size_bytes, status, phase, rows_total, rows_done, counts,
              error, started_at, updated_at, finished_at"""


def _record(row: asyncpg.Record) -> dict[str, Any]:
    return {**dict(row), "counts": json.loads(row["counts"])}


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
           VALUES ($1, $2, $3, $4, $5, 'running', 'queued', $6, $7::jsonb)""",
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
