"""One database transaction per command: the service's repositories and the outbox share it, so state
and events commit together or not at all.

A service subclasses `UnitOfWork`, sets `SOURCE` (its CloudEvents source) and builds its repositories in
`attach`. `async with Service(pool, actor) as uow:` owns a transaction; `Service.joined(conn, actor)`
works inside a transaction someone else owns (an event consumer's batch, with its inbox record).

During a request carrying an Idempotency-Key, the first unit of work hands its open transaction to the
idempotency middleware instead of committing, which stores the answer in it and commits both
(idempotency.py): the write and its stored answer exist together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import ClassVar, Self
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from cds_contracts import Envelope, Event, TopicSpec

from . import idempotency
from .db import Connection
from .outbox import append, append_many, append_tombstone

log = logging.getLogger(__name__)


class UnitOfWork:
    SOURCE: ClassVar[str]

    def __init__(self, pool: asyncpg.Pool | None, actor: str | None, correlation_id: UUID | None = None) -> None:
        self._pool = pool
        self.actor = actor
        self.correlation_id = correlation_id
        self._conn: Connection | None = None
        self._pooled: PoolConnectionProxy | None = None
        self._tx: Transaction | None = None
        self._handover: idempotency._Slot | None = None

    def attach(self, conn: Connection) -> None:
        """Build the repositories on `conn`; subclasses extend this and call super()."""
        self._conn = conn

    @classmethod
    def joined(cls, conn: Connection, actor: str | None, correlation_id: UUID | None = None) -> Self:
        uow = cls(None, actor, correlation_id)
        uow.attach(conn)
        return uow

    async def __aenter__(self) -> Self:
        assert self._pool is not None, "a joined unit of work is not entered"
        self._pooled = await self._pool.acquire()
        self._tx = self._pooled.transaction()
        await self._tx.start()
        self._handover = idempotency.hand_over(self._pool)
        self.attach(self._pooled)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tx is not None and self._pooled is not None and self._pool is not None
        if exc_type is None and self._handover is not None:
            self._handover.conn, self._handover.tx = self._pooled, self._tx  # committed with the stored answer
            return
        if self._handover is not None:
            self._handover.taken = False  # rolled back: a retry of the request may hand over its own
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            try:
                await self._pool.release(self._pooled)
            except Exception as exc:
                # Releasing resets the session; if the database went away just after the commit, that fails
                # and asyncpg closes the connection. The commit stands: raising would answer 503 for a
                # stored write (the fault suite caught that). Before a commit, the error is already raised.
                log.debug("connection not returned to the pool cleanly, closed instead: %s", exc)

    async def publish(self, event: Event, *, causation_id: UUID | None = None) -> Envelope:
        assert self._conn is not None, "attach() first"
        return await append(
            self._conn,
            event,
            source=self.SOURCE,
            actor=self.actor,
            correlation_id=self.correlation_id,
            causation_id=causation_id,
        )

    async def publish_many(self, events: list[Event], *, causation_id: UUID | None = None) -> list[Envelope]:
        """Like `publish` for each event in order, in one round trip to the database."""
        assert self._conn is not None, "attach() first"
        return await append_many(
            self._conn,
            events,
            source=self.SOURCE,
            actor=self.actor,
            correlation_id=self.correlation_id,
            causation_id=causation_id,
        )

    async def forget(self, topic: TopicSpec, key: str, *, type: str) -> Envelope:
        """Publish a tombstone for `key` on a compacted profile topic (see cds_contracts.profiles)."""
        assert self._conn is not None, "attach() first"
        return await append_tombstone(self._conn, topic, key, type=type, source=self.SOURCE, actor=self.actor)

    @property
    def conn(self) -> Connection:
        assert self._conn is not None, "attach() first"
        return self._conn


@asynccontextmanager
async def request_transaction(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """A transaction for a route that writes without a UnitOfWork subclass (e.g. reporting's snapshots):
    like a unit of work, it hands itself to a keyed request's stored answer instead of committing."""
    async with UnitOfWork(pool, None) as uow:
        assert uow._pooled is not None
        yield uow._pooled
