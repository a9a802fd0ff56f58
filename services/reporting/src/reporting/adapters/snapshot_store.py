"""Named snapshots in public.report_snapshots (outside the projection schemas, see 0005_snapshots.sql).

Queries name the table with its schema: readers' search_path starts with the projection schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.db import Connection

_SUMMARY = "name, title, note, as_of, params, created_at, created_by"


class DuplicateSnapshotError(Exception):
    """A snapshot with that name already exists."""


async def exists(conn: Connection, name: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM public.report_snapshots WHERE name = $1", name))


async def insert(
    conn: Connection,
    *,
    name: str,
    title: str,
    note: str | None,
    as_of: dt.date,
    params: dict[str, Any],
    views: dict[str, Any],
    created_by: str,
) -> asyncpg.Record:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""INSERT INTO public.report_snapshots (name, title, note, as_of, params, views, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING
            RETURNING {_SUMMARY}, ARRAY(SELECT jsonb_object_keys(views) ORDER BY 1) AS view_names""",
        name,
        title,
        note,
        as_of,
        params,
        views,
        created_by,
    )
    if row is None:
        raise DuplicateSnapshotError(f"a snapshot named {name!r} already exists")
    return row


async def list_all(conn: Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(f"SELECT {_SUMMARY} FROM public.report_snapshots ORDER BY created_at DESC, name"))


async def get(conn: Connection, name: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_SUMMARY}, views FROM public.report_snapshots WHERE name = $1", name
    )
    return row


async def get_view(conn: Connection, name: str, view: str) -> tuple[bool, Any]:
    """(snapshot found, the frozen body of `view` or None when the snapshot has no such view)."""
    row = await conn.fetchrow("SELECT views -> $2 AS body FROM public.report_snapshots WHERE name = $1", name, view)
    return (row is not None, None if row is None else row["body"])


async def delete(conn: Connection, name: str) -> bool:
    deleted = await conn.fetchval("DELETE FROM public.report_snapshots WHERE name = $1 RETURNING true", name)
    return bool(deleted)
