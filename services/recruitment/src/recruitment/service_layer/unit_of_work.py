"""One database transaction per command: repositories and the outbox share it, so state and events
commit together or not at all. The personnel subscribers use `Repositories` on the consumer's own
transaction, so a hire outcome and its event also commit with the inbox record."""

from __future__ import annotations

from types import TracebackType
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from cds_contracts import Envelope, Event
from cds_plumbing.db import Connection
from cds_plumbing.outbox import append
from recruitment.adapters.applications_repo import ApplicationRepository
from recruitment.adapters.org_units_repo import OrgUnitRepository
from recruitment.adapters.plans_repo import PlanRepository
from recruitment.adapters.policies_repo import PolicyRepository
from recruitment.adapters.retention_repo import RetentionRepository
from recruitment.adapters.vacancies_repo import VacancyRepository

SOURCE = "/recruitment"


class Repositories:
    """Every repository on one connection, and the outbox in its transaction."""

    units: OrgUnitRepository
    plans: PlanRepository
    policies: PolicyRepository
    vacancies: VacancyRepository
    applications: ApplicationRepository
    retention: RetentionRepository

    def __init__(self, actor: str | None, correlation_id: UUID | None = None) -> None:
        self.actor = actor
        self.correlation_id = correlation_id
        self._conn: Connection | None = None

    def attach(self, conn: Connection) -> None:
        self._conn = conn
        self.units = OrgUnitRepository(conn)
        self.plans = PlanRepository(conn)
        self.policies = PolicyRepository(conn)
        self.vacancies = VacancyRepository(conn)
        self.applications = ApplicationRepository(conn)
        self.retention = RetentionRepository(conn)

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


def on_connection(conn: Connection, actor: str | None, correlation_id: UUID | None = None) -> Repositories:
    """Repositories on a connection whose transaction someone else (the consumer) owns."""
    repos = Repositories(actor, correlation_id)
    repos.attach(conn)
    return repos


class UnitOfWork(Repositories):
    def __init__(self, pool: asyncpg.Pool, actor: str | None, correlation_id: UUID | None = None) -> None:
        super().__init__(actor, correlation_id)
        self._pool = pool
        self._pooled: PoolConnectionProxy | None = None
        self._tx: Transaction | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._pooled = await self._pool.acquire()
        self._tx = self._pooled.transaction()
        await self._tx.start()
        self.attach(self._pooled)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tx is not None and self._pooled is not None
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self._pool.release(self._pooled)
