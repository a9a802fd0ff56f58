"""Request-scoped helpers shared by the routers."""

from __future__ import annotations

import asyncpg
from fastapi import HTTPException, Request, status

from cds_plumbing.auth import Principal, Role, ensure_unit_scope
from training.service_layer.unit_of_work import UnitOfWork


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool  # type: ignore[no-any-return]


def uow(request: Request, who: Principal) -> UnitOfWork:
    return UnitOfWork(pool(request), actor=who.subject)


async def scoped(request: Request, who: Principal, *unit_ids: str) -> None:
    """403 unless the caller may change data of every unit named."""
    for unit_id in unit_ids:
        await ensure_unit_scope(request, who, unit_id)


def province_wide(who: Principal, what: str) -> None:
    """403 unless the caller is a province admin: the catalogue and the yearly plans belong to no one unit."""
    if who.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"only a province_admin may change {what}")
