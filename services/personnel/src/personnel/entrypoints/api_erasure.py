"""Erasure of a person's personal data on request (province_admin only; logged in the access log)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_plumbing.auth import Admin
from cds_plumbing.personal import EraseRequest
from personnel.service_layer import erasure

from .deps import uow
from .models import ErasureDone

router = APIRouter(prefix="/api/v1", tags=["personal data"])


@router.post("/officers/{officer_id}/erasure", response_model=ErasureDone)
async def erase_officer(officer_id: Id, cmd: EraseRequest, request: Request, who: Admin) -> dict[str, Any]:
    """Name, birth year, gender, destination and free-text notes become null here, and the officer's
    profile record on `personnel.officer-profile` is replaced by a tombstone, on which training and
    recruitment delete their copies (within seconds). Ids, units, dates and codes stay: no figure changes."""
    async with uow(request, who) as u:
        done = await erasure.erase_officer(u, officer_id, cmd, role=who.role.value, path=request.url.path)
    return asdict(done)


@router.post("/community-members/{member_id}/erasure", response_model=ErasureDone)
async def erase_member(member_id: Id, cmd: EraseRequest, request: Request, who: Admin) -> dict[str, Any]:
    """The member's name becomes null in every team; it never left personnel, so nothing else holds it."""
    async with uow(request, who) as u:
        done = await erasure.erase_member(u, member_id, cmd, role=who.role.value, path=request.url.path)
    return asdict(done)
