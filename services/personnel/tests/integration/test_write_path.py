"""The write commands whose statements were joined to save round trips (make bench, the write side) still
record exactly what they did: an appointment's officer and period, a transfer's closed and opened periods
(or the replaced one on the same day), the events in order; and a province admin's unknown officer or team
is still a 404 now that its scope check no longer looks it up."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from fastapi.testclient import TestClient

from services.personnel.tests.integration.support import appoint, build_2024_province, ok, outbox_rows


def _periods(api: TestClient, officer: str) -> list[tuple[Any, ...]]:
    record = ok(api.get(f"/api/v1/officers/{officer}"))
    return [(p["valid_from"], p["valid_to"], p["unit_id"]) for p in record["periods"]]


async def _updated_at(dsn: str, officer: str) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SELECT updated_at FROM officers WHERE officer_id = $1", officer)
    finally:
        await conn.close()


def test_appointment_and_transfers_record_their_periods_and_events(api: TestClient, database: str) -> None:
    build_2024_province(api)
    officer = appoint(api, "TD-A", ["it_technical"], day="2024-03-01")
    assert _periods(api, officer) == [("2024-03-01", None, "TD-A")]
    events = [r["event_type"].rsplit(".", 1)[-1] for r in asyncio.run(outbox_rows(database)) if r["key"] == officer]
    assert events == ["stated", "appointed"]  # the profile first, then the appointment

    before = asyncio.run(_updated_at(database, officer))
    body = {"to_unit_id": "TD-B", "effective_date": "2024-06-01"}
    ok(api.post(f"/api/v1/officers/{officer}/transfer", json=body))
    assert _periods(api, officer) == [("2024-03-01", "2024-05-31", "TD-A"), ("2024-06-01", None, "TD-B")]
    assert asyncio.run(_updated_at(database, officer)) > before

    # On the day the current period starts, a transfer replaces that period instead of closing it.
    body = {"to_unit_id": "TD-C", "effective_date": "2024-06-01"}
    ok(api.post(f"/api/v1/officers/{officer}/transfer", json=body))
    assert _periods(api, officer) == [("2024-03-01", "2024-05-31", "TD-A"), ("2024-06-01", None, "TD-C")]
    moves = [r["payload"] for r in asyncio.run(outbox_rows(database)) if r["event_type"].endswith("transferred")]
    assert [(m["from_unit_id"], m["to_unit_id"]) for m in moves] == [("TD-A", "TD-B"), ("TD-B", "TD-C")]


def test_a_province_admin_still_gets_404_for_an_unknown_officer_or_team(api: TestClient) -> None:
    build_2024_province(api)
    r = api.post("/api/v1/officers/CB-NONE/transfer", json={"to_unit_id": "TD", "effective_date": "2024-06-01"})
    assert r.status_code == 404 and "officer CB-NONE does not exist" in r.json()["detail"]
    body = {"full_name": "Lê Văn B", "affiliation": "youth_union", "joined_on": "2024-06-01"}
    r = api.post("/api/v1/community-teams/TCN-NONE/members", json=body)
    assert r.status_code == 404 and "community team TCN-NONE does not exist" in r.json()["detail"]
