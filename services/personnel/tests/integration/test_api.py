"""Personnel's HTTP API on the real PostgreSQL (a fresh database) and Kafka: the 2024 tree, the 2025-07-01
reorganisation carrying officers and teams, the 404/409/422 cases, and all-or-nothing bulk imports."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_plumbing.auth import Role, mint_token
from personnel.config import Settings
from services.personnel.tests.integration.support import appoint, build_2024_province, ok, outbox_rows, unit

pytestmark = pytest.mark.integration


def tree_ids(node: dict[str, Any]) -> dict[str, Any]:
    return {node["unit_id"]: {k: v for c in node["children"] for k, v in tree_ids(c).items()}}


def test_reorganisation_dated_in_the_past_keeps_2024_and_carries_people(api: TestClient, database: str) -> None:
    build_2024_province(api)
    officer_a = appoint(api, "TD-A", ["it_technical"])
    team = ok(api.post("/api/v1/community-teams", json={"commune_id": "TD-B", "established_on": "2023-05-01"}), 201)
    # 2025-07-01: communes A and B merge into AB, the district level goes away, C moves to the province.
    unit(api, "AB", "commune", "TD", valid_from="2025-07-01")
    ok(
        api.post(
            "/api/v1/units/merge",
            json={"successor_id": "AB", "predecessor_ids": ["TD-A", "TD-B"], "effective_date": "2025-07-01"},
        )
    )
    ok(api.post("/api/v1/units/AB/move", json={"parent_id": "VP", "effective_date": "2025-07-01"}))
    ok(api.post("/api/v1/units/TD-C/move", json={"parent_id": "VP", "effective_date": "2025-07-01"}))
    ok(api.post("/api/v1/units/TD/dissolve", json={"effective_date": "2025-07-01"}))

    old = ok(api.get("/api/v1/units/tree", params={"as_of": "2024-12-31"}))["roots"]
    new = ok(api.get("/api/v1/units/tree", params={"as_of": "2025-07-01"}))["roots"]
    assert tree_ids(old[0]) == {"VP": {"SO-KHCN": {}, "TD": {"TD-A": {}, "TD-B": {}, "TD-C": {}}}}
    assert tree_ids(new[0]) == {"VP": {"AB": {}, "SO-KHCN": {}, "TD-C": {}}}

    history = ok(api.get("/api/v1/units/TD-A/history"))
    assert history["valid_to"] == "2025-06-30"
    assert [(s["successor_id"], s["change"]) for s in history["successors"]] == [("AB", "merge")]
    ab = ok(api.get("/api/v1/units/AB"))
    assert sorted(p["predecessor_id"] for p in ab["predecessors"]) == ["TD-A", "TD-B"]

    officer = ok(api.get(f"/api/v1/officers/{officer_a}"))
    assert [(p["unit_id"], p["valid_from"], p["valid_to"]) for p in officer["periods"]] == [
        ("TD-A", "2024-01-15", "2025-06-30"),
        ("AB", "2025-07-01", None),
    ]
    assert ok(api.get(f"/api/v1/community-teams/{team['team_id']}"))["commune_id"] == "AB"
    in_2024 = ok(api.get("/api/v1/officers", params={"as_of": "2024-12-31", "unit_id": "TD-A"}))
    assert in_2024["total"] == 1

    # The events went to the outbox in the same transactions, with causation linking the carried officer.
    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    types = [r["event_type"].removeprefix("vn.cds.personnel.") for r in rows]
    assert types.count("org_unit.merged") == 1 and types.count("org_unit.dissolved") == 1
    merged = next(r for r in rows if r["event_type"].endswith("org_unit.merged"))
    carried = next(r for r in rows if r["event_type"].endswith("officer.transferred"))
    assert carried["key"] == officer_a
    assert carried["headers"]["causation_id"] == merged["headers"]["event_id"]
    assert carried["headers"]["actor"] == "admin"


def test_conflicts_and_missing_things_are_4xx_with_reasons(api: TestClient) -> None:
    build_2024_province(api)
    r = api.post(
        "/api/v1/units",
        json={"unit_id": "TD", "name_vi": "x", "kind": "other", "level": "district", "valid_from": "2020-01-01"},
    )
    assert r.status_code == 409 and "already used" in r.json()["detail"]
    assert api.get("/api/v1/units/NOPE").status_code == 404
    assert (
        api.post(
            "/api/v1/officers/CB-NOPE/departure", json={"effective_date": "2025-01-01", "reason": "other"}
        ).status_code
        == 404
    )
    r = api.post(
        "/api/v1/units",
        json={
            "unit_id": "X",
            "name_vi": "x",
            "kind": "other",
            "level": "district",
            "parent_id": "TD-A",
            "valid_from": "2020-01-01",
        },
    )
    assert r.status_code == 422 and "cannot be placed under commune" in r.json()["detail"]
    r = api.post("/api/v1/units/TD/dissolve", json={"effective_date": "2025-07-01"})
    assert r.status_code == 409 and "3 sub-units" in r.json()["detail"]

    officer = appoint(api, "SO-KHCN", ["it_leader"], day="2024-03-01")
    r = api.post(f"/api/v1/officers/{officer}/transfer", json={"to_unit_id": "TD", "effective_date": "2024-02-01"})
    assert r.status_code == 409 and "date order" in r.json()["detail"]
    ok(
        api.post(
            f"/api/v1/officers/{officer}/departure",
            json={"effective_date": "2025-03-01", "reason": "private_sector", "destination": "FPT"},
        )
    )
    r = api.post(
        f"/api/v1/officers/{officer}/assignment",
        json={"assignment": "dedicated", "functions": [], "effective_date": "2025-04-01"},
    )
    assert r.status_code == 409 and "only a correction" in r.json()["detail"]
    # ...but a correction is accepted, and moves the end of the last period with the departure date.
    ok(api.post(f"/api/v1/officers/{officer}/corrections", json={"departure_date": "2025-02-01", "note": "typo"}))
    record = ok(api.get(f"/api/v1/officers/{officer}"))
    assert record["departed_on"] == "2025-02-01" and record["periods"][-1]["valid_to"] == "2025-01-31"


def test_unit_editors_write_only_inside_their_subtree(api: TestClient) -> None:
    build_2024_province(api)
    settings = Settings()
    editor = mint_token(settings, Role.UNIT_EDITOR, unit="TD", subject="td-editor")
    headers = {"Authorization": f"Bearer {editor}"}
    body = {
        "full_name": "Phạm Thị D",
        "employment_category": "public_employee",
        "assignment": "concurrent",
        "functions": [],
        "effective_date": "2024-02-01",
    }
    assert api.post("/api/v1/officers", json={**body, "unit_id": "TD-C"}, headers=headers).status_code == 201
    assert api.post("/api/v1/officers", json={**body, "unit_id": "SO-KHCN"}, headers=headers).status_code == 403
    viewer = {"Authorization": f"Bearer {mint_token(settings, Role.VIEWER)}"}
    assert api.post("/api/v1/officers", json={**body, "unit_id": "TD-C"}, headers=viewer).status_code == 403


def test_an_import_with_any_bad_row_writes_nothing_and_lists_every_error(api: TestClient) -> None:
    build_2024_province(api)
    csv = (
        "Họ và tên,Mã đơn vị,Đối tượng,Hình thức,Nhiệm vụ,Ngày bổ nhiệm\n"
        "Nguyễn Thị Lan,SO-KHCN,Công chức,Chuyên trách,Kỹ thuật CNTT,15/03/2024\n"
        "Trần Văn Bình,KHONG-CO,Cán bộ,Kiêm nhiệm,,2024-01-02\n"
        "Lê Văn C,TD-A,Cán bộ,part-time,,2024-01-02\n"
    )
    r = api.post("/api/v1/imports/officers", content=csv.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 422, r.text
    errors = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert errors == {(4, "assignment")}  # row-level validation first; the unit check runs once rows are valid
    fixed = csv.replace("part-time", "Kiêm nhiệm")
    r = api.post("/api/v1/imports/officers", content=fixed.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 422 and {(e["row"], e["field"]) for e in r.json()["errors"]} == {(3, "unit_id")}
    assert ok(api.get("/api/v1/officers", params={"status": "all"}))["total"] == 0
    good = fixed.replace("KHONG-CO", "TD-B")
    assert (
        ok(api.post("/api/v1/imports/officers", content=good.encode(), headers={"content-type": "text/csv"}), 201)[
            "imported"
        ]
        == 3
    )
    assert ok(api.get("/api/v1/officers", params={"as_of": "2024-12-31"}))["total"] == 3


def test_a_15000_row_import_is_written_in_one_go(api: TestClient, database: str) -> None:
    build_2024_province(api)
    rows = [
        f'{{"full_name": "Cán bộ {i}", "unit_id": "TD-{"ABC"[i % 3]}", "employment_category": "public_employee",'
        f' "assignment": "concurrent", "functions": ["cds_network_member"], "effective_date": "2024-02-01"}}'
        for i in range(15_000)
    ]
    started = time.perf_counter()
    r = api.post(
        "/api/v1/imports/officers", content="\n".join(rows).encode(), headers={"content-type": "application/x-ndjson"}
    )
    elapsed = time.perf_counter() - started
    assert r.status_code == 201, r.text[:500]
    print(f"\n15,000-row officer import: {elapsed:.1f} s")  # a figure for the record, not a timed assertion
    assert ok(api.get("/api/v1/officers", params={"unit_id": "TD-B", "limit": 1}))["total"] == 5_000
    # The planner knows at once (autovacuum would take a minute or more): the commands after the import
    # look officers up by index, not by scanning a table it believes holds a handful of rows.
    estimated = asyncio.run(planner_rows(database, ("officers", "officer_periods")))
    assert all(n >= 15_000 for n in estimated.values()), estimated


async def planner_rows(dsn: str, tables: tuple[str, ...]) -> dict[str, float]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT relname, reltuples FROM pg_class WHERE relname = ANY($1)", list(tables))
        return {r["relname"]: r["reltuples"] for r in rows}
    finally:
        await conn.close()
