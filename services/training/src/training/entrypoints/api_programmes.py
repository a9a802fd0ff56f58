"""/api/v1/programmes: the programme catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_contracts.training import ProgrammeKind
from cds_plumbing.auth import Writer
from training.adapters import queries
from training.domain.errors import NotFoundError
from training.service_layer import programme_handlers as handlers
from training.service_layer.commands import RegisterProgramme

from .deps import pool, province_wide, uow

router = APIRouter(prefix="/api/v1/programmes", tags=["programmes"])


@router.post("", status_code=201)
async def register(cmd: RegisterProgramme, request: Request, who: Writer) -> dict[str, Any]:
    province_wide(who, "the programme catalogue")
    async with uow(request, who) as u:
        p = await handlers.register_programme(u, cmd)
    return {"programme_id": p.programme_id, "advanced": p.advanced}


@router.get("")
async def list_programmes(request: Request, kind: ProgrammeKind | None = None) -> dict[str, Any]:
    items = await queries.list_programmes(pool(request), kind)
    return {"items": items, "total": len(items)}


@router.get("/{programme_id}")
async def get_programme(programme_id: Id, request: Request) -> dict[str, Any]:
    found = await queries.programme(pool(request), programme_id)
    if found is None:
        raise NotFoundError(f"programme {programme_id} does not exist")
    return found
