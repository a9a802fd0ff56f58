"""/api/v1/org-units: recruitment's read model of personnel's org units (what plan limits and scopes use)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_plumbing.http import Limit, Offset, page
from recruitment.adapters import queries
from recruitment.domain.errors import NotFoundError

from .deps import pool

router = APIRouter(prefix="/api/v1/org-units", tags=["org units (from personnel)"])


@router.get("")
async def list_units(
    request: Request, parent_id: Id | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    items, total = await queries.list_units(pool(request), parent_id, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{unit_id}")
async def get_unit(unit_id: Id, request: Request) -> dict[str, Any]:
    unit = await queries.unit(pool(request), unit_id)
    if unit is None:
        raise NotFoundError(f"unit {unit_id} is not known to recruitment")
    return unit
