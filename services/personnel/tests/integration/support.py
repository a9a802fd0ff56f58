"""Helpers shared by personnel's integration tests."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from fastapi.testclient import TestClient


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def unit(
    api: TestClient,
    unit_id: str,
    level: str,
    parent: str | None,
    kind: str = "peoples_committee",
    valid_from: str = "2020-01-01",
) -> None:
    ok(
        api.post(
            "/api/v1/units",
            json={
                "unit_id": unit_id,
                "name_vi": f"Đơn vị {unit_id}",
                "kind": kind,
                "level": level,
                "parent_id": parent,
                "valid_from": valid_from,
            },
        ),
        201,
    )


def appoint(
    api: TestClient, unit_id: str, functions: list[str], assignment: str = "concurrent", day: str = "2024-01-15"
) -> str:
    body = {
        "full_name": "Nguyễn Văn A",
        "unit_id": unit_id,
        "employment_category": "civil_servant",
        "assignment": assignment,
        "functions": functions,
        "effective_date": day,
    }
    return str(ok(api.post("/api/v1/officers", json=body), 201)["officer_id"])


def build_2024_province(api: TestClient) -> None:
    unit(api, "VP", "province", None)
    unit(api, "SO-KHCN", "province", "VP", kind="state_agency")
    unit(api, "TD", "district", "VP")
    for c in ("TD-A", "TD-B", "TD-C"):
        unit(api, c, "commune", "TD")


async def outbox_rows(dsn: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """SELECT event_type, event_version, topic, key, headers::text AS headers, payload::text AS payload
               FROM outbox ORDER BY id"""
        )
        return [
            {**dict(r), "headers": json.loads(r["headers"]), "payload": r["payload"] and json.loads(r["payload"])}
            for r in rows
        ]
    finally:
        await conn.close()
