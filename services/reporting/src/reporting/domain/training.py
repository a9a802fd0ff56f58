"""Training figures: attainment of the yearly plan, completion rate, trained share.

Attainment of one target is actual / target (None when nothing was planned); the plan's overall
attainment is the mean of the targets' attainments, each capped at 100% so over-delivering one target
cannot hide a shortfall in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cds_contracts.training import PLAN_TARGET_NAMES

TARGETS = PLAN_TARGET_NAMES  # in the contract's order, which is the order of the answers' keys


@dataclass(frozen=True)
class Attainment:
    target: int
    actual: int

    @property
    def ratio(self) -> float | None:
        return None if self.target == 0 else self.actual / self.target

    def as_dict(self) -> dict[str, Any]:
        pct = None if self.ratio is None else round(100 * self.ratio, 1)
        return {"target": self.target, "actual": self.actual, "attainment_pct": pct}


def plan_attainment(targets: dict[str, int], actuals: dict[str, int]) -> dict[str, Any]:
    items = {name: Attainment(targets.get(name, 0), actuals.get(name, 0)) for name in TARGETS}
    ratios = [min(a.ratio, 1.0) for a in items.values() if a.ratio is not None]
    overall = round(100 * sum(ratios) / len(ratios), 1) if ratios else None
    return {"targets": {k: v.as_dict() for k, v in items.items()}, "overall_attainment_pct": overall}


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return None if whole == 0 else round(100 * part / whole, 1)


def roll_up(children: dict[str, list[str]], own: dict[str, tuple[int, int]], unit_id: str) -> tuple[int, int]:
    """(officers, trained) of a unit and everything under it, given each unit's children and own counts."""
    officers, trained = own.get(unit_id, (0, 0))
    for child in children.get(unit_id, []):
        o, t = roll_up(children, own, child)
        officers, trained = officers + o, trained + t
    return officers, trained
