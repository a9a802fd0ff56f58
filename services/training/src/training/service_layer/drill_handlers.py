"""Handlers for drills and their after-action findings."""

from __future__ import annotations

import uuid

from cds_contracts.training import DrillConducted, FindingClosed, FindingRecorded
from training.domain import drills as rules
from training.domain.drills import Finding
from training.domain.errors import NotFoundError, RuleViolationError

from .class_handlers import require_known_units
from .commands import CloseFinding, RecordDrill, RecordFinding
from .unit_of_work import UnitOfWork


async def record_drill(uow: UnitOfWork, cmd: RecordDrill) -> str:
    drill_id = cmd.drill_id or f"DT-{uuid.uuid4().hex[:12].upper()}"
    unit_ids, officer_ids = rules.distinct(cmd.unit_ids), rules.distinct(cmd.officer_ids)
    await require_known_units(uow, list(unit_ids))
    unknown = await uow.directory.unknown_officers(list(officer_ids))
    if unknown:
        raise RuleViolationError(f"officer(s) {', '.join(unknown)} unknown to training")
    objectives = tuple(cmd.objectives)
    await uow.drills.insert(
        drill_id, cmd.title, cmd.scenario, cmd.format, cmd.held_on, cmd.plan_year, unit_ids, officer_ids, objectives
    )
    await uow.publish(
        DrillConducted(
            drill_id=drill_id,
            title=cmd.title,
            scenario=cmd.scenario,
            format=cmd.format,
            held_on=cmd.held_on,
            plan_year=cmd.plan_year,
            unit_ids=unit_ids,
            officer_ids=officer_ids,
            objectives=objectives,
        )
    )
    return drill_id


async def record_finding(uow: UnitOfWork, drill_id: str, cmd: RecordFinding) -> Finding:
    held_on = await uow.drills.held_on(drill_id)
    if held_on is None:
        raise NotFoundError(f"drill {drill_id} does not exist")
    rules.check_finding(held_on, cmd.due_on)
    await require_known_units(uow, [cmd.owner_unit_id])
    finding = Finding(f"PH-{uuid.uuid4().hex[:12].upper()}", drill_id, cmd.description, cmd.owner_unit_id, cmd.due_on)
    await uow.drills.add_finding(finding)
    await uow.publish(
        FindingRecorded(
            drill_id=drill_id,
            finding_id=finding.finding_id,
            description=finding.description,
            owner_unit_id=finding.owner_unit_id,
            due_on=finding.due_on,
        )
    )
    return finding


async def close_finding(uow: UnitOfWork, drill_id: str, finding_id: str, cmd: CloseFinding) -> None:
    held_on = await uow.drills.held_on(drill_id)
    if held_on is None:
        raise NotFoundError(f"drill {drill_id} does not exist")
    finding = rules.require_finding(drill_id, finding_id, await uow.drills.finding(finding_id, lock=True))
    finding.check_close(cmd.closed_on, held_on)
    await uow.drills.close_finding(finding_id, cmd.closed_on)
    await uow.publish(FindingClosed(drill_id=drill_id, finding_id=finding_id, closed_on=cmd.closed_on))
