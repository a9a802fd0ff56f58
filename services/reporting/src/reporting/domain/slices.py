"""Which part of the province a report covers: a unit's subtree, sectors, administrative levels and a
former province, combined with AND.

Every view takes a Slice. The plan under Decision 204 concerns Party agencies, so a report is often
"Party agencies only"; a sector groups unit kinds (the centre is a public service unit: the SQL function
reporting_unit_sector, migration 0019, is that mapping, used by the API and the BI views alike).
A former province (e.g. Vĩnh Phúc, merged into Phú Thọ on 2025-07-01) covers the units that descend from
its root: those in its subtree on a day it existed, and their successors by merge or split; a unit that
descends from several former provinces belongs to none (reporting_former_province_units, same migration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

Sector = Literal["party_agency", "state_agency", "peoples_committee", "public_service_unit", "other"]
Level = Literal["province", "district", "commune"]

SECTORS: tuple[str, ...] = get_args(Sector)
LEVELS: tuple[str, ...] = get_args(Level)


class UnknownUnitError(LookupError):
    """The unit asked about has never existed, or not on the day asked about."""


@dataclass(frozen=True)
class Slice:
    """unit_id None = the whole province; empty sectors/levels = all of them; former_province None = any."""

    unit_id: str | None = None
    sectors: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    former_province: str | None = None

    @property
    def sector_filter(self) -> list[str] | None:
        """The sectors asked for, sorted; None when no sector filter applies."""
        return sorted(set(self.sectors)) if self.sectors else None

    @property
    def level_filter(self) -> list[str] | None:
        return sorted(set(self.levels)) if self.levels else None

    @property
    def is_whole_province(self) -> bool:
        return self.unit_id is None and not self.sectors and not self.levels and self.former_province is None

    @property
    def without_former_province(self) -> Slice:
        return Slice(self.unit_id, self.sectors, self.levels)

    def query(self) -> list[tuple[str, str]]:
        """The slice as the views' query parameters (unit_id, repeated sector and level, former_province)."""
        params = [] if self.unit_id is None else [("unit_id", self.unit_id)]
        params += [("sector", s) for s in sorted(self.sectors)] + [("level", lv) for lv in sorted(self.levels)]
        return params + ([] if self.former_province is None else [("former_province", self.former_province)])

    def as_dict(self) -> dict[str, Any]:
        """Echoed in every response body, so a saved or exported report says what it covers
        (former_province only when set: bodies without it stay as they were)."""
        body: dict[str, Any] = {"unit_id": self.unit_id, "sectors": sorted(self.sectors), "levels": sorted(self.levels)}
        if self.former_province is not None:
            body["former_province"] = self.former_province
        return body


WHOLE_PROVINCE = Slice()
