"""The org-unit tree as of a day, built from the unit versions valid on that day."""

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "kind": self.kind,
            "level": self.level,
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
