"""HTTP defaults for every FastAPI app: RFC 9457 problem responses, health probes and /metrics; the
mapping of a service's domain errors to problems and the paging parameters and envelope of list routes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_contracts.bounds import INT32_MAX

from .metrics import HTTP_REQUEST_SECONDS
from .problems import RETRYABLE, field_errors, problem_for

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

ReadinessCheck = Callable[[], Awaitable[None]]


def problem(
    status: int,
    title: str,
    detail: Any = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An RFC 9457 body. `detail` is always text; a 422 always has an `errors` list (a broken rule is
    listed as one error without a location), so clients and the OpenAPI schema see one shape."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail if isinstance(detail, str) else str(detail)
    if instance:
        body["instance"] = instance
    body.update(extra)
    if status == 422 and "errors" not in body:
        body["errors"] = [{"loc": [], "msg": body.get("detail", title), "type": "rule_violation"}]
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, _title(exc.status_code), exc.detail, instance=request.url.path)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        return problem(
            422,
            "Invalid request",
            "the request does not match the schema",
            instance=request.url.path,
            errors=field_errors(errors),
            error_count=len(errors),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        spec = problem_for(exc)  # database refusals, timeouts, domain errors: problems.py
        if spec is not None:
            if spec.status >= 500:
                log.warning("%s %s answered %s: %s", request.method, request.url.path, spec.status, exc)
            return problem(
                spec.status, spec.title, spec.detail, instance=request.url.path, headers=spec.headers, **spec.extra
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500, "Internal Server Error", "an unexpected error occurred; it has been logged", instance=request.url.path
        )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_probes(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    """/health/live: the process answers. /health/ready: every dependency answered within 3 s.
    /metrics: Prometheus, including the request latency that RequestMetrics records."""
    app.add_middleware(RequestMetrics)

    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"], response_model=None)
    async def ready() -> dict[str, Any] | JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=3.0)
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; say which and why
                results[name] = f"{type(exc).__name__}: {exc}"
        if all(v == "ok" for v in results.values()):
            return {"status": "ok", "checks": results}
        return problem(503, "Service Unavailable", "a dependency is not ready", checks=results)

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


UNMATCHED = "<unmatched>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """ASGI middleware: observes cds_http_request_duration_seconds by method, route template and status.

    The route is the template the router matched (`/api/v1/units/{unit_id}`), read from scope["route"]
    after the call, so ids in paths do not become labels; requests no route matched share UNMATCHED.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before starting a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"  # a client picks it: bound it
            HTTP_REQUEST_SECONDS.labels(method, route, str(status)).observe(time.perf_counter() - started)


class MappedErrors:
    """ASGI middleware (innermost): an exception problems.py knows becomes its problem response here,
    inside the other middlewares (idempotency sees a 409, not a crash), and is not re-raised to the server
    as an unhandled error would be. Unknown exceptions pass on to the 500 handler.

    A serialization failure or deadlock rolled the request's transaction back whole (every route writes
    in one unit of work), so the request is run again, up to `retries` times with a short backoff, with
    the same body; only then is it a 409."""

    def __init__(self, app: ASGIApp, retries: int = 2) -> None:
        self.app = app
        self.retries = retries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        recorded: list[Message] = []

        async def note(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def recording() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                recorded.append(message)
            return message

        def replay() -> Receive:
            queue = list(recorded)

            async def receive_again() -> Message:
                return queue.pop(0) if queue else await recording()

            return receive_again

        for attempt in range(self.retries + 1):
            try:
                await self.app(scope, replay() if attempt else recording, note)
                return
            except RETRYABLE as exc:
                if started or attempt == self.retries:
                    await self._answer(exc, started, scope, receive, send)
                    return
                log.info("%s %s: %s; running it again", scope.get("method"), scope.get("path"), type(exc).__name__)
                await asyncio.sleep(0.05 * 2**attempt)
            except Exception as exc:
                await self._answer(exc, started, scope, receive, send)
                return

    async def _answer(self, exc: Exception, started: bool, scope: Scope, receive: Receive, send: Send) -> None:
        spec = problem_for(exc)
        if spec is None or started:
            raise exc
        if spec.status >= 500:
            log.warning("%s %s answered %s: %s", scope.get("method"), scope.get("path"), spec.status, exc)
        response = problem(
            spec.status, spec.title, spec.detail, instance=scope.get("path"), headers=spec.headers, **spec.extra
        )
        await response(scope, receive, send)


# --- domain errors ------------------------------------------------------------------------------------------
# Each service's domain/errors.py has a base class and three kinds of refusal; which kind answers which
# status is one rule, stated here. (Domains import no plumbing, so the service names its classes.)


def install_domain_errors(
    app: FastAPI,
    base: type[Exception],
    *,
    not_found: type[Exception],
    conflict: type[Exception],
    rule_violation: type[Exception],
) -> None:
    """Answer every `base` error a route raises as a problem whose detail is the error's message: 404 Not
    Found, 409 Conflict, 422 Rule violated, and 400 Bad Request for any other `base` error. A handler added
    for a subclass of `base` afterwards still wins for that subclass (Starlette picks the closest class)."""
    kinds = ((not_found, 404, "Not Found"), (conflict, 409, "Conflict"), (rule_violation, 422, "Rule violated"))

    async def domain_error(request: Request, exc: Exception) -> Response:
        status, title = next(((code, t) for kind, code, t in kinds if isinstance(exc, kind)), (400, "Bad Request"))
        return problem(status, title, str(exc), instance=request.url.path)

    app.add_exception_handler(base, domain_error)


# --- paging -------------------------------------------------------------------------------------------------
# Every list route takes `limit` and `offset` and answers {items, total, limit, offset}.

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=INT32_MAX, description="Rows to skip.")]


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """The envelope of one page: the rows, how many match in all, and the paging that was asked for."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# --- unknown query parameters -------------------------------------------------------------------------------
# A misspelt filter (`?subjet=o-1`) would otherwise be ignored and answer everything unfiltered: every
# /api/v1 operation refuses query parameters it does not declare.


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:  # parameters a dependency declares (e.g. the slice) count too
        names |= _query_names(sub)
    return names


def _declared_query(route: APIRoute) -> frozenset[str]:
    known: frozenset[str] | None = getattr(route, "_cds_query_names", None)
    if known is None:
        known = frozenset(_query_names(route.dependant))
        route._cds_query_names = known  # type: ignore[attr-defined]  # computed once per route
    return known


_OWN_QUERY = "_cds_reads_own_query"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def reads_own_query(endpoint: Endpoint) -> Endpoint:
    """Mark an operation that reads and checks its query string itself (e.g. reporting's exports, which
    take the parameters of whichever view they render): `known_query_only` leaves it to the operation."""
    setattr(endpoint, _OWN_QUERY, True)
    return endpoint


async def known_query_only(request: Request) -> None:
    """422 when the request names a query parameter its operation does not take."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params or getattr(route.endpoint, _OWN_QUERY, False):
        return
    declared = _declared_query(route)
    unknown = sorted(set(request.query_params.keys()) - declared)
    if unknown:
        takes = ", ".join(sorted(declared)) or "none"
        raise HTTPException(
            422, detail=f"unknown query parameter(s): {', '.join(unknown)} (this operation takes: {takes})"
        )


KNOWN_QUERY_ONLY = [Depends(known_query_only)]
