"""One database transaction per command: repositories and the outbox share it, so state and events
commit together or not at all."""

from __future__ import annotations

from types import TracebackType
from uuid import UUID

import asyncpg
from asyncpg.transaction import Transaction

from cds_contracts import Envelope, Event
from cds_plumbing.db import Connection
from cds_plumbing.outbox import append, append_many
from personnel.adapters.officers_repo import OfficerRepository
from personnel.adapters.response_teams_repo import ResponseTeamRepository
from personnel.adapters.teams_repo import TeamRepository
from personnel.adapters.units_repo import UnitRepository

SOURCE = "/personnel"


class UnitOfWork:
    units: UnitRepository
    officers: OfficerRepository
    teams: TeamRepository
    response_teams: ResponseTeamRepository

    def __init__(self, pool: asyncpg.Pool | None, actor: str | None, correlation_id: UUID | None = None) -> None:
        self._pool = pool
        self.actor = actor
        self.correlation_id = correlation_id
        self._conn: Connection | None = None
        self._tx: Transaction | None = None

    @classmethod
    def joined(cls, conn: Connection, actor: str | None, correlation_id: UUID | None = None) -> UnitOfWork:
        """A unit of work inside a transaction someone else owns (an event consumer's batch)."""
        uow = cls(None, actor, correlation_id)
        uow._bind(conn)
        return uow

    def _bind(self, conn: Connection) -> None:
        self._conn = conn
        self.units = UnitRepository(conn)
        self.officers = OfficerRepository(conn)
        self.teams = TeamRepository(conn)
        self.response_teams = ResponseTeamRepository(conn)

    async def __aenter__(self) -> UnitOfWork:
        assert self._pool is not None, "a joined unit of work is not entered"
        conn = await self._pool.acquire()
        self._tx = conn.transaction()
        await self._tx.start()
        self._bind(conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tx is not None and self._conn is not None and self._pool is not None
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self._pool.release(self._conn)  # type: ignore[arg-type]  # acquired from this pool

    async def publish(self, event: Event, *, causation_id: UUID | None = None) -> Envelope:
        assert self._conn is not None
        return await append(
            self._conn,
            event,
            source=SOURCE,
            actor=self.actor,
            correlation_id=self.correlation_id,
            causation_id=causation_id,
        )

    async def publish_many(self, events: list[Event]) -> list[Envelope]:
        assert self._conn is not None
        return await append_many(
            self._conn, events, source=SOURCE, actor=self.actor, correlation_id=self.correlation_id
        )
