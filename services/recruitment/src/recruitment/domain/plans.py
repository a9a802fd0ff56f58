"""Staffing plans: positions planned per function for a unit and a year, bounded by the parent's plan."""

from __future__ import annotations

from collections.abc import Mapping

from cds_contracts.recruitment import Quotas

from .errors import RuleViolationError

FUNCTIONS: tuple[str, ...] = tuple(Quotas.model_fields)


def plan_id(unit_id: str, year: int) -> str:
    return f"{unit_id}:{year}"


def check_within_parent(
    unit_id: str, year: int, quotas: Quotas, parent_id: str, parent: Quotas, relation: str = "parent"
) -> None:
    """A child's quota may not exceed its parent's quota for the same year, function by function. The
    "parent" is the nearest ancestor with a plan for the year (`relation` says which it is)."""
    for function in FUNCTIONS:
        mine, theirs = getattr(quotas, function), getattr(parent, function)
        if mine > theirs:
            raise RuleViolationError(
                f"{function} quota {mine} for {unit_id} in {year} exceeds the {function} quota {theirs}"
                f" of its {relation} {parent_id}"
            )


def check_above_children(unit_id: str, year: int, quotas: Quotas, children: Mapping[str, Quotas]) -> None:
    """The same rule seen from the parent: its new plan may not fall below any child's quota (the nearest
    sub-units with a plan for the year, at whatever depth)."""
    for child_id in sorted(children):
        child = children[child_id]
        for function in FUNCTIONS:
            mine, theirs = getattr(quotas, function), getattr(child, function)
            if theirs > mine:
                raise RuleViolationError(
                    f"{function} quota {mine} for {unit_id} in {year} is below the {function} quota {theirs}"
                    f" of its sub-unit {child_id}"
                )
