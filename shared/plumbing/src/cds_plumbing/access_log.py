"""The personal-data access log: who saw (or erased) whose personal data, in the owning service's database.

`AccessLog` (ASGI middleware) opens an `AccessContext` around each request; response models built on
`PersonalRecord` note every person whose personal fields they showed. Before the response starts, one
INSERT records actor, role, the subject ids, the operation (method and route template), the path, the
time and the trace id. If that INSERT fails the caller gets a 503 instead of the data: nothing personal
is shown without its record. Erasures and the retention job append rows with `record`.

`GET /api/v1/audit/personal-data-access` (province_admin) reads it, filtered by subject, actor and period.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Query, Request
from opentelemetry import trace
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_contracts.bounds import Count, Id, Line, Moment

from .auth import Admin
from .db import Connection
from .personal import AccessContext, access_scope

log = logging.getLogger(__name__)

_INSERT = """INSERT INTO personal_data_access (actor, role, operation, path, subject_kinds, subject_ids, trace_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"""


def _trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


async def record(
    conn: Connection | asyncpg.Pool,
    *,
    actor: str,
    role: str,
    operation: str,
    path: str,
    subject_kind: str,
    subject_ids: Sequence[str],
) -> None:
    """Append one row (erasures, retention); in the caller's transaction when given a connection."""
    await conn.execute(_INSERT, actor, role, operation, path, [subject_kind], list(subject_ids), _trace_id())


class AccessLog:
    """ASGI middleware writing one access-log row per response that showed personal fields."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_logged(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the body of a response we refused to send
            if message["type"] == "http.response.start" and ctx.shown:
                try:
                    await _write(scope, ctx)
                except Exception:
                    log.exception("could not record personal-data access; refusing the response")
                    replaced = True
                    await _unavailable(send)
                    return
            await send(message)

        with access_scope() as ctx:
            await self.app(scope, receive, send_logged)


async def _write(scope: Scope, ctx: AccessContext) -> None:
    route = getattr(scope.get("route"), "path", None) or scope["path"]
    pool: asyncpg.Pool = scope["app"].state.runtime.pool
    await pool.execute(
        _INSERT,
        ctx.actor or "?",
        ctx.role or "?",
        f"{scope['method']} {route}",
        scope["path"],
        sorted(ctx.shown),
        ctx.subjects,
        _trace_id(),
    )


async def _unavailable(send: Send) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "personal data is shown only once its access is recorded, and the record failed; retry",
        }
    ).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"retry-after", b"5")]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessEntry(BaseModel):
    id: int = Field(description="Position in the log (ascending with time).")
    at: dt.datetime = Field(description="When the data was shown or erased.")
    actor: str = Field(description="The token subject of the caller.")
    role: str = Field(description="The caller's role.")
    operation: str = Field(description="Method and route template, or `erasure` / `retention`.")
    path: str = Field(description="The concrete path.")
    subject_kinds: list[str] = Field(description="Kinds of the people concerned: officer, community_member, candidate.")
    subject_ids: list[str] = Field(description="Ids of the people whose personal fields were shown or erased.")
    trace_id: str | None = Field(description="W3C trace id of the request, to find it in the traces.")


class AccessPage(BaseModel):
    items: list[AccessEntry] = Field(description="Entries, newest first.")
    total: int = Field(description="Entries matching the filters.")
    limit: int = Field(description="Page size.")
    offset: int = Field(description="Entries skipped.")


router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("/personal-data-access", response_model=AccessPage, summary="Who saw or erased whose personal data")
async def personal_data_access(
    request: Request,
    who: Admin,
    subject: Annotated[Id | None, Query(description="Only entries concerning this person id.")] = None,
    actor: Annotated[Line | None, Query(description="Only entries of this token subject.")] = None,
    # Moment: RFC 3339 text with an offset only (a bare number is not a time here, whatever pydantic allows)
    since: Annotated[Moment | None, Query(description="From this time (inclusive), RFC 3339 with offset.")] = None,
    until: Annotated[Moment | None, Query(description="Before this time (exclusive), RFC 3339 with offset.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
    offset: Annotated[Count, Query(description="Entries to skip.")] = 0,
) -> dict[str, Any]:
    pool: asyncpg.Pool = request.app.state.runtime.pool
    where = """($1::text IS NULL OR $1 = ANY(subject_ids)) AND ($2::text IS NULL OR actor = $2)
               AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)"""
    args = (subject, actor, since, until)
    total = await pool.fetchval(f"SELECT count(*) FROM personal_data_access WHERE {where}", *args)
    rows = await pool.fetch(
        f"SELECT * FROM personal_data_access WHERE {where} ORDER BY id DESC LIMIT $5 OFFSET $6", *args, limit, offset
    )
    return {"items": [dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}
