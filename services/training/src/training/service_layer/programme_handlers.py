"""Handlers for the programme catalogue and the yearly plans."""

from __future__ import annotations

import uuid

from cds_contracts.training import ProgrammeRegistered, TrainingPlanAdopted, TrainingPlanAmended
from training.domain import plans
from training.domain.errors import ConflictError, NotFoundError
from training.domain.plans import Plan
from training.domain.programmes import Programme, check_certificate_terms

from .commands import AdoptPlan, AmendPlan, RegisterProgramme
from .unit_of_work import UnitOfWork


async def load_programme(uow: UnitOfWork, programme_id: str) -> Programme:
    programme = await uow.programmes.get(programme_id)
    if programme is None:
        raise NotFoundError(f"programme {programme_id} does not exist")
    return programme


async def register_programme(uow: UnitOfWork, cmd: RegisterProgramme) -> Programme:
    programme_id = cmd.programme_id or f"PG-{uuid.uuid4().hex[:12].upper()}"
    if await uow.programmes.get(programme_id) is not None:
        raise ConflictError(f"programme id {programme_id} is already used")
    check_certificate_terms(cmd.issues_certificate, cmd.certificate_validity_months)
    programme = Programme(**{**cmd.model_dump(), "programme_id": programme_id})
    await uow.programmes.insert(programme)
    await uow.publish(ProgrammeRegistered(**{**cmd.model_dump(), "programme_id": programme_id}))
    return programme


async def adopt_plan(uow: UnitOfWork, cmd: AdoptPlan) -> Plan:
    plan = plans.adopt(cmd.year, cmd.targets, cmd.decision, await uow.plans.get(cmd.year, lock=True))
    await uow.plans.insert(plan)
    await uow.publish(
        TrainingPlanAdopted(plan_id=plan.plan_id, year=plan.year, targets=plan.targets, decision=plan.decision)
    )
    return plan


async def amend_plan(uow: UnitOfWork, year: int, cmd: AmendPlan) -> Plan:
    current = await uow.plans.get(year, lock=True)
    if current is None:
        raise NotFoundError(f"no training plan was adopted for {year}")
    plan = current.amend(cmd.targets, cmd.reason)
    await uow.plans.amend(plan, cmd.reason)
    await uow.publish(
        TrainingPlanAmended(
            plan_id=plan.plan_id, year=plan.year, revision=plan.revision, targets=plan.targets, reason=cmd.reason
        )
    )
    return plan
