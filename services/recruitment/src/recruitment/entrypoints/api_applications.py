"""/api/v1/applications: submit with the candidate's data, move through the pipeline, hire; /api/v1/hires:
hires and personnel's answers (`?status=refused` lists the failed ones). Candidate data are personal
fields: see entrypoints.models."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_contracts.recruitment import Stage
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from recruitment.adapters import queries
from recruitment.domain.errors import NotFoundError
from recruitment.service_layer import application_handlers as handlers
from recruitment.service_layer.commands import ChangeStage, HireCandidate, SubmitApplication

from .deps import Reader, pool, scoped, uow
from .models import ApplicationDetail, ApplicationPage

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
hires = APIRouter(prefix="/api/v1/hires", tags=["applications"])
HireStatus = Literal["pending", "appointed", "refused"]


async def _scope_application(request: Request, who: Writer, application_id: Id) -> None:
    unit_id = await queries.unit_of_application(pool(request), application_id)
    if unit_id is None:
        raise NotFoundError(f"application {application_id} does not exist")
    await scoped(request, who, unit_id)


@router.post("", status_code=201)
async def submit(cmd: SubmitApplication, request: Request, who: Writer) -> dict[str, str]:
    unit_id = await queries.unit_of_vacancy(pool(request), cmd.vacancy_id)
    if unit_id is None:
        raise NotFoundError(f"vacancy {cmd.vacancy_id} does not exist")
    await scoped(request, who, unit_id)
    async with uow(request, who) as u:
        application_id = await handlers.submit_application(u, cmd)
    return {"application_id": application_id, "stage": "applied"}


@router.get("", response_model=ApplicationPage)
async def list_applications(
    request: Request,
    who: Reader,
    vacancy_id: Id | None = None,
    stage: Stage | None = None,
    hire_status: HireStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_applications(pool(request), vacancy_id, stage, hire_status, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{application_id}", response_model=ApplicationDetail)
async def get_application(application_id: Id, request: Request, who: Reader) -> dict[str, Any]:
    application = await queries.application(pool(request), application_id)
    if application is None:
        raise NotFoundError(f"application {application_id} does not exist")
    return application


@router.post("/{application_id}/stage")
async def change_stage(application_id: Id, cmd: ChangeStage, request: Request, who: Writer) -> dict[str, str]:
    await _scope_application(request, who, application_id)
    async with uow(request, who) as u:
        stage = await handlers.change_stage(u, application_id, cmd)
    return {"application_id": application_id, "stage": stage}


@router.post("/{application_id}/hire", status_code=202)
async def hire(application_id: Id, cmd: HireCandidate, request: Request, who: Writer) -> dict[str, str]:
    """Accepted → hired. Personnel appoints the officer asynchronously; watch `hire_status` on the application."""
    await _scope_application(request, who, application_id)
    async with uow(request, who) as u:
        await handlers.hire(u, application_id, cmd)
    return {"application_id": application_id, "stage": "hired", "hire_status": "pending"}


@hires.get("")
async def list_hires(
    request: Request,
    status: HireStatus | None = None,
    unit_id: Id | None = None,
    vacancy_id: Id | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_hires(pool(request), status, unit_id, vacancy_id, limit, offset)
    return page(items, total, limit, offset)
