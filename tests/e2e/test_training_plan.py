"""Training end to end with personnel, training and reporting running as processes: the 2024 plan
(10 classes / 300 trainees across province, district and commune + 1 advanced class / 30 IT officers +
1 drill) is delivered through training's HTTP API and reporting shows 100% attainment; annulling a class
lowers it; enrolling a departed officer is refused. Officers reach training only through Kafka.

On a stack that already holds a 2024 plan (a rerun against a long-lived local stack) the same scenario
runs for an unused year instead, so the figures stay exact.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from tests.support.e2e import eventually, eventually_each, ok

pytestmark = pytest.mark.e2e
PERSONNEL = f"http://127.0.0.1:{os.environ.get('PERSONNEL_HTTP_PORT', '8001')}"
TRAINING = f"http://127.0.0.1:{os.environ.get('TRAINING_HTTP_PORT', '8002')}"
REPORTING = f"http://127.0.0.1:{os.environ.get('REPORTING_HTTP_PORT', '8004')}"
TARGETS = {
    "classes": 10,
    "trainees_province": 100,
    "trainees_district": 100,
    "trainees_commune": 100,
    "advanced_classes": 1,
    "advanced_trainees": 30,
    "drills": 1,
}


def client(base: str) -> httpx.Client:
    token = mint_token(ServiceSettings(service_name="e2e"), Role.PROVINCE_ADMIN, subject="e2e-training")
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


@pytest.fixture(scope="module")
def apis() -> Iterator[tuple[httpx.Client, httpx.Client, httpx.Client]]:
    with client(PERSONNEL) as p, client(TRAINING) as t, client(REPORTING) as r:
        yield p, t, r


@pytest.fixture(scope="module")
def province(apis: tuple[httpx.Client, httpx.Client, httpx.Client]) -> dict[str, Any]:
    """Units at three levels and 330 officers created in personnel, known to training through Kafka."""
    p, t, _ = apis
    x = f"T{uuid.uuid4().hex[:6].upper()}"
    units = {
        "P": ("province", None, "peoples_committee"),
        "S": ("province", "P", "state_agency"),
        "D": ("district", "P", "peoples_committee"),
        "C": ("commune", "D", "peoples_committee"),
    }
    for key, (level, parent, kind) in units.items():
        ok(
            p.post(
                "/api/v1/units",
                json={
                    "unit_id": f"{x}-{key}",
                    "name_vi": key,
                    "kind": kind,
                    "level": level,
                    "parent_id": f"{x}-{parent}" if parent else None,
                    "valid_from": "2020-01-01",
                },
            ),
            201,
        )
    groups = {"S": 100, "D": 100, "C": 100, "IT": 30}
    officers: dict[str, list[str]] = {}
    lines = []
    for group, n in groups.items():
        officers[group] = [f"{x}-{group}-{i:03d}" for i in range(n)]
        for oid in officers[group]:
            unit = f"{x}-S" if group == "IT" else f"{x}-{group}"
            lines.append(
                json.dumps(
                    {
                        "officer_id": oid,
                        "full_name": f"Cán bộ {oid}",
                        "unit_id": unit,
                        "employment_category": "civil_servant",
                        "assignment": "dedicated" if group == "IT" else "concurrent",
                        "functions": ["it_technical"],
                        "effective_date": "2023-06-01",
                    },
                    ensure_ascii=False,
                )
            )
    ok(
        p.post(
            "/api/v1/imports/officers",
            content="\n".join(lines).encode(),
            headers={"content-type": "application/x-ndjson"},
        ),
        201,
    )
    everyone = [o for group in officers.values() for o in group]
    eventually_each(
        lambda o: t.get(f"/api/v1/officers/{o}").status_code == 200, everyone, "the officers in training", 120
    )
    eventually(lambda: t.get(f"/api/v1/units/{x}-C").status_code == 200, "the units in training", 60)
    return {"x": x, "officers": officers}


def attainment(r: httpx.Client, year: int) -> dict[str, Any]:
    # as of the plan year's last day: a rerun's unused year lies in the future, and attainment counts only
    # what was done by as_of
    params: dict[str, str | int] = {"year": year, "as_of": f"{year}-12-31"}
    return ok(r.get("/api/v1/training/attainment", params=params))  # type: ignore[no-any-return]


def run_class(t: httpx.Client, programme: str, year: int, organiser: str, trainees: list[str]) -> str:
    body = {
        "programme_id": programme,
        "plan_year": year,
        "title": "Lớp bồi dưỡng CNTT",
        "starts_on": f"{year}-05-06",
        "ends_on": f"{year}-05-10",
        "organiser_unit_id": organiser,
        "capacity": 30,
        "target_levels": [],
    }
    class_id = str(ok(t.post("/api/v1/classes", json=body), 201)["class_id"])
    for officer in trainees:
        ok(
            t.post(
                f"/api/v1/classes/{class_id}/enrolments", json={"officer_id": officer, "enrolled_on": f"{year}-04-20"}
            ),
            201,
        )
    ok(t.post(f"/api/v1/classes/{class_id}/start", json={"started_on": f"{year}-05-06"}))
    results = [{"officer_id": o, "passed": True, "score": 85, "hours": 40} for o in trainees]
    ok(t.post(f"/api/v1/classes/{class_id}/results", json={"completed_on": f"{year}-05-10", "results": results}), 201)
    ok(t.post(f"/api/v1/classes/{class_id}/complete", json={"completed_on": f"{year}-05-10"}))
    return class_id


def test_the_2024_plan_is_attained_then_an_annulled_class_lowers_it(
    apis: tuple[httpx.Client, httpx.Client, httpx.Client], province: dict[str, Any]
) -> None:
    _, t, r = apis
    x, officers = province["x"], province["officers"]
    year = 2024 if t.get("/api/v1/plans/2024").status_code == 404 else random.randint(2030, 2099)
    while year != 2024 and t.get(f"/api/v1/plans/{year}").status_code != 404:
        year = random.randint(2030, 2099)
    ok(t.post("/api/v1/plans", json={"year": year, "targets": TARGETS, "decision": "Kế hoạch CĐS"}), 201)
    upgrade = ok(
        t.post(
            "/api/v1/programmes",
            json={
                "programme_id": f"{x}-UP",
                "name_vi": "Bồi dưỡng nâng cao kiến thức CNTT",
                "kind": "it_upgrade",
                "level": "intermediate",
                "hours": 40,
                "provider": "Sở KH&CN",
                "issues_certificate": False,
            },
        ),
        201,
    )
    advanced = ok(
        t.post(
            "/api/v1/programmes",
            json={
                "programme_id": f"{x}-ADV",
                "name_vi": "Bồi dưỡng chuyên sâu CNTT",
                "kind": "advanced_it",
                "level": "advanced",
                "hours": 80,
                "provider": "Học viện Công nghệ BCVT",
                "issues_certificate": True,
                "certificate_validity_months": 24,
            },
        ),
        201,
    )
    assert advanced["advanced"] is True

    trainees = officers["S"] + officers["D"] + officers["C"]
    classes = [run_class(t, upgrade["programme_id"], year, f"{x}-S", trainees[i : i + 30]) for i in range(0, 300, 30)]
    run_class(t, advanced["programme_id"], year, f"{x}-S", officers["IT"])
    ok(
        t.post(
            "/api/v1/drills",
            json={
                "title": "Diễn tập thực chiến ATTT",
                "scenario": "ransomware on the provincial data centre",
                "format": "live_fire",
                "held_on": f"{year}-10-15",
                "plan_year": year,
                "unit_ids": [f"{x}-S"],
                "officer_ids": officers["IT"][:5],
                "objectives": ["detect", "contain"],
            },
        ),
        201,
    )

    eventually(lambda: attainment(r, year)["overall_attainment_pct"] == 100.0, "100% attainment")
    body = attainment(r, year)
    assert {k: (v["target"], v["actual"]) for k, v in body["targets"].items()} == {
        "classes": (10, 10),
        "trainees_province": (100, 100),
        "trainees_district": (100, 100),
        "trainees_commune": (100, 100),
        "advanced_classes": (1, 1),
        "advanced_trainees": (30, 30),
        "drills": (1, 1),
    }
    assert body["completion"] == {"enrolled": 330, "passed": 330, "failed": 0, "completion_rate_pct": 100.0}

    # The first class (30 province-level trainees) is annulled after the fact.
    ok(t.post(f"/api/v1/classes/{classes[0]}/cancel", json={"cancelled_on": f"{year}-12-01", "reason": "annulled"}))
    expected = round((90 + 70 + 100 + 100 + 100 + 100 + 100) / 7, 1)
    eventually(lambda: attainment(r, year)["overall_attainment_pct"] == expected, f"{expected}% attainment")
    lowered = attainment(r, year)["targets"]
    assert (lowered["classes"]["actual"], lowered["trainees_province"]["actual"]) == (9, 70)


def test_enrolling_a_departed_officer_is_refused(
    apis: tuple[httpx.Client, httpx.Client, httpx.Client], province: dict[str, Any]
) -> None:
    p, t, _ = apis
    x, leaver = province["x"], province["officers"]["C"][0]
    ok(
        p.post(
            f"/api/v1/officers/{leaver}/departure", json={"effective_date": "2025-02-01", "reason": "private_sector"}
        )
    )
    eventually(lambda: t.get(f"/api/v1/officers/{leaver}").json().get("status") == "departed", "the departure")
    body = {
        "programme_id": f"{x}-UP",
        "plan_year": 2025,
        "title": "Lớp 2025",
        "starts_on": "2025-05-05",
        "ends_on": "2025-05-09",
        "organiser_unit_id": f"{x}-S",
        "capacity": 30,
        "target_levels": [],
    }
    if t.get(f"/api/v1/programmes/{x}-UP").status_code == 404:
        ok(
            t.post(
                "/api/v1/programmes",
                json={
                    "programme_id": f"{x}-UP",
                    "name_vi": "CNTT",
                    "kind": "it_upgrade",
                    "level": "basic",
                    "hours": 8,
                    "provider": "Sở",
                    "issues_certificate": False,
                },
            ),
            201,
        )
    class_id = ok(t.post("/api/v1/classes", json=body), 201)["class_id"]
    refused = t.post(f"/api/v1/classes/{class_id}/enrolments", json={"officer_id": leaver, "enrolled_on": "2025-04-01"})
    assert refused.status_code == 409 and "depart" in refused.json()["detail"]
    unknown = t.post(
        f"/api/v1/classes/{class_id}/enrolments", json={"officer_id": "NO-SUCH", "enrolled_on": "2025-04-01"}
    )
    assert unknown.status_code == 422 and "unknown to training" in unknown.json()["detail"]
