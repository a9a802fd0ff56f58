"""`outbox backlog`: unpublished outbox rows, the age of the oldest, and whether the relay is failing and
why, per service database. Every database is asked at once and each answer is bounded, so the command
answers within about two seconds even while a database or the broker is down."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
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
    last_error: str | None = None  # the relay's latest error while failing, else the oldest failing row's
    relay_failing_for: timedelta | None = None  # None: the relay's last pass worked (or it never failed)
    relay_failed_passes: int = 0


async def outbox_backlog(database_url: str, timeout_s: float = 1.5) -> Backlog:
    # statement_timeout as well as the client's timeouts: the server stops working for an answer nobody waits for.
    conn = await asyncpg.connect(
        database_url,
        timeout=timeout_s,
        command_timeout=timeout_s,
        server_settings={"statement_timeout": str(int(timeout_s * 1000))},
    )
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
        status = None
        if await conn.fetchval("SELECT to_regclass('outbox_relay_status')") is not None:
            status = await conn.fetchrow(
                """SELECT now() - failing_since AS failing_for, failed_passes, last_error
                   FROM outbox_relay_status WHERE failing_since IS NOT NULL"""
            )
        return Backlog(
            name,
            row["pending"],
            row["oldest"],
            row["failing"],
            last_error=status["last_error"] if status else row["last_error"],
            relay_failing_for=status["failing_for"] if status else None,
            relay_failed_passes=status["failed_passes"] if status else 0,
        )
    finally:
        await conn.close(timeout=timeout_s)


async def outbox_backlogs(urls: Sequence[str], timeout_s: float = 1.5) -> list[Backlog | BaseException]:
    """Every database at once; an unreachable or slow one is an exception in its place."""

    async def one(url: str) -> Backlog:
        try:
            return await asyncio.wait_for(outbox_backlog(url, timeout_s), timeout_s + 0.2)
        except TimeoutError:
            raise TimeoutError(f"no answer within {timeout_s:g} s") from None

    return list(await asyncio.gather(*(one(u) for u in urls), return_exceptions=True))


def format_age(age: timedelta | None) -> str:
    if age is None:
        return "-"
    seconds = max(int(age.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def relay_state(b: Backlog) -> str:
    if b.relay_failing_for is None:
        return "ok"
    return f"failing for {format_age(b.relay_failing_for)} ({b.relay_failed_passes} passes)"
