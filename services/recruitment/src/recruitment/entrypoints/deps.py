"""Request-scoped helpers shared by the routers."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, Request, status

from cds_plumbing.auth import Principal, Role, current_principal, ensure_unit_scope
from recruitment.service_layer.unit_of_work import UnitOfWork

Reader = Annotated[Principal, Depends(current_principal)]
"""Any authenticated role: for reads that show candidates' personal data."""


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool  # type: ignore[no-any-return]


def uow(request: Request, who: Principal) -> UnitOfWork:
    return UnitOfWork(pool(request), actor=who.subject)


async def scoped(request: Request, who: Principal, *unit_ids: str) -> None:
    """403 unless the caller may change data of every unit named."""
    for unit_id in unit_ids:
        await ensure_unit_scope(request, who, unit_id)


def require_province_admin(who: Principal) -> None:
    if who.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only a province_admin may do this")
