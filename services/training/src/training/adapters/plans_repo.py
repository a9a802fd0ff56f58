"""asyncpg access to yearly plans and their revisions."""

from __future__ import annotations

from cds_contracts.training import PlanTargets
from cds_plumbing.db import Connection
from training.domain.errors import ConflictError
from training.domain.plans import Plan


class PlanRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, year: int, *, lock: bool = False) -> Plan | None:
        row = await self._conn.fetchrow(
            f"SELECT year, revision, targets, decision FROM plans WHERE year = $1{' FOR UPDATE' if lock else ''}", year
        )
        if row is None:
            return None
        return Plan(row["year"], row["revision"], PlanTargets.model_validate(row["targets"]), row["decision"])

    async def insert(self, plan: Plan) -> None:
        inserted = await self._conn.fetchval(
            """INSERT INTO plans (year, decision, revision, targets) VALUES ($1, $2, $3, $4)
               ON CONFLICT (year) DO NOTHING RETURNING true""",
            plan.year,
            plan.decision,
            plan.revision,
            plan.targets.model_dump(),
        )
        if not inserted:  # adopted concurrently since it was read
            raise ConflictError(f"the {plan.year} plan was already adopted; amend it instead")
        await self._revision(plan, None)

    async def amend(self, plan: Plan, reason: str) -> None:
        await self._conn.execute(
            "UPDATE plans SET revision = $2, targets = $3, updated_at = now() WHERE year = $1",
            plan.year,
            plan.revision,
            plan.targets.model_dump(),
        )
        await self._revision(plan, reason)

    async def _revision(self, plan: Plan, reason: str | None) -> None:
        await self._conn.execute(
            "INSERT INTO plan_revisions (year, revision, targets, reason) VALUES ($1, $2, $3, $4)",
            plan.year,
            plan.revision,
            plan.targets.model_dump(),
            reason,
        )
