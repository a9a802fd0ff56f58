"""Recruitment end to end with all services running as processes: a vacancy under an incentive policy is
filled through the whole pipeline; the hire travels recruitment -> Kafka -> personnel, which appoints
the officer; recruitment learns the officer id from personnel's event; the officer counts once in
personnel and in reporting's headcount even when the hire event is delivered twice; and the attrition
figures of the department match a hand-computed scenario.

Department S: ten officers from 2023-01-01; o4 leaves 2023-10-01 (private sector), o1 2024-03-15
(private sector), o2 2024-03-20 (retirement), o3 2024-08-10 (private sector); the hire starts
2024-06-01. Month-end headcounts Jan..Dec 2024: 9 9 7 7 7 8 8 7 7 7 7 7, mean 7.5; 3 departures in the
12 months to 2024-12-31: 40.0% attrition, 66.7% to the private sector.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from cds_contracts import REGISTRY
from cds_contracts.recruitment import CandidateHired
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings, default_bootstrap
from tests.support.e2e import caught_up, eventually, ok

pytestmark = pytest.mark.e2e
PORTS = {"personnel": "8001", "recruitment": "8003", "reporting": "8004"}


def client(service: str) -> httpx.Client:
    port = os.environ.get(f"{service.upper()}_HTTP_PORT", PORTS[service])
    token = mint_token(ServiceSettings(service_name="e2e"), Role.PROVINCE_ADMIN, subject="e2e-recruitment")
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60)


@pytest.fixture(scope="module")
def apis() -> Iterator[dict[str, httpx.Client]]:
    with client("personnel") as p, client("recruitment") as c, client("reporting") as r:
        yield {"p": p, "c": c, "r": r}


@pytest.fixture(scope="module")
def hired(apis: dict[str, httpx.Client]) -> dict[str, Any]:
    p, c = apis["p"], apis["c"]
    x = f"R{uuid.uuid4().hex[:6].upper()}"
    ok(
        p.post(
            "/api/v1/units",
            json={
                "unit_id": f"{x}-P",
                "name_vi": "Tỉnh",
                "kind": "peoples_committee",
                "level": "province",
                "valid_from": "2020-01-01",
            },
        ),
        201,
    )
    ok(
        p.post(
            "/api/v1/units",
            json={
                "unit_id": f"{x}-S",
                "name_vi": "Sở Khoa học và Công nghệ",
                "kind": "state_agency",
                "level": "province",
                "parent_id": f"{x}-P",
                "valid_from": "2020-01-01",
            },
        ),
        201,
    )
    rows = [
        json.dumps(
            {
                "officer_id": f"{x}-o{i}",
                "full_name": f"Cán bộ {i}",
                "unit_id": f"{x}-S",
                "employment_category": "civil_servant",
                "assignment": "concurrent",
                "functions": ["it_technical"] if i in (5, 6) else [],
                "effective_date": "2023-01-01",
            }
        )
        for i in range(1, 11)
    ]
    ok(
        p.post(
            "/api/v1/imports/officers",
            content="\n".join(rows).encode(),
            headers={"content-type": "application/x-ndjson"},
        ),
        201,
    )
    for officer, day, reason in (
        ("o4", "2023-10-01", "private_sector"),
        ("o1", "2024-03-15", "private_sector"),
        ("o2", "2024-03-20", "retirement"),
        ("o3", "2024-08-10", "private_sector"),
    ):
        ok(p.post(f"/api/v1/officers/{x}-{officer}/departure", json={"effective_date": day, "reason": reason}))

    eventually(lambda: c.get(f"/api/v1/org-units/{x}-S").status_code == 200, "the unit in recruitment")
    policy = ok(
        c.post(
            "/api/v1/incentive-policies",
            json={
                "name": "Chính sách thu hút chuyên gia CNTT, ATTT",
                "document_number": "15/2023/NQ-HĐND",
                "document_date": "2023-12-08",
                "monthly_allowance_vnd": 5_000_000,
                "housing": True,
                "training_sponsorship": True,
                "eligibility": "Kỹ sư CNTT, ATTT, điện tử viễn thông",
                "effective_from": "2024-01-01",
            },
        ),
        201,
    )["policy_id"]
    vacancy = ok(
        c.post(
            "/api/v1/vacancies",
            json={
                "unit_id": f"{x}-S",
                "function": "information_security",
                "positions": 1,
                "policy_ids": [policy],
                "opened_on": "2024-04-01",
            },
        ),
        201,
    )["vacancy_id"]
    app = ok(
        c.post(
            "/api/v1/applications",
            json={
                "vacancy_id": vacancy,
                "candidate": {
                    "full_name": "Đỗ Minh Khoa",
                    "birth_year": 1996,
                    "gender": "male",
                    "email": f"khoa.{x.lower()}@example.vn",
                    "degree": "engineer",
                    "degree_field": "it",
                },
            },
        ),
        201,
    )["application_id"]
    for stage in ("screened", "interviewed", "offered", "accepted"):
        ok(c.post(f"/api/v1/applications/{app}/stage", json={"to_stage": stage}))
    ok(
        c.post(
            f"/api/v1/applications/{app}/hire",
            json={
                "employment_category": "civil_servant",
                "assignment": "dedicated",
                "functions": ["information_security"],
                "hired_on": "2024-06-01",
            },
        ),
        202,
    )
    eventually(
        lambda: c.get(f"/api/v1/applications/{app}").json().get("hire_status") == "appointed",
        "personnel's answer in recruitment",
    )
    officer_id = c.get(f"/api/v1/applications/{app}").json()["officer_id"]
    ok(
        c.post(
            "/api/v1/exit-interviews",
            json={"officer_id": f"{x}-o1", "reasons": ["pay", "private_sector_offer"], "interviewed_on": "2024-03-10"},
        ),
        201,
    )
    return {"x": x, "application": app, "officer_id": officer_id, "vacancy": vacancy, "policy": policy}


async def redeliver(application_id: str) -> int:
    """Send the hire again: the very same record, and a copy under a new event id."""
    topic = REGISTRY.spec_for(CandidateHired).topic.name
    consumer = AIOKafkaConsumer(
        bootstrap_servers=default_bootstrap(), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0, 1, 2})]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        found = None
        while found is None:
            batch = await consumer.getmany(timeout_ms=1000)
            if not batch:
                raise AssertionError("the hire event is not on the topic")
            for records in batch.values():
                for rec in records:
                    headers = dict(rec.headers)
                    if rec.key == application_id.encode() and headers["ce_type"].endswith(b"candidate_hired.v2"):
                        found = rec
    finally:
        await consumer.stop()
    producer = AIOKafkaProducer(bootstrap_servers=default_bootstrap())
    await producer.start()
    try:
        await producer.send_and_wait(topic, found.value, key=found.key, headers=list(found.headers))
        renamed = [(k, str(uuid.uuid4()).encode() if k == "ce_id" else v) for k, v in found.headers]
        await producer.send_and_wait(topic, found.value, key=found.key, headers=renamed)
    finally:
        await producer.stop()
    return 2


def test_the_hire_becomes_one_officer_even_when_delivered_twice(
    apis: dict[str, httpx.Client], hired: dict[str, Any]
) -> None:
    import asyncio

    p, c, r = apis["p"], apis["c"], apis["r"]
    x = hired["x"]
    officer = ok(p.get(f"/api/v1/officers/{hired['officer_id']}"))
    assert (officer["unit_id"], officer["full_name"], officer["functions"]) == (
        f"{x}-S",
        "Đỗ Minh Khoa",
        ["information_security"],
    )
    assert asyncio.run(redeliver(hired["application"])) == 2

    def headcount_today() -> dict[str, Any]:
        units = ok(r.get("/api/v1/officers/headcount", params={"unit_id": f"{x}-S"}))["units"]
        return units[0]["own"]  # type: ignore[no-any-return]

    def hired_in() -> bool:  # 10 - 4 left + 1 hired; 10 - 3 with the hire not applied is 7 too
        own = headcount_today()
        return bool(own["total"] == 7 and own["information_security"] == 1)

    eventually(hired_in, "the hire in reporting")
    import time

    time.sleep(3)  # both redeliveries have had ample time to be (not) applied
    caught_up(r)
    assert headcount_today()["total"] == 7 and headcount_today()["information_security"] == 1
    assert ok(p.get("/api/v1/officers", params={"unit_id": f"{x}-S", "status": "all"}))["total"] == 11
    vacancy = ok(c.get(f"/api/v1/vacancies/{hired['vacancy']}"))
    assert vacancy["status"] == "filled"
    assert ok(c.get("/api/v1/hires", params={"vacancy_id": hired["vacancy"]}))["total"] == 1


def test_attrition_of_the_department_matches_the_hand_computed_figures(
    apis: dict[str, httpx.Client], hired: dict[str, Any]
) -> None:
    r = apis["r"]
    x = hired["x"]

    def body() -> dict[str, Any]:
        return ok(r.get("/api/v1/attrition", params={"as_of": "2024-12-31", "unit_id": f"{x}-S"}))  # type: ignore[no-any-return]

    def funnel() -> tuple[int, int]:
        policies = ok(r.get("/api/v1/recruitment/policies"))["policies"]
        mine = next(pol for pol in policies if pol["policy_id"] == hired["policy"])
        return mine["hires"], mine["appointed"]

    def june_hires() -> int:
        return sum(m["hires"] for m in body()["months"] if m["month"] == "2024-06")

    # the interview, the hire and its outcome come on three topics, in no order relative to one another
    eventually(
        lambda: body()["exit_interview_reasons"] != {} and june_hires() == 1 and funnel() == (1, 1),
        "the exit interview, the hire and its outcome in reporting",
    )
    figures = body()
    assert (figures["departures"], figures["average_headcount"], figures["attrition_rate_pct"]) == (3, 7.5, 40.0)
    assert figures["private_sector_share_pct"] == 66.7
    months = {m["month"]: (m["departures"], m["hires"]) for m in figures["months"]}
    assert months["2024-03"] == (2, 0) and months["2024-06"] == (0, 1) and months["2024-08"] == (1, 0)
    assert sum(d for d, _ in months.values()) == 3
    assert figures["exit_interview_reasons"] == {"pay": 1, "private_sector_offer": 1}
    assert funnel() == (1, 1)
