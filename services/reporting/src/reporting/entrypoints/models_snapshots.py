"""Request and response models of /api/v1/snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reporting.domain.slices import Level, Sector
from reporting.entrypoints.models_common import SliceEcho

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class SnapshotRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        pattern=SLUG, max_length=100, description="Tên định danh / Slug naming the snapshot, e.g. bao-cao-quy-3-2025."
    )
    title: str = Field(min_length=1, max_length=300, description="Tiêu đề / Title of the report.")
    as_of: dt.date = Field(description="Day the figures are valid on.")
    unit_id: str | None = Field(default=None, description="Only this unit's subtree (valid on as_of).")
    sectors: list[Sector] = Field(default_factory=list, description="Only these sectors; empty = all.")
    levels: list[Level] = Field(default_factory=list, description="Only these administrative levels; empty = all.")
    note: str | None = Field(default=None, max_length=2000, description="Ghi chú / Note, e.g. whom it was sent to.")


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
