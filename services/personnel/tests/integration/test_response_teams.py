"""Incident-response teams on the real PostgreSQL and Kafka: a departing member leaves every team in the
departure's transaction, on-call coverage reports its exact gaps, and incidents go reported →
acknowledged → resolved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_plumbing.auth import Role, mint_token
from personnel.config import Settings
from services.personnel.tests.integration.support import appoint, build_2024_province, ok, outbox_rows
from tests.support.clock import province_today

pytestmark = pytest.mark.integration

BASE = "/api/v1/response-teams"


def form(api: TestClient, team_id: str, scope: str = "provincial", unit_id: str = "VP") -> str:
    body = {"team_id": team_id, "name": f"Đội ứng cứu {team_id}", "scope": scope, "unit_id": unit_id}
    return str(ok(api.post(BASE, json={**body, "formed_on": "2024-06-01"}), 201)["team_id"])


def join(api: TestClient, team_id: str, officer_id: str, role: str, day: str = "2024-06-01") -> None:
    ok(api.post(f"{BASE}/{team_id}/members", json={"officer_id": officer_id, "role": role, "joined_on": day}), 201)


def schedule(
    api: TestClient, team_id: str, start: str, end: str, primary: str, backup: str | None = None
) -> dict[str, Any]:
    body = {"starts_at": start, "ends_at": end, "primary_officer_id": primary, "backup_officer_id": backup}
    return api.post(f"{BASE}/{team_id}/shifts", json=body).json()  # type: ignore[no-any-return]


def gaps(api: TestClient, team_id: str, start: str, end: str) -> dict[str, Any]:
    return ok(api.get(f"{BASE}/{team_id}/coverage", params={"from": start, "to": end}))


def of_type(rows: list[dict[str, Any]], fact: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["event_type"] == f"vn.cds.personnel.response_team.{fact}"]


def test_a_member_who_departs_leaves_every_team_with_the_departure_as_cause(api: TestClient, database: str) -> None:
    build_2024_province(api)
    a, b, c = (appoint(api, "SO-KHCN", ["information_security"]) for _ in range(3))
    form(api, "DUC-VP")
    r = api.post(BASE, json={"name": "x", "scope": "provincial", "unit_id": "SO-KHCN", "formed_on": "2024-06-01"})
    assert r.status_code == 409 and "already has" in r.json()["detail"]
    r = api.post(BASE, json={"name": "x", "scope": "unit", "unit_id": "TD-A", "formed_on": "2019-01-01"})
    assert r.status_code == 409 and "does not exist on 2019-01-01" in r.json()["detail"]
    form(api, "DUC-KHCN", "unit", "SO-KHCN")
    join(api, "DUC-VP", a, "lead")
    join(api, "DUC-VP", b, "network_admin")
    join(api, "DUC-VP", c, "analyst")
    join(api, "DUC-KHCN", a, "liaison", "2024-07-01")

    r = api.post(f"{BASE}/DUC-VP/members", json={"officer_id": a, "role": "analyst", "joined_on": "2024-08-01"})
    assert r.status_code == 409 and "already a member" in r.json()["detail"]
    r = api.post(f"{BASE}/DUC-VP/members", json={"officer_id": "CB-NOPE", "role": "analyst", "joined_on": "2024-08-01"})
    assert r.status_code == 404
    r = api.post(f"{BASE}/DUC-NOPE/members", json={"officer_id": a, "role": "analyst", "joined_on": "2024-08-01"})
    assert r.status_code == 404
    r = api.post(f"{BASE}/DUC-VP/members", json={"officer_id": a, "role": "hacker", "joined_on": "2024-08-01"})
    assert r.status_code == 422

    # An upcoming shift where `a` is primary, and one where `a` is only the backup.
    tomorrow = province_today() + dt.timedelta(days=1)
    soon = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(8), tzinfo=dt.UTC)
    s1 = schedule(api, "DUC-VP", soon.isoformat(), (soon + dt.timedelta(hours=8)).isoformat(), a, b)["shift_id"]
    s2 = schedule(
        api, "DUC-VP", (soon + dt.timedelta(hours=8)).isoformat(), (soon + dt.timedelta(hours=16)).isoformat(), c, a
    )["shift_id"]

    # The departure (effective tomorrow) takes `a` off both teams in its own transaction.
    body = {"effective_date": tomorrow.isoformat(), "reason": "private_sector", "destination": "Viettel"}
    ok(api.post(f"/api/v1/officers/{a}/departure", json=body))

    team = ok(api.get(f"{BASE}/DUC-VP"))
    assert {m["officer_id"]: m["role"] for m in team["active_members"]} == {b: "network_admin", c: "analyst"}
    assert [(m["officer_id"], m["left_on"], m["left_reason"]) for m in team["past_members"]] == [
        (a, tomorrow.isoformat(), "departed")
    ]
    shifts = {s["shift_id"]: s for s in team["upcoming_shifts"]}
    assert shifts[s1]["primary_officer_id"] == a and shifts[s1]["uncovered"] is True  # kept, not reassigned
    assert shifts[s2]["uncovered"] is False and shifts[s2]["backup_unfilled"] is True
    assert ok(api.get(f"{BASE}/DUC-KHCN"))["active_members"] == []
    listed = ok(api.get(BASE))
    assert [(t["team_id"], t["active_members"]) for t in listed["items"]] == [("DUC-VP", 2), ("DUC-KHCN", 0)]

    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    (departed,) = [r for r in rows if r["event_type"] == "vn.cds.personnel.officer.departed"]
    left = of_type(rows, "member_left")
    assert sorted(r["key"] for r in left) == ["DUC-KHCN", "DUC-VP"]
    for r in left:
        assert r["payload"] == {
            "team_id": r["key"],
            "officer_id": a,
            "left_on": tomorrow.isoformat(),
            "reason": "departed",
        }
        assert r["headers"]["causation_id"] == departed["headers"]["event_id"]
    assert len(of_type(rows, "member_joined")) == 4 and len(of_type(rows, "formed")) == 2

    # A departed officer cannot join; correcting a departure date that closed team memberships is refused,
    # since the memberships (and reporting's copy of them) would keep the old date.
    r = api.post(f"{BASE}/DUC-VP/members", json={"officer_id": a, "role": "lead", "joined_on": "2024-08-01"})
    assert r.status_code == 409 and "departed" in r.json()["detail"]
    later = (tomorrow + dt.timedelta(days=5)).isoformat()
    r = api.post(f"/api/v1/officers/{a}/corrections", json={"departure_date": later, "note": "actual last day"})
    assert r.status_code == 409 and "team memberships" in r.json()["detail"]
    ok(api.post(f"/api/v1/officers/{a}/corrections", json={"full_name": "Nguyễn Văn Sửa", "note": "typo"}))
    assert ok(api.get(f"{BASE}/DUC-VP"))["past_members"][0]["left_on"] == tomorrow.isoformat()
    assert len(of_type(api.portal.call(outbox_rows, database), "member_left")) == 2  # type: ignore[union-attr]

    # A member leaving of their own accord: reason "left"; leaving twice is a 404.
    ok(api.post(f"{BASE}/DUC-VP/members/{c}/leave", json={"left_on": "2025-01-01"}))
    assert api.post(f"{BASE}/DUC-VP/members/{c}/leave", json={"left_on": "2025-02-01"}).status_code == 404
    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    assert of_type(rows, "member_left")[-1]["payload"]["reason"] == "left"


def test_coverage_reports_the_exact_gaps_and_a_departed_primary_opens_one(api: TestClient, database: str) -> None:
    build_2024_province(api)
    a, b, c = (appoint(api, "SO-KHCN", ["information_security"]) for _ in range(3))
    form(api, "DUC-VP")
    for officer_id, role in ((a, "lead"), (b, "analyst"), (c, "network_admin")):
        join(api, "DUC-VP", officer_id, role)
    day1 = schedule(api, "DUC-VP", "2025-03-01T00:00:00+07:00", "2025-03-02T00:00:00+07:00", a, b)
    assert day1["shift_id"]
    morning = schedule(api, "DUC-VP", "2025-03-02T00:00:00+07:00", "2025-03-02T12:00:00+07:00", b, a)["shift_id"]
    evening = schedule(api, "DUC-VP", "2025-03-02T11:00:00Z", "2025-03-04T00:00:00+07:00", a)["shift_id"]  # 18:00 VN

    window = ("2025-03-01T00:00:00+07:00", "2025-03-04T00:00:00+07:00")
    cov = gaps(api, "DUC-VP", *window)
    assert cov["window"] == {"from": window[0], "to": window[1]}
    assert cov["gaps"] == [{"from": "2025-03-02T12:00:00+07:00", "to": "2025-03-02T18:00:00+07:00"}]
    assert cov["total_seconds"] == 72 * 3600 and cov["covered_seconds"] == 66 * 3600
    assert cov["coverage_pct"] == round(100 * 66 / 72, 2)

    # The rules of the rotation.
    r = api.post(
        f"{BASE}/DUC-VP/shifts",
        json={
            "starts_at": "2025-03-01T12:00:00+07:00",
            "ends_at": "2025-03-01T20:00:00+07:00",
            "primary_officer_id": a,
        },
    )
    assert r.status_code == 409 and "already primary" in r.json()["detail"]
    bad = {"starts_at": "2025-03-05T00:00:00+07:00", "ends_at": "2025-03-05T08:00:00+07:00"}
    r = api.post(f"{BASE}/DUC-VP/shifts", json={**bad, "primary_officer_id": a, "backup_officer_id": a})
    assert r.status_code == 422 and "someone other" in r.json()["detail"]
    r = api.post(f"{BASE}/DUC-VP/shifts", json={**bad, "primary_officer_id": "CB-NOPE"})
    assert r.status_code == 422 and "not an active member" in r.json()["detail"]
    r = api.post(f"{BASE}/DUC-VP/shifts", json={**bad, "ends_at": bad["starts_at"], "primary_officer_id": a})
    assert r.status_code == 422 and "end after it starts" in r.json()["detail"]
    r = api.post(f"{BASE}/DUC-VP/shifts", json={**bad, "starts_at": "2025-03-05T00:00:00", "primary_officer_id": a})
    assert r.status_code == 422  # a time without a zone
    assert api.get(f"{BASE}/DUC-VP/coverage", params={"from": window[1], "to": window[0]}).status_code == 422

    # `b` departs on 2025-03-02: their morning shift stays but no longer covers anything.
    ok(api.post(f"/api/v1/officers/{b}/departure", json={"effective_date": "2025-03-02", "reason": "retirement"}))
    cov = gaps(api, "DUC-VP", *window)
    assert cov["gaps"] == [{"from": "2025-03-02T00:00:00+07:00", "to": "2025-03-02T18:00:00+07:00"}]

    # An override gives the morning to `c`; cancelling the evening opens its time again.
    r = api.post(f"{BASE}/DUC-VP/shifts/{morning}/reassign", json={"primary_officer_id": b, "kind": "override"})
    assert r.status_code == 422  # `b` is no longer a member
    body = {"primary_officer_id": c, "backup_officer_id": a, "kind": "override"}
    ok(api.post(f"{BASE}/DUC-VP/shifts/{morning}/reassign", json=body))
    ok(api.post(f"{BASE}/DUC-VP/shifts/{evening}/cancel", json={"reason": "trực thay bằng ca khác"}))
    assert api.post(f"{BASE}/DUC-VP/shifts/{evening}/cancel", json={"reason": "again"}).status_code == 409
    cov = gaps(api, "DUC-VP", *window)
    assert cov["gaps"] == [{"from": "2025-03-02T12:00:00+07:00", "to": "2025-03-04T00:00:00+07:00"}]

    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    assert len(of_type(rows, "shift_scheduled")) == 3
    (reassigned,) = of_type(rows, "shift_reassigned")
    assert reassigned["payload"] == {
        "team_id": "DUC-VP",
        "shift_id": morning,
        "primary_officer_id": c,
        "backup_officer_id": a,
        "kind": "override",
    }
    assert of_type(rows, "shift_cancelled")[0]["key"] == "DUC-VP"


def test_an_incident_is_acknowledged_by_members_before_it_is_resolved(api: TestClient, database: str) -> None:
    build_2024_province(api)
    a, b = (appoint(api, "SO-KHCN", ["information_security"]) for _ in range(2))
    outsider = appoint(api, "SO-KHCN", ["it_technical"])
    form(api, "DUC-VP")
    join(api, "DUC-VP", a, "lead")
    join(api, "DUC-VP", b, "analyst")
    report = {
        "incident_id": "SC-1",
        "reported_at": "2025-03-01T08:00:00+07:00",
        "severity": "high",
        "affected_unit_id": "TD-A",
        "summary": "Mã độc tống tiền trên máy chủ một cửa",
    }
    ok(api.post(f"{BASE}/DUC-VP/incidents", json=report), 201)
    assert api.post(f"{BASE}/DUC-VP/incidents", json=report).status_code == 409
    assert (
        api.post(
            f"{BASE}/DUC-VP/incidents", json={**report, "incident_id": "SC-X", "affected_unit_id": "NOPE"}
        ).status_code
        == 404
    )
    assert api.post(f"{BASE}/DUC-VP/incidents", json={**report, "severity": "apocalyptic"}).status_code == 422

    resolve = {"resolved_at": "2025-03-01T11:00:00+07:00", "outcome": "true_positive"}
    r = api.post(f"{BASE}/DUC-VP/incidents/SC-1/resolve", json=resolve)
    assert r.status_code == 409 and "acknowledged before" in r.json()["detail"]
    ack = {"acknowledged_at": "2025-03-01T08:10:00+07:00", "responder_ids": [a, b]}
    assert api.post(f"{BASE}/DUC-VP/incidents/SC-1/acknowledge", json={**ack, "responder_ids": []}).status_code == 422
    r = api.post(f"{BASE}/DUC-VP/incidents/SC-1/acknowledge", json={**ack, "responder_ids": [a, outsider]})
    assert r.status_code == 422 and outsider in r.json()["detail"]
    r = api.post(
        f"{BASE}/DUC-VP/incidents/SC-1/acknowledge", json={**ack, "acknowledged_at": "2025-03-01T07:00:00+07:00"}
    )
    assert r.status_code == 409
    ok(api.post(f"{BASE}/DUC-VP/incidents/SC-1/acknowledge", json=ack))
    assert api.post(f"{BASE}/DUC-VP/incidents/SC-1/acknowledge", json=ack).status_code == 409
    r = api.post(f"{BASE}/DUC-VP/incidents/SC-1/resolve", json={**resolve, "resolved_at": "2025-03-01T08:00:00+07:00"})
    assert r.status_code == 409
    ok(api.post(f"{BASE}/DUC-VP/incidents/SC-1/resolve", json=resolve))
    assert api.post(f"{BASE}/DUC-VP/incidents/SC-1/resolve", json=resolve).status_code == 409
    assert api.post(f"{BASE}/DUC-VP/incidents/SC-NOPE/resolve", json=resolve).status_code == 404

    second = {**report, "incident_id": "SC-2", "reported_at": "2025-04-01T09:00:00+07:00", "severity": "low"}
    ok(api.post(f"{BASE}/DUC-VP/incidents", json=second), 201)

    one = ok(api.get(f"{BASE}/DUC-VP/incidents/SC-1"))
    assert one["status"] == "resolved" and one["outcome"] == "true_positive" and one["responder_ids"] == [a, b]
    assert one["acknowledged_at"] == "2025-03-01T01:10:00Z"  # instants come back in UTC

    def ids(**params: str) -> list[str]:
        return [i["incident_id"] for i in ok(api.get(f"{BASE}/DUC-VP/incidents", params=params))["items"]]

    assert ids() == ["SC-2", "SC-1"]
    assert ids(status="open") == ["SC-2"]
    assert ids(status="resolved") == ["SC-1"]
    assert ids(since="2025-03-15T00:00:00+07:00") == ["SC-2"]
    assert api.get(f"{BASE}/DUC-NOPE/incidents").status_code == 404

    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    (acked,) = of_type(rows, "incident_acknowledged")
    assert acked["payload"]["responder_ids"] == [a, b] and acked["key"] == "DUC-VP"
    (resolved,) = of_type(rows, "incident_resolved")
    assert resolved["payload"]["outcome"] == "true_positive"
    assert len(of_type(rows, "incident_reported")) == 2


def test_writes_need_a_token_and_the_teams_unit_in_scope(api: TestClient) -> None:
    build_2024_province(api)
    officer = appoint(api, "SO-KHCN", ["information_security"])
    form(api, "DUC-VP")
    form(api, "DUC-KHCN", "unit", "SO-KHCN")
    member = {"officer_id": officer, "role": "analyst", "joined_on": "2024-06-01"}
    anonymous = {"Authorization": ""}
    body = {"name": "x", "scope": "unit", "unit_id": "TD", "formed_on": "2024-06-01"}
    assert api.post(BASE, json=body, headers=anonymous).status_code == 401
    assert api.post(f"{BASE}/DUC-VP/members", json=member, headers=anonymous).status_code == 401
    assert api.post(f"{BASE}/DUC-VP/incidents/SC-1/resolve", json={}, headers=anonymous).status_code == 401
    assert api.get(f"{BASE}/DUC-VP", headers=anonymous).status_code == 401  # reads need a token too

    settings = Settings()
    viewer = {"Authorization": f"Bearer {mint_token(settings, Role.VIEWER)}"}
    assert api.post(f"{BASE}/DUC-KHCN/members", json=member, headers=viewer).status_code == 403
    editor = {"Authorization": f"Bearer {mint_token(settings, Role.UNIT_EDITOR, unit='SO-KHCN', subject='khcn')}"}
    assert api.post(f"{BASE}/DUC-VP/members", json=member, headers=editor).status_code == 403
    assert api.post(BASE, json=body, headers=editor).status_code == 403
    assert api.post(f"{BASE}/DUC-KHCN/members", json=member, headers=editor).status_code == 201


def test_a_unit_editor_neither_adds_officers_nor_reports_incidents_outside_its_scope(api: TestClient) -> None:
    """Training's rule for units and officers outside the editor's scope, applied to response teams."""
    build_2024_province(api)
    inside = appoint(api, "SO-KHCN", ["information_security"])
    outside = appoint(api, "TD-A", ["it_technical"])
    form(api, "DUC-KHCN", "unit", "SO-KHCN")
    editor = {"Authorization": f"Bearer {mint_token(Settings(), Role.UNIT_EDITOR, unit='SO-KHCN', subject='khcn')}"}
    member = {"officer_id": outside, "role": "analyst", "joined_on": "2024-06-01"}
    r = api.post(f"{BASE}/DUC-KHCN/members", json=member, headers=editor)
    assert r.status_code == 403 and "TD-A" in r.json()["detail"]
    member["officer_id"] = "CB-NOBODY"
    assert api.post(f"{BASE}/DUC-KHCN/members", json=member, headers=editor).status_code == 404
    member["officer_id"] = inside
    assert api.post(f"{BASE}/DUC-KHCN/members", json=member, headers=editor).status_code == 201
    incident = {"reported_at": "2024-07-01T08:00:00+07:00", "severity": "high", "summary": "Mã độc"}
    r = api.post(f"{BASE}/DUC-KHCN/incidents", json={**incident, "affected_unit_id": "TD"}, headers=editor)
    assert r.status_code == 403 and "TD" in r.json()["detail"]
    r = api.post(f"{BASE}/DUC-KHCN/incidents", json={**incident, "affected_unit_id": "SO-KHCN"}, headers=editor)
    assert r.status_code == 201, r.text


def test_a_merge_carries_the_units_response_team_and_dissolving_waits_for_it(api: TestClient, database: str) -> None:
    build_2024_province(api)
    form(api, "DUC-TD", scope="unit", unit_id="TD")
    r = api.post("/api/v1/units/TD/dissolve", json={"effective_date": "2025-07-01"})
    assert r.status_code == 409 and "teams" in r.json()["detail"]
    ok(
        api.post(
            "/api/v1/units/merge",
            json={"successor_id": "VP", "predecessor_ids": ["TD"], "effective_date": "2025-07-01"},
        )
    )
    assert ok(api.get(f"{BASE}/DUC-TD"))["unit_id"] == "VP"
    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    merged = next(r for r in rows if r["event_type"].endswith("org_unit.merged"))
    (moved,) = [r for r in rows if r["event_type"].endswith("response_team.moved")]
    assert moved["payload"] == {"team_id": "DUC-TD", "unit_id": "VP", "effective_date": "2025-07-01"}
    assert moved["headers"]["causation_id"] == merged["headers"]["event_id"]
