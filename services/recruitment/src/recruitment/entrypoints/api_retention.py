"""/api/v1/exit-interviews: interviews with officers whose departure personnel recorded;
/api/v1/departures: recruitment's read model of those departures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Id, Year
from cds_contracts.recruitment import ExitReason
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from recruitment.adapters import queries
from recruitment.domain.errors import NotFoundError
from recruitment.service_layer import retention_handlers as handlers
from recruitment.service_layer.commands import RecordExitInterview

from .deps import Reader, pool, scoped, uow
from .models import DeparturePage, DepartureRecord, ExitInterviewPage

router = APIRouter(prefix="/api/v1/exit-interviews", tags=["retention"])
departures = APIRouter(prefix="/api/v1/departures", tags=["retention"])


@router.post("", status_code=201)
async def record(cmd: RecordExitInterview, request: Request, who: Writer) -> dict[str, str]:
    departure = await queries.departure(pool(request), cmd.officer_id)
    if departure is None:
        raise NotFoundError(f"no departure of officer {cmd.officer_id} is known (recorded in personnel)")
    await scoped(request, who, departure["unit_id"])
    async with uow(request, who) as u:
        interview_id = await handlers.record_exit_interview(u, cmd)
    return {"interview_id": interview_id, "officer_id": cmd.officer_id}


@router.get("", response_model=ExitInterviewPage)
async def list_interviews(
    request: Request,
    who: Reader,  # free-text notes about a named officer: readers must identify themselves
    unit_id: Id | None = None,
    reason: ExitReason | None = None,
    year: Year | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_exit_interviews(pool(request), unit_id, reason, year, limit, offset)
    return page(items, total, limit, offset)


@departures.get("", response_model=DeparturePage)
async def list_departures(
    request: Request,
    unit_id: Id | None = None,
    interviewed: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await queries.list_departures(pool(request), unit_id, interviewed, limit, offset)
    return page(items, total, limit, offset)


@departures.get("/{officer_id}", response_model=DepartureRecord)
async def get_departure(officer_id: Id, request: Request) -> dict[str, Any]:
    departure = await queries.departure(pool(request), officer_id)
    if departure is None:
        raise NotFoundError(f"no departure of officer {officer_id} is known")
    return departure
