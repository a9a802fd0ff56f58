"""Org units: a dated tree of the province's agencies and localities, and the rules for reorganising it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from cds_plumbing.periods import valid_on

from .errors import ConflictError, RuleViolationError

LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}


@dataclass(frozen=True)
class UnitVersion:
    unit_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    name_vi: str
    name_en: str | None
    kind: str
    level: str
    parent_id: str | None


@dataclass(frozen=True)
class Unit:
    unit_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    versions: tuple[UnitVersion, ...]  # in date order

    def active_on(self, day: dt.date) -> bool:
        return valid_on(self.valid_from, self.valid_to, day)

    def version_on(self, day: dt.date) -> UnitVersion | None:
        return next((v for v in self.versions if valid_on(v.valid_from, v.valid_to, day)), None)

    @property
    def latest(self) -> UnitVersion:
        return self.versions[-1]

    def require_active(self, day: dt.date, role: str = "unit") -> UnitVersion:
        version = self.version_on(day)
        if version is None or not self.active_on(day):
            raise ConflictError(f"{role} {self.unit_id} does not exist on {day}")
        return version


def check_parent_level(level: str, parent: UnitVersion | None) -> None:
    """A unit sits at its parent's level or below (a commune never under a commune's child)."""
    if parent is not None and LEVEL_RANK[parent.level] > LEVEL_RANK[level]:
        raise RuleViolationError(f"a {level}-level unit cannot be placed under {parent.level}-level {parent.unit_id}")


def check_not_cycle(unit_id: str, new_parent_id: str | None, descendants: Collection[str]) -> None:
    if new_parent_id is not None and (new_parent_id == unit_id or new_parent_id in descendants):
        raise RuleViolationError(f"{new_parent_id} lies under {unit_id}: the tree would have a cycle")


def check_merge(successor_id: str, predecessor_ids: Sequence[str]) -> None:
    if successor_id in predecessor_ids:
        raise RuleViolationError("the successor cannot also be one of the merged units")
    if len(set(predecessor_ids)) != len(predecessor_ids):
        raise RuleViolationError("a unit is listed twice among the merged units")


def check_merge_into(successor: UnitVersion, merged: UnitVersion, merged_descendants: Collection[str]) -> None:
    """The successor takes the merged unit's place: it may not lie under it (it would be carried into itself,
    and with its districts dissolved, end with them) nor sit at a lower level (provinces into a commune)."""
    if successor.unit_id in merged_descendants:
        raise RuleViolationError(
            f"{successor.unit_id} lies under {merged.unit_id}: a unit cannot merge into its own sub-unit"
        )
    if LEVEL_RANK[successor.level] > LEVEL_RANK[merged.level]:
        raise RuleViolationError(
            f"{merged.level}-level {merged.unit_id} cannot merge into {successor.level}-level {successor.unit_id}"
        )


def check_split(unit_id: str, successor_ids: Sequence[str], officers_to: str) -> None:
    if unit_id in successor_ids:
        raise RuleViolationError("a unit cannot be its own successor")
    if len(set(successor_ids)) != len(successor_ids) or len(successor_ids) < 2:
        raise RuleViolationError("a split needs at least two different successors")
    if officers_to not in successor_ids:
        raise RuleViolationError(f"officers_to {officers_to} is not one of the successors")


def check_dissolvable(unit_id: str, day: dt.date, children: int, officers: int, teams: int) -> None:
    left = [f"{n} {what}" for n, what in ((children, "sub-units"), (officers, "officers"), (teams, "teams")) if n]
    if left:
        raise ConflictError(
            f"{unit_id} still has {', '.join(left)} on {day}: move them first, or merge the unit instead"
        )
