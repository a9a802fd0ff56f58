"""Yearly training plans: adopted once per year (revision 1), amended with a reason (revision + 1)."""

from __future__ import annotations

from dataclasses import dataclass

from cds_contracts.training import PlanTargets

from .errors import ConflictError, RuleViolationError


@dataclass(frozen=True)
class Plan:
    year: int
    revision: int
    targets: PlanTargets
    decision: str | None

    @property
    def plan_id(self) -> str:
        return str(self.year)

    def amend(self, targets: PlanTargets, reason: str) -> Plan:
        """The plan after an amendment; refuses one that changes nothing."""
        if not reason.strip():
            raise RuleViolationError("an amendment needs a reason")
        if targets == self.targets:
            raise RuleViolationError(f"the amendment does not change the {self.year} plan's targets")
        return Plan(self.year, self.revision + 1, targets, self.decision)


def adopt(year: int, targets: PlanTargets, decision: str | None, existing: Plan | None) -> Plan:
    if existing is not None:
        raise ConflictError(f"the {year} plan was already adopted (revision {existing.revision}); amend it instead")
    return Plan(year, 1, targets, decision)
