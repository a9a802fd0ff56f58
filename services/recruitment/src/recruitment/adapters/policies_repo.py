"""asyncpg access to incentive policies."""

from __future__ import annotations

from cds_contracts.recruitment import IncentivePolicyPublished
from cds_plumbing.db import Connection

_COLS = (
    "policy_id, name, document_number, document_date, monthly_allowance_vnd, housing, training_sponsorship,"
    " other_benefits, eligibility, effective_from, effective_to"
)


class PolicyRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def existing_ids(self, ids: list[str]) -> set[str]:
        rows = await self._conn.fetch("SELECT policy_id FROM incentive_policies WHERE policy_id = ANY($1::text[])", ids)
        return {r["policy_id"] for r in rows}

    async def insert(self, p: IncentivePolicyPublished) -> None:
        await self._conn.execute(
            f"INSERT INTO incentive_policies ({_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            p.policy_id,
            p.name,
            p.document_number,
            p.document_date,
            p.monthly_allowance_vnd,
            p.housing,
            p.training_sponsorship,
            p.other_benefits,
            p.eligibility,
            p.effective_from,
            p.effective_to,
        )
