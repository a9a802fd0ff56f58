"""GET /api/v1/catalogue: the view registry as data, so a client (the dashboard) names views, their paths,
titles and export tables from the service itself instead of keeping its own copy."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from reporting.entrypoints.http.former_provinces import FORMER_PROVINCES_PATH
from reporting.entrypoints.http.models.common import Frozen
from reporting.entrypoints.http.registry import OVERVIEW_PATH, SNAPSHOT_VIEWS, VIEWS

router = APIRouter(tags=["reports"])


class TableEntry(Frozen):
    name: str = Field(description="The {table} of /api/v1/exports/{table}.{csv|xlsx}.")
    title_vi: str = Field(description="Title in Vietnamese.")
    title_en: str = Field(description="Title in English.")


class ViewEntry(Frozen):
    name: str = Field(description="The view's name (snapshots store its body under it).")
    path: str = Field(
        description="Its GET path; every view takes as_of and the slice (the former-provinces list takes none)."
    )
    title_vi: str = Field(description="Title in Vietnamese.")
    title_en: str = Field(description="Title in English.")
    parameters: list[str] = Field(description="Parameters besides as_of and the slice: year, days, from/to.")
    tables: list[TableEntry] = Field(description="Tables exported from its body.")
    snapshot: bool = Field(description="Whether a snapshot freezes it.")


class Catalogue(Frozen):
    views: list[ViewEntry] = Field(description="Every view of the registry, and the overview built from them.")


_PARAMETERS = {"year": ["year"], "days": ["days"], "range": ["from", "to"]}
CATALOGUE = Catalogue(
    views=[
        ViewEntry(
            name=v.name,
            path=v.path,
            title_vi=v.title_vi,
            title_en=v.title_en,
            parameters=[p for t in v.takes for p in _PARAMETERS[t]],
            tables=[TableEntry(name=t.name, title_vi=t.title_vi, title_en=t.title_en) for t in v.tables],
            snapshot=v.name in SNAPSHOT_VIEWS,
        )
        for v in VIEWS.values()
    ]
    # the overview: the dashboard's headline cards, read from the views above
    + [
        ViewEntry(
            name="overview",
            path=OVERVIEW_PATH,
            title_vi="Tổng quan",
            title_en="Overview",
            parameters=[],
            tables=[],
            snapshot=False,
        ),
        # the roots the `former_province` slice accepts (the dashboard's "Tỉnh cũ" filter)
        ViewEntry(
            name="former-provinces",
            path=FORMER_PROVINCES_PATH,
            title_vi="Tỉnh cũ",
            title_en="Former provinces",
            parameters=[],
            tables=[],
            snapshot=False,
        ),
    ]
)


@router.get("/api/v1/catalogue", response_model=Catalogue, summary="The views, their paths and export tables")
async def catalogue() -> Catalogue:
    return CATALOGUE
