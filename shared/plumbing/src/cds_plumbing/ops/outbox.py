"""`outbox backlog`: unpublished outbox rows and the age of the oldest, per service database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg


@dataclass(frozen=True)
class Backlog:
    database: str
    pending: int
    oldest_age: timedelta | None  # None: nothing pending
    failing: int  # pending rows whose publication already failed at least once
    has_outbox: bool = True
    last_error: str | None = None  # the oldest failing row's error (the relay retries from that row)


async def outbox_backlog(database_url: str) -> Backlog:
    conn = await asyncpg.connect(database_url)
    try:
        name = await conn.fetchval("SELECT current_database()")
        if await conn.fetchval("SELECT to_regclass('outbox')") is None:
            return Backlog(name, 0, None, 0, has_outbox=False)
        # The partial index outbox_unpublished keeps this cheap however large the published history is.
        row = await conn.fetchrow(
            """SELECT count(*) AS pending, now() - min(created_at) AS oldest,
                      count(*) FILTER (WHERE attempts > 0) AS failing,
                      (SELECT last_error FROM outbox WHERE published_at IS NULL AND attempts > 0
                       ORDER BY id LIMIT 1) AS last_error
               FROM outbox WHERE published_at IS NULL"""
        )
        assert row is not None
        return Backlog(name, row["pending"], row["oldest"], row["failing"], last_error=row["last_error"])
    finally:
        await conn.close()


def format_age(age: timedelta | None) -> str:
    if age is None:
        return "-"
    seconds = max(int(age.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
