"""/api/v1/packages: a province package (zip of CSV files, or JSON Lines) imported whole or not at all.

POST checks the whole package first (files, every row, references between rows and files, the database)
and answers at once: a 4xx problem listing every error with its file, row and column; with
`?dry_run=true` a 200 report (errors and the counts it would write) and nothing written; otherwise 202
with the import record, while the package is written in the background in one transaction. GET
/api/v1/packages/{import_id} shows the record: status, phase and rows done, counts. province_admin only.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cds_contracts.bounds import Line
from cds_plumbing.auth import Principal, Reader, Role, Writer
from cds_plumbing.http import Limit, Offset, page, problem
from personnel.adapters import package_imports_repo as records
from personnel.domain.errors import NotFoundError
from personnel.service_layer import packages
from personnel.service_layer.import_checks import RowError
from personnel.service_layer.package_files import Limits, PackageRejectedError
from personnel.service_layer.unit_of_work import UnitOfWork

from .deps import pool, uow

router = APIRouter(prefix="/api/v1/packages", tags=["province packages"])
MAX_ERRORS = 1000  # a package with an error on every row answers the first thousand (and the count)
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            # JSON Lines as text; either form as plain bytes (a zip is told by its first bytes, not its type)
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_TASKS: set[asyncio.Task[None]] = set()  # running imports, referenced so they are not collected mid-way


class PackageError(BaseModel):
    file: str | None = Field(description="File of the package (don_vi.csv, ...); null for the package as a whole.")
    row: int = Field(description="Line in the file (1 is a CSV's header); 0 when the error is not one row's.")
    field: str | None = Field(description="Column (the field it maps to), if the error is one column's.")
    message: str


class DryRunReport(BaseModel):
    dry_run: Literal[True] = True
    valid: bool = Field(description="True when a real run would write the package as it is now.")
    file_name: str
    sha256: str
    counts: dict[str, int] = Field(description="Rows per kind that a real run would write.")
    events: int = Field(description="Events a real run would publish.")
    error_count: int
    errors: list[PackageError] = Field(description="Every error (the first thousand), by file and row.")


class PackageImport(BaseModel):
    import_id: uuid.UUID
    actor: str | None = Field(description="Subject of the token that sent the package.")
    file_name: str
    sha256: str = Field(description="SHA-256 of the package as sent.")
    size_bytes: int
    status: Literal["running", "succeeded", "failed"]
    phase: str = Field(description="queued, checking, writing <kind>, done or failed.")
    rows_total: int
    rows_done: int = Field(description="Rows written so far in the open transaction (visible on success).")
    counts: dict[str, int] = Field(description="Rows per kind in the package.")
    error: str | None = Field(description="Why the run failed; nothing of a failed run is written.")
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None


def _admin_only(who: Principal) -> None:
    if who.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(403, detail="province packages are reserved to the province_admin role")


def _errors(errors: list[RowError]) -> list[dict[str, Any]]:
    return [{"file": e.file, "row": e.row, "field": e.field, "message": e.message} for e in errors[:MAX_ERRORS]]


async def package_rejected(request: Request, exc: PackageRejectedError) -> JSONResponse:
    title = "Package too large" if exc.status == 413 else "Package rejected"
    return problem(
        exc.status,
        title,
        str(exc),
        instance=request.url.path,
        rows=exc.rows,
        errors=_errors(exc.errors),
        error_count=len(exc.errors),
    )


@router.post(
    "",
    status_code=202,
    response_model=PackageImport,
    openapi_extra=_BODY,
    responses={200: {"model": DryRunReport, "description": "The dry run's report; nothing was written."}},
)
async def import_package(
    request: Request,
    response: Response,
    who: Writer,
    dry_run: Annotated[bool, Query(description="Check everything and report; write nothing.")] = False,
    file_name: Annotated[Line | None, Query(max_length=200, description="Kept in the record.")] = None,
) -> Any:
    """Zip of CSV files (UTF-8, Vietnamese or English headers) or JSON Lines with a `kind` per line, up to
    `PERSONNEL_PACKAGE_MAX_BYTES`. 202: the import record (follow `Location` for its progress)."""
    _admin_only(who)
    data = bytearray()
    async for chunk in request.stream():  # the size cap is counted while reading (RequestLimits)
        data += chunk
    settings = request.app.state.runtime.settings
    limits = Limits(max_uncompressed_bytes=settings.package_max_uncompressed_bytes)
    name = file_name or ("package.zip" if data[:2] == b"PK" else "package.jsonl")
    # Unpacking and validating up to 200,000 rows is CPU work: off the event loop.
    package = await asyncio.to_thread(packages.read, bytes(data), name, limits)
    async with pool(request).acquire() as conn, conn.transaction(readonly=True):
        _, found = await packages.check(UnitOfWork.joined(conn, who.subject), package)
    errors = packages.sort_errors(package.errors + found)
    if dry_run:
        report = DryRunReport(
            valid=not errors,
            file_name=name,
            sha256=package.sha256,
            counts=package.counts,
            events=package.events,
            error_count=len(errors),
            errors=[PackageError(**e) for e in _errors(errors)],
        )
        return JSONResponse(report.model_dump(mode="json"))
    if errors:
        raise PackageRejectedError(errors, package.total)
    import_id = uuid.uuid4()
    # In a unit of work: with an Idempotency-Key the record commits together with the stored answer, so a
    # retry gets this 202 back instead of importing twice (the run waits until the record is committed).
    async with uow(request, who) as u:
        await records.create(u.conn, import_id, who.subject, name, package.sha256, package.size_bytes, package.counts)
        record = await records.get(u.conn, import_id)
    runtime = request.app.state.runtime
    # A fresh context: the request's (its Idempotency-Key slot among others) must not reach the import's
    # unit of work, which commits on its own long after this answer.
    task = asyncio.create_task(
        packages.run(runtime.pool, runtime.stop, import_id, package, who.subject), context=contextvars.Context()
    )
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    response.headers["Location"] = f"/api/v1/packages/{import_id}"
    return PackageImport.model_validate(record)


@router.get("")
async def list_imports(request: Request, who: Reader, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
    """The latest package imports first."""
    _admin_only(who)
    async with pool(request).acquire() as conn:
        await records.reap(conn)
        items, total = await records.recent(conn, limit, offset)
    return page([PackageImport.model_validate(i).model_dump(mode="json") for i in items], total, limit, offset)


@router.get("/{import_id}")
async def get_import(import_id: uuid.UUID, request: Request, who: Reader) -> PackageImport:
    _admin_only(who)
    async with pool(request).acquire() as conn:
        await records.reap(conn)
        record = await records.get(conn, import_id)
    if record is None:
        raise NotFoundError(f"package import {import_id} does not exist")
    return PackageImport.model_validate(record)
