"""Named snapshots: a fixed list of views read for one day and slice, frozen as the bodies they answered.

A snapshot keeps the views it was taken with: adding a view to the registry's SNAPSHOT_VIEWS later changes
new snapshots only, and every read of an old one serves exactly what was stored. The caller hands over
each view as a ViewRead (the registry's in-process call), so a frozen body is byte for byte the body the
view's route answered at that moment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from cds_plumbing.unit_of_work import request_transaction
from reporting.adapters import snapshot_store as store
from reporting.adapters.snapshot_store import DuplicateSnapshotError
from reporting.domain.slices import Slice
from reporting.service_layer.context import ViewContext

__all__ = ["DuplicateSnapshotError", "SnapshotNotFoundError", "ViewRead"]


@dataclass(frozen=True)
class ViewRead:
    """One view a snapshot freezes: the name its body is stored under, how it was asked for (stored in
    the snapshot's params as {"path", "query"}, so a reader sees what each body answers) and the call."""

    name: str
    request: dict[str, Any]
    read: Callable[[], Awaitable[dict[str, Any]]]


class SnapshotNotFoundError(LookupError):
    """No snapshot of that name, or the snapshot has no such view."""


async def take(
    ctx: ViewContext,
    views: Sequence[ViewRead],
    *,
    name: str,
    title: str,
    note: str | None,
    as_of: dt.date,
    sl: Slice,
    created_by: str,
) -> dict[str, Any]:
    """Read every view (at once, each on its own pool connection) and store them in one row. A view's
    error (unknown unit, statement timeout) propagates and nothing is stored; DuplicateSnapshotError when
    the name is taken."""
    async with ctx.pool.acquire() as conn:
        if await store.exists(conn, name):  # before reading nine views for nothing
            raise DuplicateSnapshotError(f"a snapshot named {name!r} already exists")
    read = await asyncio.gather(*(v.read() for v in views))
    bodies = {v.name: body for v, body in zip(views, read, strict=True)}
    params = {"as_of": as_of.isoformat(), "slice": sl.as_dict(), "views": {v.name: v.request for v in views}}
    async with request_transaction(ctx.pool) as conn:  # with an Idempotency-Key, stored with its answer
        row = await store.insert(
            conn,
            name=name,
            title=title,
            note=note,
            as_of=as_of,
            params=params,
            views=bodies,
            created_by=created_by,
        )
    return {**_summary(row), "views": list(row["view_names"])}


async def list_snapshots(ctx: ViewContext) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        return {"snapshots": [_summary(r) for r in await store.list_all(conn)]}


async def get(ctx: ViewContext, name: str) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        row = await store.get(conn, name)
    if row is None:
        raise SnapshotNotFoundError(f"no snapshot named {name!r}")
    return {**_summary(row), "params": row["params"], "views": row["views"]}


async def get_view(ctx: ViewContext, name: str, view: str) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        found, body = await store.get_view(conn, name, view)
    if not found:
        raise SnapshotNotFoundError(f"no snapshot named {name!r}")
    if body is None:
        raise SnapshotNotFoundError(f"snapshot {name!r} has no view {view!r}")
    frozen: dict[str, Any] = body
    return frozen


async def delete(ctx: ViewContext, name: str) -> None:
    async with ctx.pool.acquire() as conn:
        if not await store.delete(conn, name):
            raise SnapshotNotFoundError(f"no snapshot named {name!r}")


def _summary(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "name": row["name"],
        "title": row["title"],
        "note": row["note"],
        "as_of": row["as_of"].isoformat(),
        "slice": row["params"]["slice"],
        "created_at": row["created_at"].isoformat(),
        "created_by": row["created_by"],
    }
