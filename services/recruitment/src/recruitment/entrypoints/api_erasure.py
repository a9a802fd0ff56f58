"""Erasure of a candidate's personal data on request (province_admin only; logged in the access log)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_plumbing.auth import Admin
from cds_plumbing.personal import EraseRequest
from recruitment.service_layer import erasure

from .deps import uow
from .models import ErasureDone

router = APIRouter(prefix="/api/v1", tags=["personal data"])


@router.post("/candidates/{candidate_id}/erasure", response_model=ErasureDone)
async def erase_candidate(candidate_id: Id, cmd: EraseRequest, request: Request, who: Admin) -> dict[str, Any]:
    """Name, birth year, gender, e-mail, phone, degree and the stage reasons become null; a hired
    candidate's profile record on `recruitment.candidate-profile` is replaced by a tombstone. Applications,
    stages and dates stay, so the pipeline figures do not change. (The officer a hire became is erased in
    personnel, which also erases this candidate record.)"""
    async with uow(request, who) as u:
        done = await erasure.erase_candidate(u, candidate_id, cmd, role=who.role.value, path=request.url.path)
    return asdict(done)
