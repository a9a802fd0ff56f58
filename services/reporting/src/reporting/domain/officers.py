"""Officer head counts and the agency coverage rule (an IT leader and an IT technical officer in every agency)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

AGENCY_KINDS = ("party_agency", "state_agency", "peoples_committee", "public_service_unit", "centre")
"""Unit kinds that must each have an IT leader and an IT technical officer of their own."""


@dataclass(frozen=True)
class Counts:
    total: int = 0
    dedicated: int = 0
    concurrent: int = 0
    information_security: int = 0
    it_technical: int = 0
    it_leader: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{k: v + getattr(other, k) for k, v in asdict(self).items()})

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def coverage_gaps(it_leaders: int, it_technical: int) -> list[str]:
    """What an agency lacks; empty when it is compliant."""
    missing = []
    if it_leaders < 1:
        missing.append("it_leader")
    if it_technical < 1:
        missing.append("it_technical")
    return missing


@dataclass(frozen=True)
class AgencyCoverage:
    unit_id: str
    name_vi: str
    kind: str
    level: str
    it_leaders: int
    it_technical: int

    @property
    def missing(self) -> list[str]:
        return coverage_gaps(self.it_leaders, self.it_technical)

    @property
    def compliant(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "name_vi": self.name_vi,
            "kind": self.kind,
            "level": self.level,
            "has_it_leader": self.it_leaders >= 1,
            "it_technical": self.it_technical,
            "compliant": self.compliant,
            "missing": self.missing,
        }


def summarise_coverage(agencies: list[AgencyCoverage]) -> dict[str, Any]:
    """Counts, the failing agencies, and every agency (exports and the dashboard table list them all)."""
    failing = [a for a in agencies if not a.compliant]
    return {
        "summary": {"agencies": len(agencies), "compliant": len(agencies) - len(failing), "failing": len(failing)},
        "failing": [a.as_dict() for a in failing],
        "agencies": [a.as_dict() for a in agencies],
    }
