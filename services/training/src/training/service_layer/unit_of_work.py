"""One database transaction per command: repositories and the outbox share it, so state and events
commit together or not at all."""

from __future__ import annotations

from types import TracebackType
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from cds_contracts import Envelope, Event
from cds_plumbing.outbox import append, append_many
from training.adapters.classes_repo import ClassRepository
from training.adapters.directory_repo import DirectoryRepository
from training.adapters.drills_repo import DrillRepository
from training.adapters.plans_repo import PlanRepository
from training.adapters.programmes_repo import ProgrammeRepository

SOURCE = "/training"


class UnitOfWork:
    programmes: ProgrammeRepository
    plans: PlanRepository
    classes: ClassRepository
    drills: DrillRepository
    directory: DirectoryRepository

    def __init__(self, pool: asyncpg.Pool, actor: str | None, correlation_id: UUID | None = None) -> None:
        self._pool = pool
        self.actor = actor
        self.correlation_id = correlation_id
        self._conn: PoolConnectionProxy | None = None
        self._tx: Transaction | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._pool.acquire()
        self._tx = self._conn.transaction()
        await self._tx.start()
        self.programmes = ProgrammeRepository(self._conn)
        self.plans = PlanRepository(self._conn)
        self.classes = ClassRepository(self._conn)
        self.drills = DrillRepository(self._conn)
        self.directory = DirectoryRepository(self._conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tx is not None and self._conn is not None
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self._pool.release(self._conn)

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
