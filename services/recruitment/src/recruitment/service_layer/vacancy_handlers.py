"""Handlers for vacancies: open with the incentive policies offered, close (cancelled or expired)."""

from __future__ import annotations

import uuid

from cds_contracts.recruitment import VacancyClosed, VacancyOpened
from cds_plumbing import clock
from recruitment.domain import vacancies as rules
from recruitment.domain.errors import ConflictError, NotFoundError, RuleViolationError
from recruitment.domain.vacancies import Vacancy

from .commands import CloseVacancy, OpenVacancy
from .unit_of_work import Repositories, UnitOfWork


def new_vacancy_id() -> str:
    return f"VC-{uuid.uuid4().hex[:12].upper()}"


async def load_vacancy(repos: Repositories, vacancy_id: str, *, lock: bool = True) -> Vacancy:
    vacancy = await repos.vacancies.get(vacancy_id, lock=lock)
    if vacancy is None:
        raise NotFoundError(f"vacancy {vacancy_id} does not exist")
    return vacancy


async def open_vacancy(uow: UnitOfWork, cmd: OpenVacancy) -> str:
    vacancy_id = cmd.vacancy_id or new_vacancy_id()
    if await uow.vacancies.exists(vacancy_id):
        raise ConflictError(f"vacancy id {vacancy_id} is already used")
    unit = await uow.units.get(cmd.unit_id)
    if unit is None:
        raise RuleViolationError(f"unit {cmd.unit_id} is not known to recruitment (not registered in personnel)")
    if not unit.exists_on(cmd.opened_on):
        raise RuleViolationError(f"unit {cmd.unit_id} does not exist on {cmd.opened_on}")
    rules.check_dates(cmd.opened_on, cmd.closes_on)
    policy_ids = list(dict.fromkeys(cmd.policy_ids))
    missing = sorted(set(policy_ids) - await uow.policies.existing_ids(policy_ids))
    if missing:
        raise RuleViolationError(f"incentive policy {', '.join(missing)} does not exist")
    vacancy = Vacancy(
        vacancy_id,
        cmd.unit_id,
        cmd.function,
        cmd.positions,
        cmd.opened_on,
        cmd.closes_on,
        "open",
        None,
        tuple(policy_ids),
    )
    await uow.vacancies.insert(vacancy, cmd.title)
    await uow.publish(
        VacancyOpened(
            vacancy_id=vacancy_id,
            unit_id=cmd.unit_id,
            function=cmd.function,
            positions=cmd.positions,
            policy_ids=vacancy.policy_ids,
            opened_on=cmd.opened_on,
            closes_on=cmd.closes_on,
        )
    )
    return vacancy_id


async def close_vacancy(uow: UnitOfWork, vacancy_id: str, cmd: CloseVacancy) -> None:
    vacancy = await load_vacancy(uow, vacancy_id)
    day = cmd.closed_on or clock.today()
    rules.check_close(vacancy, cmd.outcome, day)
    await uow.vacancies.close(vacancy_id, cmd.outcome, day)
    await uow.publish(VacancyClosed(vacancy_id=vacancy_id, closed_on=day, outcome=cmd.outcome))
