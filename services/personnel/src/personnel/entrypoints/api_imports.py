"""/api/v1/imports/{kind}: bulk import from CSV (UTF-8, Vietnamese or English headers) or JSON Lines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from cds_plumbing.auth import Role, Writer
from personnel.service_layer.imports import Format, Kind, run_import

from .deps import uow

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/{kind}", status_code=201, openapi_extra=_BODY)
async def import_file(
    kind: Kind,
    request: Request,
    who: Writer,
    format: Annotated[Format | None, Query(description="csv or jsonl; taken from Content-Type when omitted.")] = None,
) -> dict[str, Any]:
    """Validate every row, then write all of them or none. 422 lists each row's errors."""
    if who.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(403, detail="bulk imports are reserved to the province_admin role")
    fmt: Format = format or ("jsonl" if "json" in request.headers.get("content-type", "") else "csv")
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(422, detail=f"the file is not UTF-8 text: {exc}") from exc
    async with uow(request, who) as u:
        imported = await run_import(u, kind, text, fmt)
    return {"kind": kind, "imported": imported}
