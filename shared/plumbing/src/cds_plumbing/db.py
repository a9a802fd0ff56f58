"""asyncpg pool with JSON codecs, so jsonb columns read and write Python objects."""

from __future__ import annotations

import json

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection = asyncpg.Connection | PoolConnectionProxy
"""What handlers, repositories and outbox.append receive: a plain or a pooled connection."""


async def _init_connection(conn: Connection) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class PooledConnection(asyncpg.Connection):
    """A pool connection given back without the reset statement (`RESET ALL; UNLISTEN *; CLOSE ALL;
    pg_advisory_unlock_all()`), which costs a round trip on every release: a quarter of a small write
    command's statements (make bench). Nothing here leaves such state behind: settings are SET LOCAL or
    the pool's own (statement_timeout), advisory locks are transaction-scoped or released explicitly
    (migrations), the relay unlistens its own channel; an open transaction is still rolled back and
    listener callbacks still dropped."""

    def get_reset_query(self) -> str:
        return ""


async def create_pool(
    dsn: str, min_size: int = 1, max_size: int = 10, *, statement_timeout_ms: int = 0
) -> asyncpg.Pool:
    """`statement_timeout_ms` > 0 makes PostgreSQL cancel any statement of the pool's connections that runs
    longer (asyncpg raises QueryCanceledError, answered as a 503): HTTP work must not hold a core and a
    connection for as long as a client cares to wait."""
    settings = {"statement_timeout": str(statement_timeout_ms)} if statement_timeout_ms > 0 else None
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        server_settings=settings,
        connection_class=PooledConnection,
    )
    assert pool is not None  # create_pool returns None only when used as an awaitable context (never here)
    return pool


def like_contains(text: str) -> str:
    """A LIKE/ILIKE pattern matching `text` anywhere, with its own `%`, `_` and `\\` taken literally
    (PostgreSQL's default escape character is the backslash): `q=%` finds names containing "%"."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
