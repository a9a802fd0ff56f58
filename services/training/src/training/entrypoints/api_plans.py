"""/api/v1/plans: yearly training plans, adopted once and amended with a reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request

from cds_plumbing.auth import Writer
from training.adapters import queries
from training.domain.errors import NotFoundError
from training.service_layer import programme_handlers as handlers
from training.service_layer.commands import AdoptPlan, AmendPlan

from .deps import pool, province_wide, uow

router = APIRouter(prefix="/api/v1/plans", tags=["plans"])
Year = Path(ge=2000, le=2100, description="Calendar year of the plan.")


@router.post("", status_code=201)
async def adopt(cmd: AdoptPlan, request: Request, who: Writer) -> dict[str, Any]:
    province_wide(who, "training plans")
    async with uow(request, who) as u:
        plan = await handlers.adopt_plan(u, cmd)
    return {"plan_id": plan.plan_id, "year": plan.year, "revision": plan.revision}


@router.post("/{year}/amendments", status_code=201)
async def amend(cmd: AmendPlan, request: Request, who: Writer, year: int = Year) -> dict[str, Any]:
    province_wide(who, "training plans")
    async with uow(request, who) as u:
        plan = await handlers.amend_plan(u, year, cmd)
    return {"plan_id": plan.plan_id, "year": plan.year, "revision": plan.revision}


@router.get("")
async def list_plans(request: Request) -> dict[str, Any]:
    items = await queries.list_plans(pool(request))
    return {"items": items, "total": len(items)}


@router.get("/{year}")
async def get_plan(request: Request, year: int = Year) -> dict[str, Any]:
    found = await queries.plan(pool(request), year)
    if found is None:
        raise NotFoundError(f"no training plan was adopted for {year}")
    return found
