"""Read-only views of training's own knowledge: officers (with their training record), units, certificates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_plumbing.http import Limit, Offset, page
from training.adapters import queries
from training.domain.errors import NotFoundError

from .deps import pool
from .models import KnownOfficer

router = APIRouter(prefix="/api/v1", tags=["officers"])


@router.get("/officers/{officer_id}", response_model=KnownOfficer)
async def get_officer(officer_id: Id, request: Request) -> dict[str, Any]:
    """The officer as training knows them from personnel's events, with classes and certificates."""
    found = await queries.known_officer(pool(request), officer_id)
    if found is None:
        raise NotFoundError(f"officer {officer_id} is unknown to training")
    return found


@router.get("/units/{unit_id}")
async def get_unit(unit_id: Id, request: Request) -> dict[str, Any]:
    found = await queries.known_unit(pool(request), unit_id)
    if found is None:
        raise NotFoundError(f"unit {unit_id} is unknown to training")
    return found


@router.get("/certificates")
async def list_certificates(
    request: Request,
    officer_id: Id | None = None,
    class_id: Id | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_certificates(pool(request), officer_id, class_id, limit, offset)
    return page(items, total, limit, offset)
