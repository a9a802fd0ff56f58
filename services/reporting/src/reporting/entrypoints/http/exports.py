"""`GET /api/v1/exports/{table}.{csv|xlsx}`: a table view as a spreadsheet, with the same query parameters.

The table's view (its `view` in the registry) is called in-process and its body cut into a table by the
spec, so an export always shows the JSON view's own figures; the view's errors (unknown unit, missing
year) come back as they are."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cds_contracts.bounds import Day, Id
from cds_plumbing.http import reads_own_query
from reporting.adapters.spreadsheets import FORMATS, MEDIA_TYPES, Fmt, filename, render
from reporting.domain.slices import Level, Sector
from reporting.domain.tables import TableSpec
from reporting.domain.trends import MONTH_PATTERN
from reporting.entrypoints.http.models.snapshots import SnapshotName
from reporting.entrypoints.http.params import Ctx, day, make_slice
from reporting.entrypoints.http.registry import VIEWS, View, ViewArgs
from reporting.service_layer import snapshots
from reporting.service_layer.export_tables import SPECS

router = APIRouter(tags=["exports"])
Lang = Literal["vi", "en"]
# Any safe file name: an unknown table or format is the handler's 404, as before.
ExportFile = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,80}$", description="e.g. headcount.xlsx")]
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {m: {} for m in MEDIA_TYPES.values()}},
    404: {"description": "Unknown table"},
}
_INVALID = "the request does not match the schema"


class _ViewQuery(BaseModel):
    """The query parameters of the views, with the bounds their routes declare (http/*.py)."""

    model_config = ConfigDict(populate_by_name=True)
    as_of: Day | None = None
    unit_id: Id | None = None
    former_province: Id | None = None
    sector: list[Sector] | None = None
    level: list[Level] | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    days: int = Field(90, ge=1, le=3650)
    start: str | None = Field(None, alias="from", pattern=MONTH_PATTERN)
    end: str | None = Field(None, alias="to", pattern=MONTH_PATTERN)


_REPEATED = ("sector", "level")
_TAKES = {"year": ("year",), "days": ("days",), "range": ("from", "to")}
_ANY_VIEW = {f.alias or name for name, f in _ViewQuery.model_fields.items()} | {"lang"}


def view_args(view: View, request: Request) -> ViewArgs:
    """The view's arguments from the export's query string: only the parameters the view takes are read
    (one query string may serve every table: another view's parameter, e.g. `year`, is ignored); a bad
    one is a 422, and so is a name no view takes (a misspelt filter must not export everything)."""
    unknown = sorted(set(request.query_params.keys()) - _ANY_VIEW)
    if unknown:
        takes = ", ".join(sorted(_ANY_VIEW))
        raise HTTPException(422, f"unknown query parameter(s): {', '.join(unknown)} (exports take: {takes})")
    taken = {"as_of", "unit_id", "former_province", *_REPEATED, *(p for t in view.takes for p in _TAKES[t])}
    raw: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in _REPEATED:
            raw.setdefault(key, []).append(value)
        elif key in taken:
            raw[key] = value  # the last one wins, as FastAPI reads a scalar parameter
    try:
        q = _ViewQuery.model_validate(raw)
        if view.year_required and q.year is None:
            raise ValueError("year is required")
    except (ValidationError, ValueError) as exc:
        raise HTTPException(422, _INVALID) from exc
    sl = make_slice(q.unit_id, q.sector, q.level, q.former_province)
    return ViewArgs(day(q.as_of), sl, year=q.year, days=q.days, start=q.start, end=q.end)


def _spec(file: str) -> tuple[TableSpec, Fmt]:
    name, dot, fmt = file.rpartition(".")
    if not dot or fmt not in FORMATS:
        raise HTTPException(404, f"{file}: exports are <table>.csv or <table>.xlsx")
    spec = SPECS.get(name)
    if spec is None:
        raise HTTPException(404, f"no table {name!r}; tables: {', '.join(SPECS)}")
    return spec, FORMATS[FORMATS.index(fmt)]  # the checked string, typed as a format


def _attachment(spec: TableSpec, body: dict[str, Any], fmt: Fmt, lang: Lang, stem: str | None = None) -> Response:
    name = filename(spec, body, fmt) if stem is None else f"{stem}_{filename(spec, body, fmt)}"
    return Response(
        render(spec, body, fmt, lang),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/api/v1/exports/{file}",
    summary="A table view as CSV or XLSX (Vietnamese headers; English with lang=en)",
    description="`file` is `<table>.<csv|xlsx>`, the table one of: "
    + ", ".join(f"`{name}` ({spec.title_en}, from `{VIEWS[spec.view].path}`)" for name, spec in SPECS.items())
    + ". Every other query parameter goes to that JSON view unchanged.",
    response_class=Response,
    responses=_RESPONSES,
)
@reads_own_query
async def export(
    request: Request,
    ctx: Ctx,
    file: ExportFile,
    lang: Annotated[Literal["vi", "en"], Query(description="Language of headers and labels.")] = "vi",
) -> Response:
    spec, fmt = _spec(file)
    view = VIEWS[spec.view]
    body = await view.body(ctx, view_args(view, request))
    return _attachment(spec, body, fmt, lang)


@router.get(
    "/api/v1/snapshots/{name}/exports/{file}",
    summary="A table of a frozen snapshot as CSV or XLSX (e.g. the quarterly report sent to the province)",
    description="The same tables as /api/v1/exports, cut from the bodies the snapshot froze; 404 when the "
    "snapshot did not freeze the view a table comes from.",
    response_class=Response,
    responses=_RESPONSES,
)
async def export_snapshot(
    ctx: Ctx,
    name: SnapshotName,
    file: ExportFile,
    lang: Annotated[Literal["vi", "en"], Query(description="Language of headers and labels.")] = "vi",
) -> Response:
    spec, fmt = _spec(file)
    try:
        snapshot = await snapshots.get(ctx, name)
    except snapshots.SnapshotNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    if spec.view not in snapshot["views"]:  # a snapshot stores each body under its view's registry name
        path = VIEWS[spec.view].path
        raise HTTPException(404, f"snapshot {name!r} did not freeze {path}, where table {spec.name!r} comes from")
    return _attachment(spec, snapshot["views"][spec.view], fmt, lang, stem=name)
