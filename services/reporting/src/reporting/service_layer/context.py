"""What every view needs: the pool and the live consumer whose checkpoints tell how fresh the data are,
and the header every view body starts with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from reporting.adapters import queries
from reporting.domain.slices import Slice


@dataclass(frozen=True)
class ViewContext:
    pool: asyncpg.Pool
    consumer: str
    topics: tuple[str, ...]


async def header(conn: Connection, ctx: ViewContext, as_of: dt.date | None, sl: Slice | None = None) -> dict[str, Any]:
    """`as_of`, `current_to` and, for a sliced view, `slice` (what the figures cover)."""
    body: dict[str, Any] = {"as_of": as_of.isoformat() if as_of else None}
    current = await queries.current_to(conn, ctx.consumer)
    body["current_to"] = current.isoformat() if current else None
    if sl is not None:
        body["slice"] = sl.as_dict()
    return body
