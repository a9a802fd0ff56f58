"""`Idempotency-Key` on every create (IETF httpapi draft "The Idempotency-Key HTTP Header Field").

A client that lost the answer to a create (connection closed, timeout, graceful stop) sends the same
request again with the same key and learns what happened instead of creating twice:

- The first successful answer (2xx) is stored with a fingerprint of the request (method, path, query,
  body) IN THE SAME TRANSACTION as the write: the unit of work that opens during the request hands its
  transaction over (`hand_over`) instead of committing, this middleware adds the stored answer and commits
  both, and only then sends the answer. So an answer is stored if and only if the write happened.
- A retry with the same key and body gets the stored status, body and headers back (plus
  `Idempotent-Replayed: true`); the same key with another body is a 422; a key whose first request is
  still running is a 409 (the retry may come again). Error answers are not stored: nothing was written,
  so a retry simply runs again.
- Keys belong to the token's subject (in its role and unit) and expire after `idempotency_ttl_s` (24 h);
  a background task purges expired ones.

Creates are POST routes answering 201 or 202 (`is_create`); the header is ignored elsewhere.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction
from fastapi import FastAPI, HTTPException
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http import problem

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
_HEADER = HEADER.lower().encode()
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as a structured-field string carries
_REPLAYED_HEADERS = {"content-type", "location"}


def is_create(route: Any) -> bool:
    """`route`: an APIRoute or a route context of an included router (what `api_routes` yields)."""
    return "POST" in (route.methods or ()) and route.status_code in (201, 202)


def api_routes(app: FastAPI) -> list[Any]:
    """Every API route with its effective path (included routers' prefixes applied): contexts that
    answer path_format, path_regex, methods, status_code, dependant like an APIRoute."""
    return [ctx for ctx in iter_route_contexts(app.routes) if isinstance(ctx.original_route, APIRoute)]


@dataclass
class _Slot:
    """The keyed request in progress; the unit of work parks its open transaction here."""

    conn: PoolConnectionProxy | None = None
    tx: Transaction | None = None
    pool: asyncpg.Pool | None = None
    taken: bool = False


_CURRENT: contextvars.ContextVar[_Slot | None] = contextvars.ContextVar("idempotent_request", default=None)


def hand_over(pool: asyncpg.Pool) -> _Slot | None:
    """Called by a unit of work as it opens: the slot to hand its transaction to, when this request is
    keyed and no earlier unit of work took it (a second one in the same request commits on its own)."""
    slot = _CURRENT.get()
    if slot is None or slot.taken:
        return None
    slot.taken, slot.pool = True, pool
    return slot


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)


class IdempotencyKeys:
    """ASGI middleware; needs `app.state.runtime.pool`, `app.state.authenticator` and the router."""

    def __init__(self, app: ASGIApp, *, ttl_s: int = 86_400) -> None:
        self.app = app
        self.ttl_s = ttl_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, _HEADER) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None or not _is_create_path(scope):
            await self.app(scope, receive, send)
            return
        if not _KEY.fullmatch(key):
            detail = f"{HEADER} must be 1 to 255 visible ASCII characters"
            await problem(400, "Bad Request", detail, instance=scope["path"])(scope, receive, send)
            return
        principal = _subject(scope)
        if principal is None:  # no valid token: the route answers 401 itself, and nothing is stored
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
        except HTTPException as exc:  # the body cap, counted while reading (limits.py) — outside FastAPI here
            await problem(exc.status_code, "Content Too Large", exc.detail, instance=scope["path"])(
                scope, receive, send
            )
            return
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        pool: asyncpg.Pool = scope["app"].state.runtime.pool
        stored = await pool.fetchrow(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys"
            " WHERE principal = $1 AND key = $2 AND expires_at > now()",
            principal,
            key,
        )
        if stored is not None:
            await self._replay(scope, receive, send, stored, fingerprint)
            return
        slot, captured = _Slot(), _Captured()
        token = _CURRENT.set(slot)
        try:
            await self.app(scope, _replaying(body), _capture(captured))
        finally:
            _CURRENT.reset(token)
            answer = await self._settle(slot, captured, principal, key, fingerprint, scope["path"])
        await answer(scope, receive, send)

    async def _replay(self, scope: Scope, receive: Receive, send: Send, stored: Any, fingerprint: str) -> None:
        if stored["fingerprint"] != fingerprint:
            detail = f"this {HEADER} was used for a different request; use a new key for a new request"
            await problem(422, "Unprocessable Content", detail, instance=scope["path"])(scope, receive, send)
            return
        headers = [(n.encode(), v.encode()) for n, v in stored["headers"]]
        headers.append((b"idempotent-replayed", b"true"))
        await _Raw(stored["status"], headers, bytes(stored["body"]))(scope, receive, send)

    async def _settle(
        self, slot: _Slot, captured: _Captured, principal: str, key: str, fingerprint: str, path: str
    ) -> Any:
        """Commit the parked write with the stored answer (or roll it back); what to send the client."""
        ok = 200 <= captured.status < 300
        raw = _Raw(captured.status, captured.headers, bytes(captured.body))
        if slot.conn is None or slot.tx is None or slot.pool is None:
            return raw  # no unit of work parked a transaction (the route failed or wrote nothing)
        try:
            if not ok:
                await slot.tx.rollback()
                return raw
            kept = [[n.decode(), v.decode()] for n, v in captured.headers if n.decode().lower() in _REPLAYED_HEADERS]
            inserted = await slot.conn.fetchval(
                """INSERT INTO idempotency_keys (principal, key, fingerprint, status, headers, body, expires_at)
                   VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
                   ON CONFLICT (principal, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
                     status = EXCLUDED.status, headers = EXCLUDED.headers, body = EXCLUDED.body,
                     created_at = now(), expires_at = EXCLUDED.expires_at
                   WHERE idempotency_keys.expires_at <= now()
                   RETURNING true""",
                principal,
                key,
                fingerprint,
                captured.status,
                kept,
                bytes(captured.body),
                float(self.ttl_s),
            )
            if not inserted:  # a concurrent request with this key committed first: ours must not count
                await slot.tx.rollback()
                detail = f"a request with this {HEADER} was processed concurrently; retry to get its answer"
                return problem(409, "Conflict", detail, instance=path)
            await slot.tx.commit()
            return raw
        except BaseException:
            with contextlib.suppress(Exception):  # the insert or the commit failed: keep nothing of it
                await slot.tx.rollback()
            raise
        finally:
            await slot.pool.release(slot.conn)


class _Raw:
    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def _capture(captured: _Captured) -> Send:
    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured.status = message["status"]
            captured.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            captured.body += message.get("body", b"")

    return send


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _read_body(receive: Receive) -> bytes:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return bytes(chunks)


def _header(scope: Scope, name: bytes) -> str | None:
    for n, v in scope.get("headers", ()):
        if n == name:
            return str(v.decode("latin-1"))
    return None


def _is_create_path(scope: Scope) -> bool:
    app = scope["app"]
    creates = getattr(app.state, "idempotent_creates", None)
    if creates is None:  # routes are all included before the first request
        creates = [ctx.path_regex for ctx in api_routes(app) if is_create(ctx)]
        app.state.idempotent_creates = creates
    return any(regex.match(scope["path"]) for regex in creates)


def _subject(scope: Scope) -> str | None:
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        who = scope["app"].state.authenticator.verify(token.strip())
    except Exception:  # any refusal: the route's own authentication answers it
        return None
    # Role and unit are part of the owner: a stored answer is never replayed to the same person holding
    # a role or unit that the route would now refuse; the request runs again and is authorised afresh.
    return f"{who.subject}\x1f{who.role.value}\x1f{who.unit or ''}"


async def purge_expired(pool: asyncpg.Pool) -> int:
    deleted = await pool.fetchval(
        "WITH gone AS (DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING 1) SELECT count(*) FROM gone"
    )
    return int(deleted or 0)
