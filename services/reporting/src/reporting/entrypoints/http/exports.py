"""`GET /api/v1/exports/{table}.{csv|xlsx}`: a table view as a spreadsheet, with the same query parameters.

The JSON view is read in-process and cut into a table by its spec, so an export always shows the JSON
view's own figures; the view's errors (unknown unit, missing year) come back as they are."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from reporting.adapters.spreadsheets import FORMATS, MEDIA_TYPES, Fmt, filename, render
from reporting.domain.tables import TableSpec
from reporting.entrypoints.http.models.snapshots import SnapshotName
from reporting.entrypoints.http.params import Ctx
from reporting.entrypoints.inprocess import ViewError, get_view
from reporting.service_layer import snapshots
from reporting.service_layer.export_tables import SPECS

router = APIRouter(prefix="/api/v1", tags=["exports"])
Lang = Literal["vi", "en"]
# Any safe file name: an unknown table or format is the handler's 404, as before.
ExportFile = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,80}$", description="e.g. headcount.xlsx")]
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {m: {} for m in MEDIA_TYPES.values()}},
    404: {"description": "Unknown table"},
}


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
    "/exports/{file}",
    summary="A table view as CSV or XLSX (Vietnamese headers; English with lang=en)",
    description="`file` is `<table>.<csv|xlsx>`, the table one of: "
    + ", ".join(f"`{name}` ({spec.title_en}, from `{spec.path}`)" for name, spec in SPECS.items())
    + ". Every other query parameter goes to that JSON view unchanged.",
    response_class=Response,
    responses=_RESPONSES,
)
async def export(
    request: Request,
    file: ExportFile,
    lang: Annotated[Literal["vi", "en"], Query(description="Language of headers and labels.")] = "vi",
) -> Response:
    spec, fmt = _spec(file)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    try:
        body = await get_view(request, spec.path, params)
    except ViewError as exc:
        raise HTTPException(exc.status, exc.detail, headers=exc.headers) from exc
    return _attachment(spec, body, fmt, lang)


@router.get(
    "/snapshots/{name}/exports/{file}",
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
    frozen = [v for v, request in snapshot["params"]["views"].items() if request["path"] == spec.path]
    if not frozen:
        raise HTTPException(404, f"snapshot {name!r} did not freeze {spec.path}, where table {spec.name!r} comes from")
    return _attachment(spec, snapshot["views"][frozen[0]], fmt, lang, stem=name)
