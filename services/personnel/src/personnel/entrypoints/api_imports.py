"""/api/v1/imports/{kind}: bulk import from CSV (UTF-8, Vietnamese or English headers) or JSON Lines."""

from __future__ import annotations

import asyncio
import codecs
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from cds_plumbing.auth import Role, Writer
from personnel.service_layer.imports import Format, Kind, read_rows, write_rows

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
    """Validate every row, then write all of them or none. 422 lists each row's errors. The file may be
    up to `PERSONNEL_IMPORT_MAX_BYTES` (32 MiB; 413 above), read as a stream."""
    if who.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(403, detail="bulk imports are reserved to the province_admin role")
    fmt: Format = format or ("jsonl" if "json" in request.headers.get("content-type", "") else "csv")
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    try:
        async for chunk in request.stream():  # the size cap is counted while reading (RequestLimits)
            parts.append(decoder.decode(chunk))
        parts.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise HTTPException(422, detail=f"the file is not UTF-8 text: {exc}") from exc
    # Parsing and validating up to 50,000 rows is CPU work: off the event loop, so the service keeps answering.
    count, rows = await asyncio.to_thread(read_rows, kind, "".join(parts), fmt)
    async with uow(request, who) as u:
        imported = await write_rows(u, kind, count, rows)
    return {"kind": kind, "imported": imported}
