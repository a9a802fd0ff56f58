"""/api/v1/units: register, reorganise and query the dated org-unit tree."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from cds_contracts.bounds import Id, Line
from cds_contracts.personnel_org_units import UnitKind, UnitLevel
from cds_plumbing.auth import Principal, Role, Writer
from cds_plumbing.http import Limit, Offset, page
from personnel.adapters import queries
from personnel.domain.errors import NotFoundError
from personnel.service_layer import unit_handlers as handlers
from personnel.service_layer.commands import DissolveUnit, MergeUnits, MoveUnit, RegisterUnit, RenameUnit, SplitUnit

from .deps import AsOf, day, pool, scoped, uow

router = APIRouter(prefix="/api/v1/units", tags=["org units"])


def _within_scope_only(who: Principal, unit_id: str, parent_id: str | None) -> None:
    """A unit editor's units stay under its scope root: no unit of its own without a parent, and the root
    itself never moves (it could only go outside the subtree, or under itself)."""
    if who.role is not Role.UNIT_EDITOR:
        return
    if parent_id is None:
        raise HTTPException(403, detail=f"a unit_editor cannot put unit {unit_id!r} at the top of the tree")
    if unit_id == who.unit:
        raise HTTPException(403, detail=f"a unit_editor cannot move its own scope unit {unit_id!r}")


@router.post("", status_code=201)
async def register_unit(cmd: RegisterUnit, request: Request, who: Writer) -> dict[str, Any]:
    if who.role is Role.UNIT_EDITOR and cmd.parent_id is None:
        raise HTTPException(403, detail=f"a unit_editor cannot register {cmd.unit_id!r} at the top of the tree")
    await scoped(request, who, cmd.parent_id or cmd.unit_id)
    async with uow(request, who) as u:
        version = await handlers.register_unit(u, cmd)
    return {"unit_id": version.unit_id}


@router.get("")
async def list_units(
    request: Request,
    as_of: AsOf = None,
    kind: UnitKind | None = None,
    level: UnitLevel | None = None,
    parent_id: Id | None = None,
    q: Annotated[Line | None, Query(max_length=100, description="Part of the name or code (case-insensitive).")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_units(pool(request), day(as_of), kind, level, parent_id, q, limit, offset)
    return page(items, total, limit, offset)


@router.get("/tree")
async def unit_tree(request: Request, as_of: AsOf = None) -> dict[str, Any]:
    on = day(as_of)
    return {"as_of": on, "roots": await queries.unit_tree(pool(request), on)}


@router.get("/{unit_id}")
async def get_unit(unit_id: Id, request: Request) -> dict[str, Any]:
    unit = await queries.unit_history(pool(request), unit_id)
    if unit is None:
        raise NotFoundError(f"unit {unit_id} does not exist")
    return unit


@router.get("/{unit_id}/history")
async def unit_history(unit_id: Id, request: Request) -> dict[str, Any]:
    return await get_unit(unit_id, request)


@router.post("/{unit_id}/rename")
async def rename_unit(unit_id: Id, cmd: RenameUnit, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, unit_id)
    async with uow(request, who) as u:
        await handlers.rename_unit(u, unit_id, cmd)
    return {"unit_id": unit_id}


@router.post("/{unit_id}/move")
async def move_unit(unit_id: Id, cmd: MoveUnit, request: Request, who: Writer) -> dict[str, str]:
    _within_scope_only(who, unit_id, cmd.parent_id)
    await scoped(request, who, unit_id, *([cmd.parent_id] if cmd.parent_id else []))
    async with uow(request, who) as u:
        await handlers.move_unit(u, unit_id, cmd)
    return {"unit_id": unit_id}


@router.post("/merge")
async def merge_units(cmd: MergeUnits, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, cmd.successor_id, *cmd.predecessor_ids)
    async with uow(request, who) as u:
        await handlers.merge_units(u, cmd)
    return {"unit_id": cmd.successor_id}


@router.post("/{unit_id}/split")
async def split_unit(unit_id: Id, cmd: SplitUnit, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, unit_id, *cmd.successor_ids)
    async with uow(request, who) as u:
        await handlers.split_unit(u, unit_id, cmd)
    return {"unit_id": unit_id}


@router.post("/{unit_id}/dissolve")
async def dissolve_unit(unit_id: Id, cmd: DissolveUnit, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, unit_id)
    async with uow(request, who) as u:
        await handlers.dissolve_unit(u, unit_id, cmd)
    return {"unit_id": unit_id}
