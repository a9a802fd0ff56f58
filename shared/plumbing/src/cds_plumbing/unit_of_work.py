"""One database transaction per command: the service's repositories and the outbox share it, so state
and events commit together or not at all.

A service subclasses `UnitOfWork`, sets `SOURCE` (its CloudEvents source) and builds its repositories in
`attach`. `async with Service(pool, actor) as uow:` owns a transaction; `Service.joined(conn, actor)`
works inside a transaction someone else owns (an event consumer's batch, with its inbox record).
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import ClassVar, Self
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from cds_contracts import Envelope, Event

from .db import Connection
from .outbox import append, append_many

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
        self.attach(self._pooled)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tx is not None and self._pooled is not None and self._pool is not None
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

    async def publish_many(self, events: list[Event]) -> list[Envelope]:
        assert self._conn is not None, "attach() first"
        return await append_many(
            self._conn, events, source=self.SOURCE, actor=self.actor, correlation_id=self.correlation_id
        )
