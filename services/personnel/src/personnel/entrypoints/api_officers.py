"""/api/v1/officers: appoint, change, transfer, depart, correct and query CĐS officers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_contracts.personnel_officers import Assignment, OfficerFunction
from cds_plumbing.auth import Principal, Writer, may_change_every_unit
from cds_plumbing.http import Limit, Offset, page
from personnel.adapters import queries
from personnel.domain.errors import NotFoundError
from personnel.service_layer import officer_handlers as handlers
from personnel.service_layer.commands import (
    AddCertificate,
    AddQualification,
    AppointOfficer,
    ChangeAssignment,
    CorrectOfficer,
    RecordDeparture,
    TransferOfficer,
)

from .deps import AsOf, day, pool, scoped, uow
from .models import OfficerDetail, OfficerPage

router = APIRouter(prefix="/api/v1/officers", tags=["officers"])


async def _unit_of(request: Request, officer_id: Id) -> str:
    unit = await queries.officer_unit(pool(request), officer_id)
    if unit is None:
        raise NotFoundError(f"officer {officer_id} does not exist")
    return unit


async def _scoped_to_officer(request: Request, who: Principal, officer_id: Id, *more_units: str) -> None:
    """403 unless the caller may change data of the officer's unit (and of `more_units`). A province admin
    may change every unit's: the lookup is skipped, and the handler answers 404 for an unknown officer."""
    if not may_change_every_unit(who):
        await scoped(request, who, await _unit_of(request, officer_id), *more_units)


@router.post("", status_code=201)
async def appoint(cmd: AppointOfficer, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, cmd.unit_id)
    async with uow(request, who) as u:
        officer = await handlers.appoint_officer(u, cmd)
    return {"officer_id": officer.officer_id}


@router.get("", response_model=OfficerPage)
async def list_officers(
    request: Request,
    as_of: AsOf = None,
    unit_id: Id | None = None,
    assignment: Assignment | None = None,
    function: OfficerFunction | None = None,
    status: Literal["serving", "departed", "all"] = "serving",
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_officers(
        pool(request), day(as_of), unit_id, assignment, function, status, limit, offset
    )
    return page(items, total, limit, offset)


@router.get("/{officer_id}", response_model=OfficerDetail)
async def get_officer(officer_id: Id, request: Request) -> dict[str, Any]:
    officer = await queries.officer(pool(request), officer_id)
    if officer is None:
        raise NotFoundError(f"officer {officer_id} does not exist")
    return officer


@router.post("/{officer_id}/assignment")
async def change_assignment(officer_id: Id, cmd: ChangeAssignment, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_officer(request, who, officer_id)
    async with uow(request, who) as u:
        await handlers.change_assignment(u, officer_id, cmd)
    return {"officer_id": officer_id}


@router.post("/{officer_id}/transfer")
async def transfer(officer_id: Id, cmd: TransferOfficer, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_officer(request, who, officer_id, cmd.to_unit_id)
    async with uow(request, who) as u:
        await handlers.transfer_officer(u, officer_id, cmd)
    return {"officer_id": officer_id}


@router.post("/{officer_id}/qualifications", status_code=201)
async def add_qualification(officer_id: Id, cmd: AddQualification, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_officer(request, who, officer_id)
    async with uow(request, who) as u:
        await handlers.add_qualification(u, officer_id, cmd)
    return {"officer_id": officer_id}


@router.post("/{officer_id}/certificates", status_code=201)
async def add_certificate(officer_id: Id, cmd: AddCertificate, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_officer(request, who, officer_id)
    async with uow(request, who) as u:
        certificate_id = await handlers.add_certificate(u, officer_id, cmd)
    return {"officer_id": officer_id, "certificate_id": certificate_id}


@router.post("/{officer_id}/departure")
async def depart(officer_id: Id, cmd: RecordDeparture, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_officer(request, who, officer_id)
    async with uow(request, who) as u:
        await handlers.record_departure(u, officer_id, cmd)
    return {"officer_id": officer_id}


@router.post("/{officer_id}/corrections")
async def correct(officer_id: Id, cmd: CorrectOfficer, request: Request, who: Writer) -> dict[str, str]:
    await _scoped_to_officer(request, who, officer_id)
    async with uow(request, who) as u:
        await handlers.correct_officer(u, officer_id, cmd)
    return {"officer_id": officer_id}
