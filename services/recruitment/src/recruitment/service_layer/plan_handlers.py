"""Handlers for staffing plans: a unit's quotas per function for a year, within the plan of its nearest
ancestor that has one for that year."""

from __future__ import annotations

import datetime as dt

from cds_contracts.recruitment import StaffingPlanSet
from recruitment.domain import plans as rules
from recruitment.domain.errors import NotFoundError, RuleViolationError

from .commands import SetStaffingPlan
from .unit_of_work import UnitOfWork


async def set_staffing_plan(uow: UnitOfWork, unit_id: str, year: int, cmd: SetStaffingPlan) -> None:
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise NotFoundError(f"unit {unit_id} is not known to recruitment (not registered in personnel)")
    first_day = dt.date(year, 1, 1)
    if unit.ceased_on is not None and unit.ceased_on <= first_day:
        raise RuleViolationError(f"unit {unit_id} ceased on {unit.ceased_on}, before {year}")
    await uow.plans.lock(year)
    # Bound by the nearest ancestor with a plan for the year, and binding the nearest planned sub-units,
    # however many levels without a plan lie between (walked in recruitment's copy of the unit tree).
    above = await uow.plans.nearest_planned_ancestor(unit_id, year)
    if above is not None:
        ancestor_id, depth, ancestor = above
        relation = "parent" if depth == 1 else "ancestor"
        rules.check_within_parent(unit_id, year, cmd.quotas, ancestor_id, ancestor, relation)
    below = await uow.plans.nearest_planned_descendants(unit_id, year, first_day)
    rules.check_above_children(unit_id, year, cmd.quotas, below)
    await uow.plans.put(unit_id, year, cmd.quotas)
    await uow.publish(
        StaffingPlanSet(plan_id=rules.plan_id(unit_id, year), unit_id=unit_id, year=year, quotas=cmd.quotas)
    )
