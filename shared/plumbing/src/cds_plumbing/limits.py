"""Request limits every service applies before any route runs (ASGI middleware, see create_service_app).

- URL: a path plus query string longer than `max_url_bytes` (8 KiB) is a 414; no id or filter needs more,
  and an unbounded query string is work (parsing, logging, SQL parameters) a client should not impose.
- Control characters: a NUL or other C0/DEL character in the path or in a query parameter is a 422 naming
  the parameter; PostgreSQL cannot store NUL, and no id or filter contains such characters.
- Body: a body larger than its cap is a 413. A declared Content-Length is refused before reading; a
  chunked body is counted while the route reads it. The default cap is 1 MiB; a route prefix may get a
  larger one (personnel's bulk imports), whose route then reads the body as a stream.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http import problem

MIB = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BodyTooLargeError(HTTPException):
    def __init__(self, cap: int) -> None:
        super().__init__(413, detail=f"the request body is larger than {cap} bytes, the most this endpoint accepts")


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = MIB,
        body_caps: Mapping[str, int] | None = None,
        max_url_bytes: int = 8192,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_caps = sorted((body_caps or {}).items(), key=lambda kv: -len(kv[0]))  # longest prefix first
        self.max_url_bytes = max_url_bytes

    def cap_for(self, path: str) -> int:
        return next((cap for prefix, cap in self.body_caps if path.startswith(prefix)), self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        raw = scope.get("raw_path") or path.encode()
        query: bytes = scope.get("query_string", b"")
        if len(raw) + len(query) > self.max_url_bytes:
            detail = f"the URL is longer than {self.max_url_bytes} bytes"
            await problem(414, "URI Too Long", detail, instance=path[:200])(scope, receive, send)
            return
        bad = _controls(path, query)
        if bad:
            await problem(
                422,
                "Invalid request",
                "control characters (such as NUL) are not allowed in the URL",
                instance=_CONTROL.sub("?", path)[:200],
                errors=[
                    {"loc": loc, "msg": "control characters are not allowed", "type": "string_pattern_mismatch"}
                    for loc in bad
                ],
            )(scope, receive, send)
            return
        cap = self.cap_for(path)
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await problem(413, "Content Too Large", BodyTooLargeError(cap).detail, instance=path)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLargeError(cap)
            return message

        await self.app(scope, counted, send)


def _controls(path: str, query: bytes) -> list[list[str]]:
    found = [["path"]] if _CONTROL.search(path) else []
    if query:
        for name, value in parse_qsl(
            query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace"
        ):
            if _CONTROL.search(name) or _CONTROL.search(value):
                found.append(["query", _CONTROL.sub("?", name)[:64]])
    return found


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
