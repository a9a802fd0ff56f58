"""/api/v1/drills: cyber drills and exercises with their after-action findings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id, Year
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from training.adapters import queries
from training.domain.errors import NotFoundError
from training.service_layer import drill_handlers as handlers
from training.service_layer.commands import CloseFinding, RecordDrill, RecordFinding

from .deps import pool, scoped, uow

router = APIRouter(prefix="/api/v1/drills", tags=["drills"])


@router.post("", status_code=201)
async def record(cmd: RecordDrill, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, *cmd.unit_ids)
    async with uow(request, who) as u:
        drill_id = await handlers.record_drill(u, cmd)
    return {"drill_id": drill_id}


@router.get("")
async def list_drills(
    request: Request, plan_year: Year | None = None, unit_id: Id | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    items, total = await queries.list_drills(pool(request), plan_year, unit_id, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{drill_id}")
async def get_drill(drill_id: Id, request: Request) -> dict[str, Any]:
    found = await queries.drill(pool(request), drill_id)
    if found is None:
        raise NotFoundError(f"drill {drill_id} does not exist")
    return found


@router.post("/{drill_id}/findings", status_code=201)
async def record_finding(drill_id: Id, cmd: RecordFinding, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, cmd.owner_unit_id)
    async with uow(request, who) as u:
        finding = await handlers.record_finding(u, drill_id, cmd)
    return {"drill_id": drill_id, "finding_id": finding.finding_id, "status": "open"}


@router.post("/{drill_id}/findings/{finding_id}/close")
async def close_finding(
    drill_id: Id, finding_id: Id, cmd: CloseFinding, request: Request, who: Writer
) -> dict[str, str]:
    found = await queries.drill(pool(request), drill_id)
    owner = next((f["owner_unit_id"] for f in (found or {}).get("findings", []) if f["finding_id"] == finding_id), None)
    if owner is None:
        raise NotFoundError(f"drill {drill_id} has no finding {finding_id}")
    await scoped(request, who, str(owner))
    async with uow(request, who) as u:
        await handlers.close_finding(u, drill_id, finding_id, cmd)
    return {"drill_id": drill_id, "finding_id": finding_id, "status": "closed"}
