"""The org-unit tree as of a day, built from the unit versions valid on that day, and its slices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class UnitNode:
    unit_id: str
    name_vi: str
    name_en: str | None
    kind: str
    level: str
    parent_id: str | None
    children: list[UnitNode] = field(default_factory=list)
    in_slice: bool = True  # False: kept only as the ancestor of a unit in the slice (see slice_units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "kind": self.kind,
            "level": self.level,
            "in_slice": self.in_slice,
            "children": [c.as_dict() for c in self.children],
        }


def build_tree(units: list[UnitNode]) -> list[UnitNode]:
    """Nest units under their parents; children sorted by unit_id.

    A unit whose parent does not exist that day (or that sits on a parent cycle) becomes a root, so
    inconsistent data still shows every unit exactly once instead of hiding it."""
    by_id = {u.unit_id: u for u in units}
    roots: list[UnitNode] = []
    for unit in sorted(units, key=lambda u: u.unit_id):
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        if parent is None or _on_cycle(unit, by_id):
            roots.append(unit)
        else:
            parent.children.append(unit)
    return roots


def _on_cycle(unit: UnitNode, by_id: dict[str, UnitNode]) -> bool:
    seen = {unit.unit_id}
    current = unit.parent_id
    while current is not None and current in by_id:
        if current in seen:
            return True
        seen.add(current)
        current = by_id[current].parent_id
    return False


def slice_units(units: list[UnitNode], members: list[str] | None, root: str | None = None) -> list[UnitNode]:
    """The units to draw for a slice: its members plus their ancestors, so the tree stays navigable.

    `members` are the slice's unit ids (None = every unit is a member); ancestors are walked up to
    `root` (the slice's unit, when it has one) and come back with `in_slice` False."""
    if members is None:
        return list(units)
    by_id = {u.unit_id: u for u in units}
    inside = set(members)
    keep: set[str] = set()
    for unit_id in members:
        current: str | None = unit_id
        while current is not None and current in by_id and current not in keep:
            keep.add(current)
            current = None if current == root else by_id[current].parent_id
    for unit_id in keep:
        by_id[unit_id].in_slice = unit_id in inside
    return [u for u in units if u.unit_id in keep]
