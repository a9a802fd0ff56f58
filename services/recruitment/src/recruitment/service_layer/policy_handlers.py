"""Handlers for incentive policies offered to attract and keep IT specialists."""

from __future__ import annotations

import uuid

from cds_contracts.recruitment import IncentivePolicyPublished
from recruitment.domain.errors import ConflictError, RuleViolationError

from .commands import PublishIncentivePolicy
from .unit_of_work import UnitOfWork


def new_policy_id() -> str:
    return f"IP-{uuid.uuid4().hex[:12].upper()}"


async def publish_policy(uow: UnitOfWork, cmd: PublishIncentivePolicy) -> str:
    policy_id = cmd.policy_id or new_policy_id()
    if await uow.policies.existing_ids([policy_id]):
        raise ConflictError(f"incentive policy id {policy_id} is already used")
    if cmd.effective_to is not None and cmd.effective_to < cmd.effective_from:
        raise RuleViolationError(f"effective_to {cmd.effective_to} is before effective_from {cmd.effective_from}")
    event = IncentivePolicyPublished(policy_id=policy_id, **cmd.model_dump(exclude={"policy_id"}))
    await uow.policies.insert(event)
    await uow.publish(event)
    return policy_id
