"""Request and response models of /api/v1/snapshots."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from cds_contracts.bounds import Day, Id, Line, Text
from reporting.domain.slices import Level, Sector
from reporting.entrypoints.http.models.common import SliceEcho

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SnapshotName = Annotated[str, Path(pattern=SLUG, max_length=100, description="The snapshot's slug.")]
ViewName = Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,64}$", description="A view the snapshot froze.")]


class SnapshotRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        pattern=SLUG, max_length=100, description="Tên định danh / Slug naming the snapshot, e.g. bao-cao-quy-3-2025."
    )
    title: Line = Field(description="Tiêu đề / Title of the report.")
    as_of: Day = Field(description="Day the figures are valid on.")
    unit_id: Id | None = Field(default=None, description="Only this unit's subtree (valid on as_of).")
    sectors: list[Sector] = Field(default_factory=list, max_length=10, description="Only these sectors; empty = all.")
    levels: list[Level] = Field(
        default_factory=list, max_length=10, description="Only these administrative levels; empty = all."
    )
    former_province: Id | None = Field(
        default=None, description="Only units descending from this former province (GET /api/v1/former-provinces)."
    )
    note: Annotated[Text, Field(max_length=2000)] | None = Field(
        default=None, description="Ghi chú / Note, e.g. whom it was sent to."
    )


class SnapshotSummary(BaseModel):
    name: str = Field(description="Slug naming the snapshot.")
    title: str = Field(description="Title of the report.")
    note: str | None = Field(description="Note given when it was taken.")
    as_of: str = Field(description="Day the frozen figures are valid on.")
    slice: SliceEcho = Field(description="What the frozen figures cover.")
    created_at: str = Field(description="When the snapshot was taken.")
    created_by: str = Field(description="Subject of the token that took it.")


class SnapshotCreated(SnapshotSummary):
    views: list[str] = Field(description="Names of the views frozen in it (read one at .../views/{view}).")


class SnapshotList(BaseModel):
    snapshots: list[SnapshotSummary] = Field(description="Every snapshot, newest first.")


class SnapshotDetail(SnapshotSummary):
    params: dict[str, Any] = Field(description="as_of, slice and, per view, the path and query it was read with.")
    views: dict[str, dict[str, Any]] = Field(description="View name -> the body that view answered then.")
