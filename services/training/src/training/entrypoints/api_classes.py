"""/api/v1/classes: schedule, start, complete, cancel; enrol, withdraw, attendance and results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id, Year
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from training.adapters import queries
from training.domain.classes import ClassStatus
from training.domain.errors import NotFoundError
from training.service_layer import class_handlers as handlers
from training.service_layer.commands import (
    CancelClass,
    CompleteClass,
    Enrol,
    RecordAttendance,
    RecordResults,
    ScheduleClass,
    StartClass,
    Withdraw,
)

from .deps import pool, scoped, uow
from .models import TrainingClass

router = APIRouter(prefix="/api/v1/classes", tags=["classes"])


async def _organiser(request: Request, who: Writer, class_id: Id) -> None:
    """404 for an unknown class, 403 unless the caller may write for its organiser unit."""
    found = await queries.training_class(pool(request), class_id)
    if found is None:
        raise NotFoundError(f"class {class_id} does not exist")
    await scoped(request, who, str(found["organiser_unit_id"]))


@router.post("", status_code=201)
async def schedule(cmd: ScheduleClass, request: Request, who: Writer) -> dict[str, Any]:
    await scoped(request, who, cmd.organiser_unit_id)
    async with uow(request, who) as u:
        c = await handlers.schedule_class(u, cmd)
    return {"class_id": c.class_id, "status": c.status, "advanced": c.advanced}


@router.get("")
async def list_classes(
    request: Request,
    status: ClassStatus | None = None,
    plan_year: Year | None = None,
    organiser_unit_id: Id | None = None,
    programme_id: Id | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_classes(
        pool(request), status, plan_year, organiser_unit_id, programme_id, limit, offset
    )
    return page(items, total, limit, offset)


@router.get("/{class_id}", response_model=TrainingClass)
async def get_class(class_id: Id, request: Request) -> dict[str, Any]:
    found = await queries.training_class(pool(request), class_id)
    if found is None:
        raise NotFoundError(f"class {class_id} does not exist")
    return found


@router.post("/{class_id}/start")
async def start(class_id: Id, cmd: StartClass, request: Request, who: Writer) -> dict[str, str]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        await handlers.start_class(u, class_id, cmd)
    return {"class_id": class_id, "status": "running"}


@router.post("/{class_id}/complete")
async def complete(class_id: Id, cmd: CompleteClass, request: Request, who: Writer) -> dict[str, str]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        await handlers.complete_class(u, class_id, cmd)
    return {"class_id": class_id, "status": "completed"}


@router.post("/{class_id}/cancel")
async def cancel(class_id: Id, cmd: CancelClass, request: Request, who: Writer) -> dict[str, str]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        await handlers.cancel_class(u, class_id, cmd)
    return {"class_id": class_id, "status": "cancelled"}


@router.post("/{class_id}/enrolments", status_code=201)
async def enrol(class_id: Id, cmd: Enrol, request: Request, who: Writer) -> dict[str, Any]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        e = await handlers.enrol(u, class_id, cmd)
    return {"class_id": class_id, "officer_id": e.officer_id, "unit_id": e.unit_id, "level": e.level}


@router.post("/{class_id}/enrolments/{officer_id}/withdraw")
async def withdraw(class_id: Id, officer_id: Id, cmd: Withdraw, request: Request, who: Writer) -> dict[str, str]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        await handlers.withdraw(u, class_id, officer_id, cmd)
    return {"class_id": class_id, "officer_id": officer_id, "status": "withdrawn"}


@router.post("/{class_id}/attendance", status_code=201)
async def attendance(class_id: Id, cmd: RecordAttendance, request: Request, who: Writer) -> dict[str, Any]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        recorded = await handlers.record_attendance(u, class_id, cmd)
    return {"class_id": class_id, "session_on": cmd.session_on, "recorded": recorded}


@router.post("/{class_id}/results", status_code=201)
async def results(class_id: Id, cmd: RecordResults, request: Request, who: Writer) -> dict[str, Any]:
    await _organiser(request, who, class_id)
    async with uow(request, who) as u:
        recorded = await handlers.record_results(u, class_id, cmd)
    return {"class_id": class_id, "results": recorded}
