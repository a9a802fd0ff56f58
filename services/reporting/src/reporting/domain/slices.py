"""Which part of the province a report covers: a unit's subtree, sectors and administrative levels.

Every view takes a Slice. The plan under Decision 204 concerns Party agencies, so a report is often
"Party agencies only"; a sector groups unit kinds (the centre is a public service unit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

Sector = Literal["party_agency", "state_agency", "peoples_committee", "public_service_unit", "other"]
Level = Literal["province", "district", "commune"]

SECTOR_KINDS: dict[str, tuple[str, ...]] = {
    "party_agency": ("party_agency",),
    "state_agency": ("state_agency",),
    "peoples_committee": ("peoples_committee",),
    "public_service_unit": ("public_service_unit", "centre"),
    "other": ("other",),
}
SECTORS: tuple[str, ...] = get_args(Sector)
LEVELS: tuple[str, ...] = get_args(Level)
assert set(SECTOR_KINDS) == set(SECTORS)


class UnknownUnitError(LookupError):
    """The unit asked about has never existed, or not on the day asked about."""


@dataclass(frozen=True)
class Slice:
    """unit_id None = the whole province; empty sectors/levels = all of them."""

    unit_id: str | None = None
    sectors: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()

    @property
    def kinds(self) -> list[str] | None:
        """The unit kinds the sectors cover; None when no sector filter applies."""
        if not self.sectors:
            return None
        return sorted({kind for sector in self.sectors for kind in SECTOR_KINDS[sector]})

    @property
    def level_filter(self) -> list[str] | None:
        return sorted(set(self.levels)) if self.levels else None

    @property
    def is_whole_province(self) -> bool:
        return self.unit_id is None and not self.sectors and not self.levels

    def query(self) -> list[tuple[str, str]]:
        """The slice as the views' query parameters (unit_id, repeated sector and level), sorted."""
        params = [] if self.unit_id is None else [("unit_id", self.unit_id)]
        return params + [("sector", s) for s in sorted(self.sectors)] + [("level", lv) for lv in sorted(self.levels)]

    def as_dict(self) -> dict[str, Any]:
        """Echoed in every response body, so a saved or exported report says what it covers."""
        return {"unit_id": self.unit_id, "sectors": sorted(self.sectors), "levels": sorted(self.levels)}


WHOLE_PROVINCE = Slice()
