"""Named snapshots: a fixed list of views read for one day and slice, frozen as the bodies they answered.

A snapshot keeps the views it was taken with: adding a view to VIEWS later changes new snapshots only,
and every read of an old one serves exactly what was stored. Views are read through `fetch` (the
service's own GET endpoints, in-process), so a frozen body is byte for byte the live body of that moment.
"""

from __future__ import annotations

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

__all__ = ["VIEWS", "DuplicateSnapshotError", "SnapshotNotFoundError", "ViewFetcher"]

Query = list[tuple[str, str]]
ViewFetcher = Callable[[str, Sequence[tuple[str, str]]], Awaitable[dict[str, Any]]]
"""GET a path of this service with query parameters; raises on an error answer."""


@dataclass(frozen=True)
class FrozenView:
    path: str
    by_year: bool = False  # the view is per plan year: it gets year = as_of's year


VIEWS: dict[str, FrozenView] = {
    "headcount": FrozenView("/api/v1/officers/headcount"),
    "coverage": FrozenView("/api/v1/officers/coverage"),
    "community-teams": FrozenView("/api/v1/community-teams"),
    "trends": FrozenView("/api/v1/trends"),
    "attainment": FrozenView("/api/v1/training/attainment", by_year=True),
    "trained-share": FrozenView("/api/v1/training/trained-share"),
    "attrition": FrozenView("/api/v1/attrition"),
    "vacancies": FrozenView("/api/v1/recruitment/vacancies"),
    "readiness": FrozenView("/api/v1/response-teams/readiness"),
}


class SnapshotNotFoundError(LookupError):
    """No snapshot of that name, or the snapshot has no such view."""


def view_query(view: FrozenView, as_of: dt.date, sl: Slice) -> Query:
    """The query a view is read with: the day, the slice (every view gets it), the year where needed."""
    query: Query = [("as_of", as_of.isoformat()), *sl.query()]
    if view.by_year:
        query.append(("year", str(as_of.year)))
    return query


async def take(
    ctx: ViewContext,
    fetch: ViewFetcher,
    *,
    name: str,
    title: str,
    note: str | None,
    as_of: dt.date,
    sl: Slice,
    created_by: str,
) -> dict[str, Any]:
    """Read every view and store them in one row. An error answer of a view propagates from `fetch`
    and nothing is stored; DuplicateSnapshotError when the name is taken."""
    async with ctx.pool.acquire() as conn:
        if await store.exists(conn, name):  # before reading nine views for nothing
            raise DuplicateSnapshotError(f"a snapshot named {name!r} already exists")
    bodies: dict[str, Any] = {}
    requests: dict[str, Any] = {}
    for view_name, view in VIEWS.items():
        query = view_query(view, as_of, sl)
        bodies[view_name] = await fetch(view.path, query)
        requests[view_name] = {"path": view.path, "query": [list(q) for q in query]}
    params = {"as_of": as_of.isoformat(), "slice": sl.as_dict(), "views": requests}
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
