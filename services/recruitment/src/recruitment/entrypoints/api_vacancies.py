"""/api/v1/vacancies: open, list, inspect (applications per stage) and close vacancies."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id
from cds_contracts.recruitment import PositionFunction
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from recruitment.adapters import queries
from recruitment.domain.errors import NotFoundError
from recruitment.service_layer import vacancy_handlers as handlers
from recruitment.service_layer.commands import CloseVacancy, OpenVacancy

from .deps import pool, scoped, uow

router = APIRouter(prefix="/api/v1/vacancies", tags=["vacancies"])


@router.post("", status_code=201)
async def open_vacancy(cmd: OpenVacancy, request: Request, who: Writer) -> dict[str, str]:
    await scoped(request, who, cmd.unit_id)
    async with uow(request, who) as u:
        vacancy_id = await handlers.open_vacancy(u, cmd)
    return {"vacancy_id": vacancy_id}


@router.get("")
async def list_vacancies(
    request: Request,
    status: Literal["open", "filled", "cancelled", "expired"] | None = None,
    unit_id: Id | None = None,
    function: PositionFunction | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_vacancies(pool(request), status, unit_id, function, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{vacancy_id}")
async def get_vacancy(vacancy_id: Id, request: Request) -> dict[str, Any]:
    vacancy = await queries.vacancy(pool(request), vacancy_id)
    if vacancy is None:
        raise NotFoundError(f"vacancy {vacancy_id} does not exist")
    return vacancy


@router.post("/{vacancy_id}/close")
async def close_vacancy(vacancy_id: Id, cmd: CloseVacancy, request: Request, who: Writer) -> dict[str, Any]:
    unit_id = await queries.unit_of_vacancy(pool(request), vacancy_id)
    if unit_id is None:
        raise NotFoundError(f"vacancy {vacancy_id} does not exist")
    await scoped(request, who, unit_id)
    async with uow(request, who) as u:
        await handlers.close_vacancy(u, vacancy_id, cmd)
    return await get_vacancy(vacancy_id, request)
