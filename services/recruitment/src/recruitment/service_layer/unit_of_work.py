"""Recruitment's unit of work: its repositories on the transaction the plumbing's UnitOfWork manages.
The personnel subscribers use `on_connection` inside the consumer's own transaction, so a hire outcome
and its event also commit with the inbox record."""

from __future__ import annotations

from uuid import UUID

from cds_plumbing.db import Connection
from cds_plumbing.unit_of_work import UnitOfWork as BaseUnitOfWork
from recruitment.adapters.applications_repo import ApplicationRepository
from recruitment.adapters.org_units_repo import OrgUnitRepository
from recruitment.adapters.plans_repo import PlanRepository
from recruitment.adapters.policies_repo import PolicyRepository
from recruitment.adapters.retention_repo import RetentionRepository
from recruitment.adapters.vacancies_repo import VacancyRepository


class UnitOfWork(BaseUnitOfWork):
    SOURCE = "/recruitment"
    units: OrgUnitRepository
    plans: PlanRepository
    policies: PolicyRepository
    vacancies: VacancyRepository
    applications: ApplicationRepository
    retention: RetentionRepository

    def attach(self, conn: Connection) -> None:
        super().attach(conn)
        self.units = OrgUnitRepository(conn)
        self.plans = PlanRepository(conn)
        self.policies = PolicyRepository(conn)
        self.vacancies = VacancyRepository(conn)
        self.applications = ApplicationRepository(conn)
        self.retention = RetentionRepository(conn)


Repositories = UnitOfWork
"""Handlers that work both in a command and in a consumer's transaction take this name."""


def on_connection(conn: Connection, actor: str | None, correlation_id: UUID | None = None) -> UnitOfWork:
    """Repositories on a connection whose transaction someone else (the consumer) owns."""
    return UnitOfWork.joined(conn, actor, correlation_id)
