"""Response models of the unit, officer and community-team views, so /openapi.json documents them.

They describe the bodies the service layer builds; they never reshape them (a test compares both).
Timestamps stay strings (models_common)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from reporting.entrypoints.http.models.common import Frozen, SliceEcho, Timestamp


class _Header(Frozen):
    as_of: dt.date = Field(description="Day the figures are valid on; units are those of that day's tree.")
    current_to: Timestamp | None = Field(
        description="Time of the newest event applied to the projections (freshness); null before any event."
    )
    slice: SliceEcho = Field(description="What part of the province the figures cover, as asked.")


class UnitTreeNode(Frozen):
    unit_id: str = Field(description="Stable unit identifier.")
    name_vi: str = Field(description="Vietnamese name valid on as_of.")
    name_en: str | None = Field(description="English name, when personnel recorded one.")
    kind: str = Field(description="Unit kind, e.g. party_agency, state_agency, peoples_committee, centre, other.")
    level: str = Field(description="Administrative level: province, district or commune.")
    in_slice: bool = Field(description="True: the unit is in the slice; false: shown only as an ancestor of one.")
    children: list[UnitTreeNode] = Field(description="Units directly under this one, sorted by unit_id.")


class UnitTreeResponse(_Header):
    units: list[UnitTreeNode] = Field(description="Root units of the (sliced) tree, sorted by unit_id.")


class UnitVersion(Frozen):
    valid_from: dt.date = Field(description="First day of this version.")
    valid_to: dt.date | None = Field(description="Last day of this version (inclusive); null = still valid.")
    name_vi: str = Field(description="Vietnamese name in this version.")
    name_en: str | None = Field(description="English name in this version, if any.")
    kind: str = Field(description="Unit kind in this version.")
    level: str = Field(description="Administrative level in this version.")
    parent_id: str | None = Field(description="Parent unit in this version; null for a root.")
    valid_on_as_of: bool = Field(description="True for the version valid on as_of.")


class LineageLink(Frozen):
    unit_id: str = Field(description="The predecessor or successor unit.")
    kind: str = Field(description="merge or split.")
    effective_date: dt.date = Field(description="Day the merge or split took effect.")


class UnitHistoryResponse(_Header):
    unit_id: str = Field(description="The unit asked about.")
    in_slice: bool = Field(description="The unit exists on as_of and belongs to the slice.")
    versions: list[UnitVersion] = Field(description="Every dated version of the unit, oldest first.")
    predecessors: list[LineageLink] = Field(description="Units merged or split into this one.")
    successors: list[LineageLink] = Field(description="Units this one was merged or split into.")


class OfficerCounts(Frozen):
    total: int = Field(description="CĐS officers.")
    dedicated: int = Field(description="Officers assigned to digital transformation full time.")
    concurrent: int = Field(description="Officers doing digital transformation alongside other duties.")
    information_security: int = Field(description="Officers with the information security function.")
    it_technical: int = Field(description="Officers with the IT technical function.")
    it_leader: int = Field(description="Officers with the function of leader in charge of IT.")


class HeadcountUnit(Frozen):
    unit_id: str = Field(description="Unit identifier.")
    parent_id: str | None = Field(description="Parent unit on as_of; null for a root.")
    name_vi: str = Field(description="Vietnamese name valid on as_of.")
    kind: str = Field(description="Unit kind.")
    level: str = Field(description="Administrative level.")
    own: OfficerCounts = Field(description="Officers of the unit itself.")
    rolled_up: OfficerCounts = Field(description="Officers of the unit and of its descendants that are in the slice.")


class HeadcountResponse(_Header):
    unit_id: str | None = Field(description="The slice's unit (same as slice.unit_id), kept for older clients.")
    units: list[HeadcountUnit] = Field(description="Units of the slice on as_of, sorted by unit_id.")
    totals: OfficerCounts = Field(
        description="Officers whose unit is in the slice on as_of; for the whole province, every officer."
    )


class AgencyCoverageRow(Frozen):
    unit_id: str = Field(description="Agency identifier.")
    name_vi: str = Field(description="Vietnamese name valid on as_of.")
    kind: str = Field(description="Agency kind.")
    level: str = Field(description="Administrative level.")
    has_it_leader: bool = Field(description="At least one officer of its own leads IT.")
    it_technical: int = Field(description="Its own officers with the IT technical function.")
    compliant: bool = Field(description="Has both an IT leader and an IT technical officer.")
    missing: list[str] = Field(description="What it lacks: it_leader and/or it_technical; empty when compliant.")


class CoverageSummary(Frozen):
    agencies: int = Field(description="Agencies in the slice.")
    compliant: int = Field(description="Agencies meeting the rule.")
    failing: int = Field(description="Agencies failing the rule.")


class CoverageResponse(_Header):
    unit_id: str | None = Field(description="The slice's unit (same as slice.unit_id), kept for older clients.")
    summary: CoverageSummary = Field(description="How many agencies of the slice meet the coverage rule.")
    failing: list[AgencyCoverageRow] = Field(description="Agencies failing the rule, sorted by unit_id.")
    agencies: list[AgencyCoverageRow] = Field(description="Every agency of the slice, sorted by unit_id.")


class CommunityTeamTotals(Frozen):
    teams: int = Field(description="Community technology teams active on as_of.")
    members: int = Field(description="Their members on as_of.")


class CommunityTeamsByCommune(Frozen):
    commune_id: str = Field(description="Commune the teams belong to on as_of.")
    name_vi: str | None = Field(description="The commune's Vietnamese name on as_of; null if not in that day's tree.")
    teams: int = Field(description="Teams of the commune.")
    members: int = Field(description="Members of those teams.")


class CommunityTeamsResponse(_Header):
    unit_id: str | None = Field(description="The slice's unit (same as slice.unit_id), kept for older clients.")
    totals: CommunityTeamTotals = Field(description="Teams whose commune is in the slice, and their members.")
    members_by_affiliation: dict[str, int] = Field(description="Members per affiliation (youth union, police, ...).")
    by_commune: list[CommunityTeamsByCommune] = Field(
        description="Teams and members per commune, sorted by commune_id."
    )


class PartitionOffset(Frozen):
    partition: int = Field(description="Kafka partition.")
    next_offset: int = Field(description="Offset of the next record to apply.")


class TopicFreshness(Frozen):
    topic: str = Field(description="Kafka topic.")
    event_time: Timestamp | None = Field(description="Time of the newest event applied from it; null if none yet.")
    offsets: list[PartitionOffset] = Field(description="Applied offsets per partition.")


class FreshnessResponse(Frozen):
    as_of: None = Field(description="Always null: freshness is not about a day.")
    current_to: Timestamp | None = Field(description="Time of the newest event applied, over every topic.")
    consumer: str = Field(description="The live consumer whose checkpoints these are.")
    topics: list[TopicFreshness] = Field(description="Per topic read, the newest event time and offsets applied.")
