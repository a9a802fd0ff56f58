"""Cyber drills and exercises with their after-action findings (owner unit, due date, open or closed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import ConflictError, NotFoundError, RuleViolationError


@dataclass(frozen=True)
class Finding:
    finding_id: str
    drill_id: str
    description: str
    owner_unit_id: str
    due_on: dt.date
    closed_on: dt.date | None = None

    def check_close(self, day: dt.date, held_on: dt.date) -> None:
        if self.closed_on is not None:
            raise ConflictError(f"finding {self.finding_id} was already closed on {self.closed_on}")
        if day < held_on:
            raise RuleViolationError(f"a finding cannot be closed ({day}) before its drill was held ({held_on})")


def check_finding(held_on: dt.date, due_on: dt.date) -> None:
    if due_on < held_on:
        raise RuleViolationError(f"a finding cannot be due ({due_on}) before its drill was held ({held_on})")


def require_finding(drill_id: str, finding_id: str, finding: Finding | None) -> Finding:
    if finding is None or finding.drill_id != drill_id:
        raise NotFoundError(f"drill {drill_id} has no finding {finding_id}")
    return finding


def distinct(values: list[str]) -> tuple[str, ...]:
    """Each value once, in the order first given."""
    return tuple(dict.fromkeys(values))
