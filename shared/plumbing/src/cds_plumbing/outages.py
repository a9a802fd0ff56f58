"""Outages answered honestly: a database or broker that cannot be reached is a 503, not a 500.

`classify(exc)` tells whether an exception means PostgreSQL or Kafka is unavailable (refused or dropped
connections, a server shutting down or still recovering, no free connection slots, a connection the
server closed under us). `OutageMiddleware` turns such an exception into a `503 Service Unavailable`
problem with `Retry-After`, instead of a 500 with a traceback per request; anything else passes on
untouched to the problem handlers of `cds_plumbing.http`.

`OutageTracker` keeps one state per dependency, so an outage is logged once: a WARNING with the cause
when the first request fails, and an INFO with its length and the number of refused requests once a
probe (run every second while the dependency is down) answers again. Readiness (/health/ready) keeps
its own checks and says 503 throughout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any

import asyncpg
from aiokafka import errors as kafka_errors
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http import problem

log = logging.getLogger(__name__)


class Dependency(StrEnum):
    DATABASE = "database"
    KAFKA = "kafka"


# Seconds a client is told to wait. PostgreSQL restarting or recovering is back within seconds; a broker
# that lost its node takes longer to elect and load its partitions.
RETRY_AFTER_S = {Dependency.DATABASE: 5, Dependency.KAFKA: 10}

_DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx: refused, failed, does not exist (closed mid-operation)
    asyncpg.CannotConnectNowError,  # 57P03: starting up, shutting down, consistent recovery state not reached
    asyncpg.AdminShutdownError,  # 57P01: the server is stopping
    asyncpg.CrashShutdownError,  # 57P02: another backend crashed, the server restarts
    asyncpg.TooManyConnectionsError,  # 53300: no connection slot
)
_KAFKA_ERRORS: tuple[type[BaseException], ...] = (
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.NodeNotReadyError,
    kafka_errors.NoBrokersAvailable,
    kafka_errors.RequestTimedOutError,
)
# OSError (refused, reset, timed out) carries no hint of its peer: the driver in the traceback tells.
_DRIVER_PATHS = {Dependency.DATABASE: "/asyncpg/", Dependency.KAFKA: "/aiokafka/"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what caused it, and the members of exception groups, each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)


def _raised_in(tb: TracebackType | None) -> Dependency | None:
    while tb is not None:
        path = tb.tb_frame.f_code.co_filename
        for dep, marker in _DRIVER_PATHS.items():
            if marker in path:
                return dep
        tb = tb.tb_next
    return None


def classify(exc: BaseException) -> Dependency | None:
    """Which dependency `exc` says is unavailable, or None when it is not an outage. An exception class
    of ours may say it itself with a `dependency` class attribute (outbox.UnacknowledgedError does)."""
    for e in _chain(exc):
        named = getattr(type(e), "dependency", None)
        if isinstance(named, Dependency):
            return named
        if isinstance(e, _DATABASE_ERRORS):
            return Dependency.DATABASE
        if isinstance(e, asyncpg.InterfaceError) and ("closed" in str(e) or "released back" in str(e)):
            return Dependency.DATABASE
        if isinstance(e, _KAFKA_ERRORS):
            return Dependency.KAFKA
        if isinstance(e, OSError):  # refused, reset, timed out (pool.acquire, connect), name not resolved
            dep = _raised_in(e.__traceback__) or _raised_in(exc.__traceback__)
            if dep is not None:
                return dep
    return None


def commit_unconfirmed(exc: BaseException) -> bool:
    """The connection failed while PostgreSQL was committing: the change may be stored or not, and the
    client must not be told either. (Found by the fault suite: a write answered 503 was stored.)"""
    for e in _chain(exc):
        tb = e.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_name == "__commit" and code.co_filename.endswith("asyncpg/transaction.py"):
                return tb.tb_frame.f_locals.get("query") == "COMMIT;"  # not a savepoint's release
            tb = tb.tb_next
    return False


def describe(exc: BaseException) -> str:
    """`Type: message` of the most telling exception in the chain: the driver's, and of those the first
    raised (a rollback failing on the closed connection is a consequence, not the cause)."""
    drivers = [
        e for e in _chain(exc) if isinstance(e, (*_DATABASE_ERRORS, *_KAFKA_ERRORS, OSError, asyncpg.InterfaceError))
    ]
    e = drivers[-1] if drivers else exc
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


Probe = Callable[[], Awaitable[object]]


@dataclass
class _Outage:
    since: float
    cause: str
    refused: int = 0
    watcher: asyncio.Task[None] | None = None


@dataclass
class OutageTracker:
    """One state per dependency; logs the start and the end of each outage once."""

    probes: dict[Dependency, Probe]
    probe_every_s: float = 1.0
    probe_timeout_s: float = 2.0
    _open: dict[Dependency, _Outage] = field(default_factory=dict)

    def is_down(self, dep: Dependency) -> bool:
        return dep in self._open

    def refused(self, dep: Dependency, exc: BaseException) -> None:
        """A request failed because `dep` is unavailable: count it, and open the outage if it is new."""
        outage = self._open.get(dep)
        if outage is None:
            outage = self._open[dep] = _Outage(time.monotonic(), describe(exc))
            log.warning(
                "%s unavailable (%s): answering 503 with Retry-After %d s until it is back",
                dep.value,
                outage.cause,
                RETRY_AFTER_S[dep],
            )
            if dep in self.probes:
                outage.watcher = asyncio.get_running_loop().create_task(self._watch(dep), name=f"outage-{dep}")
        outage.refused += 1

    async def _watch(self, dep: Dependency) -> None:
        probe = self.probes[dep]
        while True:
            await asyncio.sleep(self.probe_every_s)
            try:
                await asyncio.wait_for(probe(), self.probe_timeout_s)
            except Exception as exc:  # still down: the next probe will tell
                log.debug("%s still unavailable: %s", dep.value, describe(exc))
                continue
            outage = self._open.pop(dep)
            log.info(
                "%s available again after %.1f s; %d request(s) were answered 503 meanwhile",
                dep.value,
                time.monotonic() - outage.since,
                outage.refused,
            )
            return

    async def close(self) -> None:
        watchers = [o.watcher for o in self._open.values() if o.watcher is not None]
        for w in watchers:
            w.cancel()
        for w in watchers:
            with contextlib.suppress(asyncio.CancelledError):
                await w


class OutageMiddleware:
    """ASGI middleware (inside the app's error handling): an exception `classify` recognises becomes a
    503 problem with Retry-After, and the tracker hears of it; every other exception passes on."""

    def __init__(self, app: ASGIApp, tracker: OutageTracker) -> None:
        self.app = app
        self._tracker = tracker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def note_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, note_start)
        except Exception as exc:
            dep = classify(exc)
            if dep is None or started:
                raise
            self._tracker.refused(dep, exc)
            seconds = RETRY_AFTER_S[dep]
            detail = f"the {dep.value} is unavailable; retry in {seconds} s"
            extra: dict[str, Any] = {}
            if commit_unconfirmed(exc):
                detail = (
                    "the database went away while committing this request: it may or may not have been "
                    f"stored; check before retrying in {seconds} s"
                )
                extra["outcome"] = "unknown"
            response = problem(
                503, "Service Unavailable", detail, instance=scope.get("path"), dependency=dep.value, **extra
            )
            response.headers["Retry-After"] = str(seconds)
            await response(scope, receive, send)


class FailureStreak:
    """Logging for a background loop that retries through outages (the outbox relay): a WARNING with
    the cause when failing starts or the cause changes, a summary at most every `summary_every_s` while
    it goes on (DEBUG otherwise), and an INFO with the streak's length once a pass succeeds again."""

    def __init__(self, logger: logging.Logger, what: str, summary_every_s: float = 60.0) -> None:
        self._log, self._what, self._every = logger, what, summary_every_s
        self.since: float | None = None
        self.failures = 0
        self._cause = ""
        self._summarised_at = 0.0

    def failed(self, exc: BaseException, retry_in_s: float) -> None:
        now = time.monotonic()
        dep = classify(exc)
        cause = f"{dep.value} unavailable ({describe(exc)})" if dep else describe(exc)
        self.failures += 1
        if self.since is None or cause != self._cause:
            self.since = self.since if self.since is not None else now
            self._cause, self._summarised_at = cause, now
            self._log.warning("%s failed: %s; retrying in %.1f s", self._what, cause, retry_in_s)
        elif now - self._summarised_at >= self._every:
            self._summarised_at = now
            self._log.warning(
                "%s still failing after %.0f s and %d attempts: %s; retrying in %.1f s",
                self._what,
                now - self.since,
                self.failures,
                cause,
                retry_in_s,
            )
        else:
            self._log.debug("%s failed again: %s", self._what, cause)

    def succeeded(self) -> None:
        if self.since is None:
            return
        self._log.info(
            "%s working again after %.1f s and %d failed attempts",
            self._what,
            time.monotonic() - self.since,
            self.failures,
        )
        self.since, self.failures, self._cause = None, 0, ""
