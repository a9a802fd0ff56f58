"""Request-scoped helpers shared by the routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import asyncpg
from fastapi import Query, Request

from cds_contracts.bounds import Day
from cds_plumbing import clock
from cds_plumbing.auth import Principal, ensure_unit_scope
from personnel.service_layer.unit_of_work import UnitOfWork

AsOf = Annotated[Day | None, Query(description="Date the answer is valid on (YYYY-MM-DD); today when omitted.")]


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool  # type: ignore[no-any-return]


def uow(request: Request, who: Principal) -> UnitOfWork:
    return UnitOfWork(pool(request), actor=who.subject)


async def scoped(request: Request, who: Principal, *unit_ids: str) -> None:
    """403 unless the caller may change data of every unit named."""
    for unit_id in unit_ids:
        await ensure_unit_scope(request, who, unit_id)


def day(as_of: dt.date | None) -> dt.date:
    """The day a dated answer is for: `as_of`, or today in the province (not on the machine's clock, which
    would still say yesterday between 00:00 and 07:00 in Vietnam)."""
    return as_of or clock.today()
