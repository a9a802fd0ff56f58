"""GET /api/v1/former-provinces: the roots the `former_province` slice of every view accepts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from reporting.entrypoints.http.models.common import Frozen
from reporting.entrypoints.http.params import Ctx
from reporting.service_layer import lineage_views

router = APIRouter(tags=["reports"])
FORMER_PROVINCES_PATH = "/api/v1/former-provinces"


class FormerProvince(Frozen):
    unit_id: str = Field(description="The former province's root unit: the value of `former_province`.")
    name_vi: str = Field(description="Tên / Its last Vietnamese name, e.g. Tỉnh Vĩnh Phúc.")
    name_en: str | None = Field(description="Its last English name.")
    valid_from: str = Field(description="First day it existed (YYYY-MM-DD).")
    valid_to: str = Field(description="Last day it existed (YYYY-MM-DD); it has ceased (merged, split or dissolved).")
    units: int = Field(description="Units that descend from it, itself included.")


class FormerProvinces(Frozen):
    current_to: str | None = Field(description="Newest event time applied to the projections.")
    former_provinces: list[FormerProvince] = Field(description="By Vietnamese name.")


@router.get(
    FORMER_PROVINCES_PATH,
    response_model=FormerProvinces,
    summary="Former provinces (Tỉnh cũ): the roots the former_province slice accepts",
    description=(
        "Province-level root units that ceased (e.g. Vĩnh Phúc, merged into Phú Thọ on 2025-07-01). A unit "
        "belongs to one when it was in its subtree on a day it existed, or descends from such a unit by merge "
        "or split; a unit formed from units of several former provinces belongs to none of them."
    ),
)
async def former_provinces(ctx: Ctx) -> dict[str, Any]:
    return await lineage_views.former_provinces(ctx)
