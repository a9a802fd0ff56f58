"""Which PostgreSQL schema holds the projections, and switching to a rebuilt one.

`projection_state.active_schema` names the live schema. Writers and readers set `search_path` to it
inside their transaction, so handlers and queries use unqualified table names. The live consumer takes
the advisory lock PROJECTION_LOCK shared in each batch; a rebuild takes it exclusively to catch up and
swap, which pauses the live consumer (never the readers) for that moment.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg

from cds_plumbing.db import Connection

PROJECTION_LOCK = 0x52505254  # "RPRT"; distinct from the migrations' lock
_SCHEMA = re.compile(r"^proj_(\d+)$")


def check_schema(name: str) -> str:
    """Schema names are interpolated into SQL, so only proj_<n> is accepted."""
    if not _SCHEMA.match(name):
        raise ValueError(f"not a projection schema name: {name!r}")
    return name


def next_schema(current: str) -> str:
    match = _SCHEMA.match(check_schema(current))
    assert match is not None
    return f"proj_{int(match.group(1)) + 1}"


async def active_schema(conn: Connection, *, for_share: bool = False) -> str:
    # FOR SHARE makes a swap (UPDATE of this row) wait for readers still using the old schema.
    lock = " FOR SHARE" if for_share else ""
    name: str = await conn.fetchval(f"SELECT active_schema FROM projection_state{lock}")
    return check_schema(name)


async def set_search_path(conn: Connection, schema: str) -> None:
    await conn.execute(f'SET LOCAL search_path TO "{check_schema(schema)}", public')


async def use_active_schema(conn: Connection) -> None:
    """before_batch hook of the live consumer."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", PROJECTION_LOCK)
    await set_search_path(conn, await active_schema(conn))


def use_schema(schema: str) -> Callable[[Connection], Awaitable[None]]:
    """before_batch hook of a rebuild consumer writing into `schema`."""
    check_schema(schema)

    async def hook(conn: Connection) -> None:
        await set_search_path(conn, schema)

    return hook


@asynccontextmanager
async def read_snapshot(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """A connection in a transaction whose search_path is the active schema, pinned until it ends."""
    async with pool.acquire() as conn, conn.transaction():
        await set_search_path(conn, await active_schema(conn, for_share=True))
        yield conn


async def create_schema(conn: Connection, schema: str) -> None:
    """Create `schema` with empty projection tables, dropping a leftover of an interrupted rebuild."""
    await conn.execute(f'DROP SCHEMA IF EXISTS "{check_schema(schema)}" CASCADE')
    await conn.execute("SELECT reporting_create_projection_schema($1)", schema)


async def create_rebuild_inbox(conn: Connection, schema: str) -> None:
    """A rebuild's own inbox and checkpoints, inside the schema it fills: its consumer's search_path finds
    them before public's, so its million inbox rows never touch the live inbox. Unlogged (a crashed
    rebuild starts again from scratch anyway), and dropped at the swap in no time."""
    for table in ("processed_events", "consumer_checkpoints"):
        await conn.execute(
            f'CREATE UNLOGGED TABLE "{check_schema(schema)}".{table} (LIKE public.{table} INCLUDING ALL)'
        )


async def analyze_schema(conn: Connection, schema: str) -> None:
    """Planner statistics for a rebuilt schema before it goes live: its tables were filled from nothing,
    and until autovacuum analyses them (a minute or more) every read would be planned as if they were
    nearly empty."""
    tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1", check_schema(schema))
    if tables:
        names = ", ".join(f'"{schema}"."{t["tablename"]}"' for t in tables)  # names from the catalogue
        await conn.execute(f"ANALYZE {names}")


class StaleSchemaError(RuntimeError):
    """The schema to swap in lacks tables the live one has: it was made before a migration added them."""


async def _check_same_tables(conn: Connection, old: str, new: str) -> None:
    # A rebuild started before an upgrade fills a schema made by the old reporting_create_projection_schema;
    # swapped in, the new code's reads would fail on the tables it lacks.
    missing = await conn.fetchval(
        """SELECT array_agg(o.relname::text ORDER BY o.relname) FROM pg_class o
           WHERE o.relnamespace = $1::regnamespace AND o.relkind IN ('r', 'p', 'v')
             AND o.relname NOT IN ('processed_events', 'consumer_checkpoints')
             AND NOT EXISTS (
                 SELECT FROM pg_class n WHERE n.relnamespace = $2::regnamespace AND n.relname = o.relname)""",
        old,
        new,
    )
    if missing:
        raise StaleSchemaError(
            f"{new} lacks {', '.join(missing)} that the live {old} has (made before a migration): rebuild again"
        )


async def swap_in(conn: Connection, schema: str, *, rebuild_consumer: str, live_consumer: str) -> str:
    """Make `schema` the live one in one transaction; returns the schema dropped.

    The rebuild's inbox (create_rebuild_inbox) is handed to the live consumer: its events the live inbox
    does not hold yet (those past the live consumer's position, and any it dead-lettered) are added to
    it, so the live consumer skips them when it reaches them. Call it holding PROJECTION_LOCK exclusively."""
    new = check_schema(schema)
    async with conn.transaction():
        old = await active_schema(conn, for_share=False)
        await _check_same_tables(conn, old, new)
        private = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'"{new}".processed_events')
        # A schema made without create_rebuild_inbox kept the rebuild's inbox in the shared table.
        source = f'"{new}".processed_events' if private else "public.processed_events"
        await conn.execute(
            f"""INSERT INTO public.processed_events
                  (consumer, event_id, event_type, topic, kafka_partition, kafka_offset, processed_at)
                SELECT $1, r.event_id, r.event_type, r.topic, r.kafka_partition, r.kafka_offset, r.processed_at
                FROM {source} r
                WHERE r.consumer = $2 AND NOT EXISTS (
                    SELECT FROM public.processed_events p WHERE p.consumer = $1 AND p.event_id = r.event_id)
                ON CONFLICT DO NOTHING""",
            live_consumer,
            rebuild_consumer,
        )
        await conn.execute(f'DROP TABLE IF EXISTS "{new}".processed_events, "{new}".consumer_checkpoints')
        await conn.execute("UPDATE projection_state SET active_schema = $1, switched_at = now()", new)
        # The BI views (schema `reporting`, migration 0006) read the old schema: re-point them first, or
        # the CASCADE below would drop them.
        await conn.execute("SELECT reporting_create_bi_views($1)", new)
        await conn.execute(f'DROP SCHEMA "{old}" CASCADE')
        # Rows an older rebuild kept in the shared tables (before rebuilds had an inbox of their own).
        await conn.execute("DELETE FROM public.processed_events WHERE consumer = $1", rebuild_consumer)
        await conn.execute("DELETE FROM public.consumer_checkpoints WHERE consumer = $1", rebuild_consumer)
    return old
