"""/api/v1/staffing-plans: a unit's quotas per function for a year, within its parent's plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from cds_contracts.bounds import Id, Year
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from recruitment.adapters import queries
from recruitment.domain.errors import NotFoundError
from recruitment.service_layer import plan_handlers as handlers
from recruitment.service_layer.commands import SetStaffingPlan

from .deps import pool, scoped, uow

router = APIRouter(prefix="/api/v1/staffing-plans", tags=["staffing plans"])
PlanYear = Annotated[int, Path(ge=2000, le=2100)]


@router.put("/{unit_id}/{year}")
async def set_plan(unit_id: Id, year: PlanYear, cmd: SetStaffingPlan, request: Request, who: Writer) -> dict[str, Any]:
    await scoped(request, who, unit_id)
    async with uow(request, who) as u:
        await handlers.set_staffing_plan(u, unit_id, year, cmd)
    return await get_plan(unit_id, year, request)


@router.get("")
async def list_plans(
    request: Request, unit_id: Id | None = None, year: Year | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    items, total = await queries.list_plans(pool(request), unit_id, year, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{unit_id}/{year}")
async def get_plan(unit_id: Id, year: PlanYear, request: Request) -> dict[str, Any]:
    plan = await queries.plan(pool(request), unit_id, year)
    if plan is None:
        raise NotFoundError(f"unit {unit_id} has no staffing plan for {year}")
    return plan
