"""Events published by personnel about the province's org units (agencies and localities).

Units are dated: every change has an effective date, the first day of the new state. A unit's events
are keyed by its code; a merge is keyed by the successor and a split by the unit that splits.
Officers and community teams carried to a successor are announced by their own events
(OfficerTransferred, CommunityTeamMoved) with the reorganisation's event id as causation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Event
from .bounds import Day, Id, Line, Many
from .registry import REGISTRY
from .topics import PERSONNEL_ORG_UNIT

UnitKind = Literal["party_agency", "state_agency", "peoples_committee", "public_service_unit", "centre", "other"]
"""Cơ quan Đảng, sở/ngành, UBND địa phương, đơn vị sự nghiệp công lập, trung tâm, khác."""

UnitLevel = Literal["province", "district", "commune"]


@REGISTRY.register("vn.cds.personnel.org_unit.registered", 1, PERSONNEL_ORG_UNIT, key="unit_id")
class OrgUnitRegistered(Event):
    """A unit came into existence (or was first recorded) on `valid_from`."""

    unit_id: Id = Field(description="Stable unit code, unique forever.")
    name_vi: Line = Field(description="Official Vietnamese name.")
    name_en: Line | None = Field(default=None, description="English name, if any.")
    kind: UnitKind = Field(description="Sector of the unit.")
    level: UnitLevel = Field(description="Administrative level.")
    parent_id: Id | None = Field(default=None, description="Code of the parent unit; none for the root.")
    valid_from: Day = Field(description="First day the unit exists.")


@REGISTRY.register("vn.cds.personnel.org_unit.renamed", 1, PERSONNEL_ORG_UNIT, key="unit_id")
class OrgUnitRenamed(Event):
    """A unit got a new name from `effective_date`."""

    unit_id: Id = Field(description="Unit code.")
    name_vi: Line = Field(description="New Vietnamese name.")
    name_en: Line | None = Field(default=None, description="New English name, if any.")
    effective_date: Day = Field(description="First day of the new name.")


@REGISTRY.register("vn.cds.personnel.org_unit.moved", 1, PERSONNEL_ORG_UNIT, key="unit_id")
class OrgUnitMoved(Event):
    """A unit was placed under another parent (and possibly another level) from `effective_date`."""

    unit_id: Id = Field(description="Unit code.")
    parent_id: Id | None = Field(description="Code of the new parent; none makes it a root.")
    level: UnitLevel = Field(description="Administrative level from that day.")
    effective_date: Day = Field(description="First day under the new parent.")


@REGISTRY.register("vn.cds.personnel.org_unit.merged", 1, PERSONNEL_ORG_UNIT, key="successor_id")
class OrgUnitsMerged(Event):
    """Several units merged into one successor; the predecessors ceased the day before `effective_date`.

    The successor is an existing unit or one registered just before this event."""

    successor_id: Id = Field(description="Code of the unit that continues the merged ones.")
    predecessor_ids: Annotated[Many[Id], Field(min_length=1)] = Field(description="Codes of the units merged away.")
    effective_date: Day = Field(description="First day of the merged unit.")


@REGISTRY.register("vn.cds.personnel.org_unit.split", 1, PERSONNEL_ORG_UNIT, key="unit_id")
class OrgUnitSplit(Event):
    """One unit split into several successors; it ceased the day before `effective_date`."""

    unit_id: Id = Field(description="Code of the unit that split.")
    successor_ids: Annotated[Many[Id], Field(min_length=2)] = Field(description="Codes of the successor units.")
    effective_date: Day = Field(description="First day of the successors.")


@REGISTRY.register("vn.cds.personnel.org_unit.dissolved", 1, PERSONNEL_ORG_UNIT, key="unit_id")
class OrgUnitDissolved(Event):
    """A unit ceased without successor; it had no officers, teams or sub-units left on that day."""

    unit_id: Id = Field(description="Unit code.")
    effective_date: Day = Field(description="First day the unit no longer exists.")
