"""Every case issue #14 found by fuzzing, as a regression test against the four services running as real
processes (tests/badinput/conftest.py): each ends as a clean 4xx RFC 9457 problem, and a refused
write leaves nothing behind (no row, no outbox event)."""

from __future__ import annotations

import asyncio
import http.client
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.badinput.conftest import fetchval
from tests.support.isolated_stack import Stack

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, f"{response.request.url}: {response.status_code} {response.text[:500]}"
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code and body["title"]
    if response.status_code == 422:
        assert body["errors"], body
    return body


def _outbox(stack: Stack, service: str) -> int:
    return int(asyncio.run(fetchval(stack.services[service].dsn, "SELECT count(*) FROM outbox")))


def _uid(prefix: str = "U") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def _unit(c: httpx.Client, unit_id: str, parent: str | None, level: str = "province", day: str = "2020-01-01") -> None:
    body = {"unit_id": unit_id, "name_vi": f"Đơn vị {unit_id}", "kind": "state_agency", "level": level}
    r = c.post("/api/v1/units", json={**body, "parent_id": parent, "valid_from": day})
    assert r.status_code == 201, r.text


GETS = [
    # NUL characters in query and path, all services
    ("personnel", "/api/v1/units?q=a%00b"),
    ("training", "/api/v1/units/a%00b"),
    ("reporting", "/api/v1/overview?unit_id=PT%00"),
    ("recruitment", "/api/v1/vacancies/V%00"),
    # integer overflow in query parameters
    ("personnel", "/api/v1/officers?offset=99999999999999999999"),
    ("training", "/api/v1/classes?plan_year=99999999999"),
    ("training", "/api/v1/drills?plan_year=2147483648"),
    ("recruitment", "/api/v1/departures?offset=9223372036854775808"),
    ("recruitment", "/api/v1/exit-interviews?year=99999999999"),
    # edge dates; a number is not a date
    ("reporting", "/api/v1/trends?as_of=0001-01-01"),
    ("reporting", "/api/v1/attrition?as_of=0001-01-01"),
    ("reporting", "/api/v1/exports/trends.xlsx?as_of=0001-01-01"),
    ("reporting", "/api/v1/response-teams/readiness?as_of=9999-12-31"),
    ("reporting", "/api/v1/training/certificates/expiring?as_of=9999-12-31"),
    ("reporting", "/api/v1/recruitment/vacancies?as_of=9999-12-31"),
    ("reporting", "/api/v1/overview?as_of=1.17e-38"),
    ("personnel", "/api/v1/units/tree?as_of=1.17e-38"),
    # unbounded work: months before 1900, more than 10 years
    ("reporting", "/api/v1/trends?from=0001-01&to=0001-02"),
    ("reporting", "/api/v1/trends?from=2000-01&to=2024-12&as_of=2024-12-31"),
    # ids nobody could address
    ("personnel", "/api/v1/officers/..%2FX%2Fx"),
]


@pytest.mark.parametrize(("service", "url"), GETS, ids=[f"{s}:{u}" for s, u in GETS])
def test_bad_query_and_path_values_are_4xx_problems(iso: Stack, service: str, url: str) -> None:
    with iso.client(service) as c:
        _problem(c.get(url), 404, 422)


def test_a_70000_character_unit_id_is_414(iso: Stack) -> None:
    # httpx refuses to build such a URL; the standard library sends it as a client might
    url = urlsplit(iso.services["reporting"].base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    conn.request("GET", "/api/v1/overview?unit_id=" + "a" * 70_000, headers={"Authorization": f"Bearer {iso.token()}"})
    answer = conn.getresponse()
    assert answer.status == 414 and answer.getheader("content-type", "").startswith(PROBLEM)
    assert json.loads(answer.read())["status"] == 414
    conn.close()


PLAN_TARGETS = {
    "classes": 1,
    "trainees_province": 1,
    "trainees_district": 1,
    "trainees_commune": 1,
    "advanced_classes": 0,
    "advanced_trainees": 0,
    "drills": 0,
}
UNIT = {"unit_id": "NUL1", "name_vi": "Tên", "kind": "other", "level": "province", "valid_from": "2020-01-01"}
OFFICER = {
    "full_name": "A",
    "unit_id": "X",
    "employment_category": "other",
    "assignment": "concurrent",
    "effective_date": "2024-01-01",
}
QUOTAS = {"it_technical": 1, "information_security": 1, "data": 1, "leadership": 1}
POLICY = {
    "name": "x",
    "document_number": "1/2024",
    "document_date": "2024-01-01",
    "eligibility": "all",
    "effective_from": "2024-01-01",
}
CANDIDATE = {"full_name": "Trần C", "email": "c@example.vn", "phone": "0900000000"}
BODIES = [  # (service, path, body, the field named in the 422)
    ("personnel", "/api/v1/units", {**UNIT, "name_vi": "a\u0000b"}, "name_vi"),
    ("personnel", "/api/v1/units", {**UNIT, "valid_from": "0001-01-01"}, "valid_from"),
    ("personnel", "/api/v1/officers", {**OFFICER, "officer_id": "../X/x"}, "officer_id"),
    (
        "personnel",
        "/api/v1/community-teams",
        {"team_id": "X/a?b#c", "commune_id": "X", "established_on": "2024-01-01"},
        "team_id",
    ),
    ("personnel", "/api/v1/units/X/dissolve", {"effective_date": "0001-01-01"}, "effective_date"),
    ("personnel", "/api/v1/units/X/move", {"parent_id": "Y", "effective_date": "1.17e-38"}, "effective_date"),
    ("training", "/api/v1/plans", {"year": 2031, "targets": {**PLAN_TARGETS, "classes": 2**31}}, "classes"),
    ("training", "/api/v1/plans", {"year": 99999999999, "targets": PLAN_TARGETS}, "year"),
    ("training", "/api/v1/plans", {"year": 2032, "targets": {**PLAN_TARGETS, "classes": True}}, "classes"),
    (
        "training",
        "/api/v1/drills",
        {
            "title": "t",
            "scenario": "s",
            "format": "tabletop",
            "held_on": "2024-01-01",
            "plan_year": 2024,
            "unit_ids": ["U"] * 1001,
        },
        "unit_ids",
    ),
    ("recruitment", "/api/v1/staffing-plans/X/2030", {"quotas": {**QUOTAS, "it_technical": 2**31}}, "it_technical"),
    ("recruitment", "/api/v1/incentive-policies", {**POLICY, "monthly_allowance_vnd": 1e20}, "monthly_allowance_vnd"),
    (
        "recruitment",
        "/api/v1/applications",
        {"vacancy_id": "V", "candidate": {**CANDIDATE, "full_name": "a\u0000"}},
        "full_name",
    ),
    (
        "recruitment",
        "/api/v1/exit-interviews",
        {"officer_id": "O", "reasons": ["pay"], "interviewed_on": "2024-01-01", "notes": "x\u0000"},
        "notes",
    ),
    ("reporting", "/api/v1/snapshots", {"name": "s1", "title": "t\u0000", "as_of": "2024-01-01"}, "title"),
    ("reporting", "/api/v1/snapshots", {"name": "s2", "title": "t", "as_of": "9999-12-31"}, "as_of"),
]


@pytest.mark.parametrize(("service", "path", "body", "field"), BODIES, ids=[f"{s}:{p}:{f}" for s, p, _, f in BODIES])
def test_bad_bodies_are_422_and_write_nothing(
    iso: Stack, service: str, path: str, body: dict[str, Any], field: str
) -> None:
    before = _outbox(iso, service) if service != "reporting" else 0
    with iso.client(service) as c:
        method = c.put if path.startswith("/api/v1/staffing-plans") else c.post
        problem = _problem(method(path, json=body), 422)
        assert any(e["loc"] and e["loc"][-1] == field for e in problem["errors"]), problem["errors"]
    if service != "reporting":
        assert _outbox(iso, service) == before
    else:
        count = asyncio.run(fetchval(iso.services["reporting"].dsn, "SELECT count(*) FROM report_snapshots"))
        assert count == 0


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:00-14:00", "2024-01-01T00:00:00", "1700000000"]
)
def test_incident_and_shift_moments_out_of_range_are_422(iso: Stack, moment: str) -> None:
    with iso.client("personnel") as c:
        body = {"reported_at": moment, "severity": "low", "affected_unit_id": "X", "summary": "s"}
        _problem(c.post("/api/v1/response-teams/T/incidents", json=body), 422)
        shift = {"starts_at": moment, "ends_at": "2024-01-02T00:00:00+07:00", "primary_officer_id": "O"}
        _problem(c.post("/api/v1/response-teams/T/shifts", json=shift), 422)


def test_corrections_refuse_explicit_nulls_for_required_values(iso: Stack) -> None:
    unit_id = _uid()
    with iso.client("personnel") as c:
        _unit(c, unit_id, None)
        appoint = {
            "full_name": "Nguyễn Văn B",
            "unit_id": unit_id,
            "employment_category": "civil_servant",
            "assignment": "concurrent",
            "effective_date": "2024-01-15",
        }
        officer = c.post("/api/v1/officers", json=appoint).json()["officer_id"]
        c.post(f"/api/v1/officers/{officer}/departure", json={"effective_date": "2024-06-01", "reason": "retirement"})
        before = _outbox(iso, "personnel")
        for field in ("full_name", "employment_category", "departure_date", "departure_reason"):
            body = _problem(c.post(f"/api/v1/officers/{officer}/corrections", json={"note": "x", field: None}), 422)
            assert body["errors"][0]["loc"] == ["body", field]
        assert _outbox(iso, "personnel") == before
        fixed = c.post(
            f"/api/v1/officers/{officer}/corrections", json={"note": "x", "birth_year": None, "gender": None}
        )
        assert fixed.status_code == 200, fixed.text  # nullable facts may be cleared


def test_like_wildcards_match_themselves_only(iso: Stack) -> None:
    with iso.client("personnel") as c:
        _unit(c, _uid("LK"), None)
        assert c.get("/api/v1/units", params={"q": "%"}).json()["total"] == 0
        assert c.get("/api/v1/units", params={"q": "_"}).json()["total"] == 0
        assert c.get("/api/v1/units", params={"q": "LK"}).json()["total"] >= 1


def test_a_cycle_dated_after_a_later_move_is_refused(iso: Stack) -> None:
    pt, c_, p = _uid("PT"), _uid("C"), _uid("P")
    with iso.client("personnel") as c:
        _unit(c, pt, None)
        _unit(c, c_, pt)
        _unit(c, p, pt)
        assert c.post(f"/api/v1/units/{c_}/move", json={"parent_id": pt, "effective_date": "2090-01-01"}).is_success
        assert c.post(f"/api/v1/units/{p}/move", json={"parent_id": c_, "effective_date": "2090-06-01"}).is_success
        before = _outbox(iso, "personnel")
        body = _problem(c.post(f"/api/v1/units/{c_}/move", json={"parent_id": p, "effective_date": "2090-03-01"}), 422)
        assert "cycle" in body["detail"]
        assert _outbox(iso, "personnel") == before
        roots = {r["unit_id"]: r for r in c.get("/api/v1/units/tree", params={"as_of": "2090-07-01"}).json()["roots"]}
        assert [ch["unit_id"] for ch in roots[pt]["children"]] == [c_]  # P sits under C, nothing vanished


def _concurrently(n: int, send: Any) -> list[int]:
    with ThreadPoolExecutor(n) as pool:
        return sorted(pool.map(lambda _: send().status_code, range(n)))


def test_concurrent_identical_creates_give_one_201_and_409s(iso: Stack) -> None:
    unit_id = _uid("DUP")
    body = {"unit_id": unit_id, "name_vi": "Trùng", "kind": "other", "level": "province", "valid_from": "2020-01-01"}
    with iso.client("personnel") as c:
        statuses = _concurrently(4, lambda: c.post("/api/v1/units", json=body))
        assert statuses == [201, 409, 409, 409], statuses
        csv = f"unit_id,name_vi,kind,level,valid_from\n{unit_id}X,Nhập,other,province,2020-01-01\n"
        imports = _concurrently(
            4, lambda: c.post("/api/v1/imports/units", content=csv.encode(), headers={"content-type": "text/csv"})
        )
        assert imports.count(201) == 1 and all(s in (201, 409, 422) for s in imports), imports
    sql = "SELECT count(*) FROM org_units WHERE unit_id = ANY($1)"
    assert asyncio.run(fetchval(iso.services["personnel"].dsn, sql, [unit_id, f"{unit_id}X"])) == 2


IMPORTS = [
    ("application/x-ndjson", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    ("text/csv", b"unit_id,name_vi,kind,level,valid_from\nX1," + b"n" * (129 * 1024) + b",other,province,2020-01-01\n"),
    ("text/csv", b"unit_id,name_vi,kind,level,valid_from\nX\x001,Ten,other,province,2020-01-01\n"),
    ("text/csv", b"unit_id,name_vi\n\xff\xfe,bad utf-8\n"),
]


@pytest.mark.parametrize(("content_type", "data"), IMPORTS, ids=["deep-jsonl", "big-cell", "nul-csv", "not-utf8"])
def test_unreadable_import_files_are_422_and_write_nothing(iso: Stack, content_type: str, data: bytes) -> None:
    before = _outbox(iso, "personnel")
    with iso.client("personnel") as c:
        _problem(c.post("/api/v1/imports/units", content=data, headers={"content-type": content_type}), 422)
    assert _outbox(iso, "personnel") == before
