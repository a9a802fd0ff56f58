"""Personal data in personnel: names leave only through the compacted profile topic, erasure pseudonymises
an officer or a community member in every table and outbox copy (and writes the profile's tombstone),
personal fields follow the caller's role and unit, and a unit editor's units stay under its scope root."""

from __future__ import annotations

import json

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_plumbing.auth import Role, mint_token
from personnel.config import Settings
from services.personnel.tests.integration.support import appoint, build_2024_province, ok, outbox_rows

pytestmark = pytest.mark.integration
ERASE = {"reference": "DSR-2026-017"}


def as_(role: Role, unit: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role, unit=unit, subject=f'{role}-{unit}')}"}


async def dump(dsn: str) -> str:
    """Every row of every table of the database, as text (what a backup would hold)."""
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        rows = [dict(r) for t in tables for r in await conn.fetch(f'SELECT * FROM "{t["tablename"]}"')]
        return json.dumps(rows, default=str, ensure_ascii=False)
    finally:
        await conn.close()


def member(api: TestClient, commune: str, name: str) -> tuple[str, str]:
    team = ok(api.post("/api/v1/community-teams", json={"commune_id": commune, "established_on": "2023-05-01"}), 201)
    body = {"full_name": name, "affiliation": "youth_union", "role": "leader", "joined_on": "2023-06-01"}
    added = ok(api.post(f"/api/v1/community-teams/{team['team_id']}/members", json=body), 201)
    return team["team_id"], added["member_id"]


def test_names_travel_only_on_the_profile_topic_and_a_correction_of_the_name_only_changes_it(
    api: TestClient, database: str
) -> None:
    build_2024_province(api)
    officer_id = appoint(api, "SO-KHCN", ["it_technical"])
    fix = {"full_name": "Nguyễn Văn Ánh", "note": "Tên gõ sai"}
    ok(api.post(f"/api/v1/officers/{officer_id}/corrections", json=fix))
    rows = [r for r in api.portal.call(outbox_rows, database) if r["key"] == officer_id]  # type: ignore[union-attr]
    assert [(r["topic"], r["event_type"]) for r in rows] == [
        ("personnel.officer-profile", "vn.cds.personnel.officer_profile.stated"),
        ("personnel.officer", "vn.cds.personnel.officer.appointed"),
        ("personnel.officer-profile", "vn.cds.personnel.officer_profile.stated"),  # no OfficerCorrected: no change
    ]
    assert [r["payload"]["full_name"] for r in rows if r["topic"].endswith("profile")] == [
        "Nguyễn Văn A",
        fix["full_name"],
    ]
    for row in rows:
        if not row["topic"].endswith("profile"):
            assert "Nguyễn" not in json.dumps(row["payload"], ensure_ascii=False)
    assert "Tên gõ sai" in api.portal.call(dump, database)  # type: ignore[union-attr]  # the note stays here


def test_erasing_an_officer_and_a_member_leaves_no_name_and_every_fact(api: TestClient, database: str) -> None:
    build_2024_province(api)
    officer_id = appoint(api, "TD-A", ["it_technical"])
    ok(
        api.post(
            f"/api/v1/officers/{officer_id}/departure",
            json={"effective_date": "2024-09-01", "reason": "private_sector", "destination": "Công ty FPT"},
        )
    )
    ok(api.post(f"/api/v1/officers/{officer_id}/corrections", json={"birth_year": 1990, "note": "Bổ sung năm sinh"}))
    team_id, member_id = member(api, "TD-B", "Trần Thị Mận")
    before = ok(api.get("/api/v1/officers", params={"status": "all", "unit_id": "TD-A"}))["total"]

    assert (
        api.post(f"/api/v1/officers/{officer_id}/erasure", json=ERASE, headers=as_(Role.UNIT_EDITOR, "TD")).status_code
        == 403
    )
    assert api.post(f"/api/v1/officers/{officer_id}/erasure", json={}).status_code == 422  # the request's reference
    assert api.post("/api/v1/officers/CB-NOBODY/erasure", json=ERASE).status_code == 404
    done = ok(api.post(f"/api/v1/officers/{officer_id}/erasure", json=ERASE))
    assert (done["subject_kind"], done["already_erased"]) == ("officer", False)
    again = ok(api.post(f"/api/v1/officers/{officer_id}/erasure", json=ERASE))
    assert (again["already_erased"], again["erased_at"]) == (True, done["erased_at"])  # idempotent
    ok(api.post(f"/api/v1/community-members/{member_id}/erasure", json=ERASE))

    record = ok(api.get(f"/api/v1/officers/{officer_id}"))
    personal = ("full_name", "birth_year", "gender", "departure_destination")
    assert {k: record[k] for k in personal} == dict.fromkeys(personal) and record["erased"] is True
    assert (record["departed_on"], record["departure_reason"], record["unit_id"]) == (
        "2024-09-01",
        "private_sector",
        "TD-A",
    )
    assert ok(api.get("/api/v1/officers", params={"status": "all", "unit_id": "TD-A"}))["total"] == before
    (m,) = ok(api.get(f"/api/v1/community-teams/{team_id}"))["members"]
    assert (m["member_id"], m["full_name"], m["erased"], m["affiliation"]) == (member_id, None, True, "youth_union")
    r = api.post(f"/api/v1/officers/{officer_id}/corrections", json={"full_name": "X", "note": "n"})
    assert r.status_code == 409 and "erased" in r.json()["detail"]

    everything = api.portal.call(dump, database)  # type: ignore[union-attr]
    for gone in ("Nguyễn Văn A", "Công ty FPT", "Bổ sung năm sinh", "Trần Thị Mận"):
        assert gone not in everything, gone
    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    (tombstone,) = [r for r in rows if r["topic"] == "personnel.officer-profile"]  # the profile records went
    assert (tombstone["key"], tombstone["payload"]) == (officer_id, None)
    assert tombstone["event_type"] == "vn.cds.personnel.officer_profile.erased"

    log = ok(api.get("/api/v1/audit/personal-data-access", params={"subject": officer_id}))["items"]
    erasures = [e for e in log if e["operation"].startswith("erasure")]
    assert [(e["operation"], e["actor"]) for e in erasures] == [("erasure (DSR-2026-017)", "admin")] * 2


def test_personal_fields_follow_the_role_and_the_unit(api: TestClient, database: str) -> None:
    build_2024_province(api)
    inside = appoint(api, "TD-A", ["it_technical"])
    outside = appoint(api, "SO-KHCN", ["it_technical"])
    views = {
        "viewer": as_(Role.VIEWER),
        "editor of TD": as_(Role.UNIT_EDITOR, "TD"),
        "admin": as_(Role.PROVINCE_ADMIN),
    }
    seen = {
        who: {o["officer_id"]: o["full_name"] for o in ok(api.get("/api/v1/officers", headers=h))["items"]}
        for who, h in views.items()
    }
    assert seen["viewer"] == {inside: None, outside: None}
    assert seen["editor of TD"] == {inside: "Nguyễn Văn A", outside: None}  # TD-A lies under TD
    assert seen["admin"] == {inside: "Nguyễn Văn A", outside: "Nguyễn Văn A"}
    detail = ok(api.get(f"/api/v1/officers/{inside}", headers=views["viewer"]))
    assert detail["full_name"] is None and detail["unit_id"] == "TD-A" and detail["functions"] == ["it_technical"]


def test_a_unit_editor_cannot_move_a_unit_out_of_its_subtree(api: TestClient) -> None:
    build_2024_province(api)
    editor = as_(Role.UNIT_EDITOR, "TD")
    move: dict[str, str | None] = {"effective_date": "2025-01-01"}

    def status(unit: str, parent: str | None) -> int:
        r = api.post(f"/api/v1/units/{unit}/move", json={**move, "parent_id": parent}, headers=editor)
        return int(r.status_code)

    assert status("TD", None) == 403  # its own scope root to the top of the tree
    assert status("TD-A", None) == 403  # a sub-unit to the top
    assert status("TD", "SO-KHCN") == 403  # its root elsewhere
    assert status("TD-A", "VP") == 403  # a sub-unit above its scope root
    assert status("TD-A", "TD-B") == 200  # within the subtree: fine
    r = api.post(
        "/api/v1/units",
        json={
            "unit_id": "NEW",
            "name_vi": "Mới",
            "kind": "other",
            "level": "commune",
            "parent_id": None,
            "valid_from": "2025-01-01",
        },
        headers=editor,
    )
    assert r.status_code == 403
