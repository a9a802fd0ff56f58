"""The former provinces a report can be sliced by (`former_province`; the rule in domain/slices.py)."""

from __future__ import annotations

from typing import Any

from reporting.adapters import lineage_queries, queries
from reporting.adapters.projection_schema import read_snapshot
from reporting.service_layer.context import ViewContext


async def former_provinces(ctx: ViewContext) -> dict[str, Any]:
    async with read_snapshot(ctx.pool) as conn:
        rows = await lineage_queries.former_provinces(conn)
        current = await queries.current_to(conn, ctx.consumer)
        return {
            "current_to": current.isoformat() if current else None,
            "former_provinces": [
                {
                    "unit_id": r["unit_id"],
                    "name_vi": r["name_vi"],
                    "name_en": r["name_en"],
                    "valid_from": r["valid_from"].isoformat(),
                    "valid_to": r["valid_to"].isoformat(),
                    "units": r["units"],
                }
                for r in rows
            ],
        }
