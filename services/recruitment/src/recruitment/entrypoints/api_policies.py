"""/api/v1/incentive-policies: incentives to attract and keep IT specialists (province_admin publishes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cds_contracts.bounds import Day, Id
from cds_plumbing.auth import Writer
from cds_plumbing.http import Limit, Offset, page
from recruitment.adapters import queries
from recruitment.domain.errors import NotFoundError
from recruitment.service_layer import policy_handlers as handlers
from recruitment.service_layer.commands import PublishIncentivePolicy

from .deps import pool, require_province_admin, uow

router = APIRouter(prefix="/api/v1/incentive-policies", tags=["incentive policies"])


@router.post("", status_code=201)
async def publish(cmd: PublishIncentivePolicy, request: Request, who: Writer) -> dict[str, str]:
    require_province_admin(who)
    async with uow(request, who) as u:
        policy_id = await handlers.publish_policy(u, cmd)
    return {"policy_id": policy_id}


@router.get("")
async def list_policies(
    request: Request, in_force_on: Day | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    items, total = await queries.list_policies(pool(request), in_force_on, limit, offset)
    return page(items, total, limit, offset)


@router.get("/{policy_id}")
async def get_policy(policy_id: Id, request: Request) -> dict[str, Any]:
    policy = await queries.policy(pool(request), policy_id)
    if policy is None:
        raise NotFoundError(f"incentive policy {policy_id} does not exist")
    return policy
