"""Recruitment's HTTP API on the real PostgreSQL (a fresh database) and Kafka (private topics). Personnel's
events are produced to the topics as personnel would, and read back through recruitment's consumer."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient

from cds_contracts import REGISTRY, Envelope, Event
from cds_contracts.personnel_officers import OfficerAppointed, OfficerAppointmentRefused, OfficerDepartedV1
from cds_contracts.personnel_org_units import OrgUnitDissolved, OrgUnitMoved, OrgUnitRegistered
from cds_plumbing.auth import Role, mint_token
from recruitment.config import Settings
from recruitment.entrypoints.app import create_app

pytestmark = pytest.mark.integration

QUOTAS = ("it_technical", "information_security", "data", "leadership")


@dataclass
class Api:
    """The app under test, and what a test needs around it: tokens, personnel's events, the outbox."""

    client: TestClient
    settings: Settings
    bootstrap: str
    prefix: str
    database: str

    def token(self, role: Role, unit: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, role, unit=unit, subject=f'{role}-{unit}')}"}

    def produce(self, *events: Event) -> None:
        self.client.portal.call(produce, self.bootstrap, self.prefix, events)  # type: ignore[union-attr]

    def outbox(self) -> list[dict[str, Any]]:
        return self.client.portal.call(outbox_rows, self.database)  # type: ignore[union-attr]


@pytest.fixture
def api(database: str, bootstrap: str, topic_prefix: str) -> Iterator[Api]:
    settings = Settings(database_url=database, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=topic_prefix)
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN, subject='admin')}"
    with client:
        yield Api(client, settings, bootstrap, topic_prefix, database)


async def produce(bootstrap: str, prefix: str, events: tuple[Event, ...]) -> None:
    """Publish events the way personnel's relay does: CloudEvents headers, keyed by the aggregate id."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            spec = REGISTRY.spec_for(type(event))
            key = str(getattr(event, spec.key_field))
            envelope = Envelope(type=spec.type, version=spec.version, source="/personnel", subject=key)
            await producer.send_and_wait(
                prefix + spec.topic.name,
                event.model_dump_json().encode(),
                key=key.encode(),
                headers=envelope.to_headers(),
            )
    finally:
        await producer.stop()


async def outbox_rows(dsn: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT event_type, topic, key, payload::text AS payload, headers::text AS headers FROM outbox ORDER BY id"
        )
        return [  # a NULL payload is a tombstone
            {**dict(r), "payload": r["payload"] and json.loads(r["payload"]), "headers": json.loads(r["headers"])}
            for r in rows
        ]
    finally:
        await conn.close()


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def eventually(probe: Callable[[], Any], what: str, timeout: float = 45.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def unit_event(unit_id: str, level: str, parent: str | None, kind: str = "peoples_committee") -> OrgUnitRegistered:
    return OrgUnitRegistered(
        unit_id=unit_id,
        name_vi=f"Đơn vị {unit_id}",
        kind=kind,
        level=level,
        parent_id=parent,
        valid_from="2020-01-01",
    )


def province(api: Api) -> None:
    """VP (province) ⊃ SO-KHCN, TD (district) ⊃ TD-A, TD-B, as personnel announces them."""
    api.produce(
        unit_event("VP", "province", None),
        unit_event("SO-KHCN", "province", "VP", kind="state_agency"),
        unit_event("TD", "district", "VP"),
        unit_event("TD-A", "commune", "TD"),
        unit_event("TD-B", "commune", "TD"),
    )

    def known() -> bool:
        listing = ok(api.client.get("/api/v1/org-units"))
        return {u["unit_id"] for u in listing["items"]} == {"VP", "SO-KHCN", "TD", "TD-A", "TD-B"}

    eventually(known, "the units in recruitment's read model")


def quotas(it: int, sec: int, data: int, lead: int) -> dict[str, Any]:
    return {"quotas": dict(zip(QUOTAS, (it, sec, data, lead), strict=True))}


def test_a_staffing_plan_may_not_exceed_its_parents(api: Api) -> None:
    province(api)
    c = api.client
    plan = ok(c.put("/api/v1/staffing-plans/VP/2025", json=quotas(10, 5, 3, 2)))
    assert plan["quotas"] == {"it_technical": 10, "information_security": 5, "data": 3, "leadership": 2}
    assert plan["total_positions"] == 20

    r = c.put("/api/v1/staffing-plans/TD/2025", json=quotas(4, 6, 1, 1))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == (
        "information_security quota 6 for TD in 2025 exceeds the information_security quota 5 of its parent VP"
    )
    ok(c.put("/api/v1/staffing-plans/TD/2025", json=quotas(4, 2, 1, 1)))
    # Setting again replaces the plan; a commune under TD is bound by TD's plan, not VP's.
    ok(c.put("/api/v1/staffing-plans/TD/2025", json=quotas(4, 3, 1, 1)))
    r = c.put("/api/v1/staffing-plans/TD-A/2025", json=quotas(5, 0, 0, 0))
    assert r.status_code == 422 and "it_technical quota 5 for TD-A in 2025 exceeds" in r.json()["detail"]
    ok(c.put("/api/v1/staffing-plans/TD-A/2025", json=quotas(2, 1, 0, 0)))
    # Another year has no parent plan: anything goes.
    ok(c.put("/api/v1/staffing-plans/TD/2026", json=quotas(40, 40, 40, 40)))
    # The parent cannot be lowered under a sub-unit's quota.
    r = c.put("/api/v1/staffing-plans/VP/2025", json=quotas(10, 2, 3, 2))
    assert r.status_code == 422 and "is below the information_security quota 3 of its sub-unit TD" in r.json()["detail"]

    assert c.put("/api/v1/staffing-plans/NOPE/2025", json=quotas(1, 1, 1, 1)).status_code == 404
    assert c.put("/api/v1/staffing-plans/TD/2025", json={"quotas": {"it_technical": -1}}).status_code == 422

    vp = ok(c.get("/api/v1/staffing-plans/VP/2025"))
    assert vp["quotas"]["information_security"] == 5
    assert [s["unit_id"] for s in vp["sub_unit_plans"]] == ["TD"]
    listing = ok(c.get("/api/v1/staffing-plans", params={"year": 2025, "limit": 2}))
    assert listing["total"] == 3 and len(listing["items"]) == 2
    assert c.get("/api/v1/staffing-plans/SO-KHCN/2025").status_code == 404

    # Unit editors write in their own subtree only (recruitment's copy of the tree); viewers never.
    editor = api.token(Role.UNIT_EDITOR, "TD")
    ok(c.put("/api/v1/staffing-plans/TD-B/2025", json=quotas(1, 1, 0, 0), headers=editor))
    assert c.put("/api/v1/staffing-plans/SO-KHCN/2025", json=quotas(1, 1, 0, 0), headers=editor).status_code == 403
    viewer = api.token(Role.VIEWER)
    assert c.put("/api/v1/staffing-plans/TD-B/2025", json=quotas(1, 1, 0, 0), headers=viewer).status_code == 403

    sets = [r for r in api.outbox() if r["event_type"] == "vn.cds.recruitment.staffing_plan.set"]
    assert [r["key"] for r in sets] == ["VP:2025", "TD:2025", "TD:2025", "TD-A:2025", "TD:2026", "TD-B:2025"]
    assert sets[2]["payload"]["quotas"]["information_security"] == 3


def test_plan_limits_skip_units_without_a_plan(api: Api) -> None:
    """VP ⊃ TD ⊃ TD-A: with no plan for TD, TD-A is bound by VP's and binds VP, two levels apart."""
    province(api)
    c = api.client
    ok(c.put("/api/v1/staffing-plans/VP/2025", json=quotas(5, 5, 5, 5)))
    r = c.put("/api/v1/staffing-plans/TD-A/2025", json=quotas(10, 0, 0, 0))
    assert r.status_code == 422, r.text
    assert (
        r.json()["detail"]
        == "it_technical quota 10 for TD-A in 2025 exceeds the it_technical quota 5 of its ancestor VP"
    )
    ok(c.put("/api/v1/staffing-plans/TD-A/2025", json=quotas(4, 0, 0, 0)))
    r = c.put("/api/v1/staffing-plans/VP/2025", json=quotas(3, 5, 5, 5))
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (
        "it_technical quota 3 for VP in 2025 is below the it_technical quota 4 of its sub-unit TD-A"
    )
    # A plan in between becomes the nearest on both sides: TD-A answers to TD, and VP to TD.
    ok(c.put("/api/v1/staffing-plans/TD/2025", json=quotas(4, 1, 1, 1)))
    r = c.put("/api/v1/staffing-plans/VP/2025", json=quotas(3, 5, 5, 5))
    assert r.status_code == 422 and "of its sub-unit TD" in r.json()["detail"]
    r = c.put("/api/v1/staffing-plans/TD-A/2025", json=quotas(4, 2, 0, 0))
    assert r.status_code == 422 and "information_security quota 1 of its parent TD" in r.json()["detail"]
    ok(c.put("/api/v1/staffing-plans/VP/2025", json=quotas(4, 1, 1, 1)))


def test_a_refused_hire_reopens_the_vacancy_it_filled(api: Api) -> None:
    province(api)
    c = api.client
    vacancy_id = open_vacancy(api, positions=1)
    first = apply(api, vacancy_id, "Phạm Văn D")
    move(api, first, "screened", "interviewed", "offered", "accepted")
    ok(c.post(f"/api/v1/applications/{first}/hire", json=HIRE), 202)
    assert ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))["status"] == "filled"

    api.produce(
        OfficerAppointmentRefused(
            officer_id=f"CB-H-{first}", application_id=first, unit_id="TD-A", reason="hồ sơ không hợp lệ"
        )
    )
    vacancy = eventually(
        lambda: (v := ok(c.get(f"/api/v1/vacancies/{vacancy_id}")))["status"] == "open" and v, "the reopening"
    )
    assert vacancy["closed_on"] is None and vacancy["hires"] == 0
    reopened = [r for r in api.outbox() if r["event_type"] == "vn.cds.recruitment.vacancy.reopened"]
    assert len(reopened) == 1 and reopened[0]["key"] == vacancy_id
    assert reopened[0]["payload"]["reason"] == "hồ sơ không hợp lệ"
    assert reopened[0]["payload"]["vacancy_id"] == vacancy_id and reopened[0]["payload"]["reopened_on"]
    assert reopened[0]["headers"]["causation_id"] is not None

    # The position can be filled again, which closes the vacancy once more.
    second = apply(api, vacancy_id, "Lê Văn C")
    move(api, second, "screened", "interviewed", "offered", "accepted")
    ok(c.post(f"/api/v1/applications/{second}/hire", json=HIRE), 202)
    assert ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))["status"] == "filled"
    closed = [r["payload"]["outcome"] for r in api.outbox() if r["event_type"] == "vn.cds.recruitment.vacancy.closed"]
    assert closed == ["filled", "filled"]


def candidate(name: str = "Trần Thị B", email: str | None = None) -> dict[str, Any]:
    return {
        "full_name": name,
        "birth_year": 1995,
        "gender": "female",
        "email": email or f"{uuid.uuid4().hex[:8]}@example.vn",
        "phone": "0912 345 678",
        "degree": "engineer",
        "degree_field": "it",
    }


def open_vacancy(api: Api, positions: int = 1, policy_ids: list[str] | None = None, unit_id: str = "TD-A") -> str:
    body = {
        "unit_id": unit_id,
        "function": "information_security",
        "positions": positions,
        "title": "Chuyên viên ATTT",
        "policy_ids": policy_ids or [],
        "opened_on": "2025-01-01",
    }
    return str(ok(api.client.post("/api/v1/vacancies", json=body), 201)["vacancy_id"])


def apply(api: Api, vacancy_id: str, name: str = "Trần Thị B") -> str:
    body = {"vacancy_id": vacancy_id, "candidate": candidate(name)}
    return str(ok(api.client.post("/api/v1/applications", json=body), 201)["application_id"])


def move(api: Api, application_id: str, *stages: str) -> None:
    for stage in stages:
        ok(api.client.post(f"/api/v1/applications/{application_id}/stage", json={"to_stage": stage}))


HIRE = {
    "employment_category": "civil_servant",
    "assignment": "dedicated",
    "functions": ["information_security"],
    "hired_on": "2025-03-01",
}


def test_the_pipeline_up_to_a_hire_that_personnel_appoints(api: Api) -> None:
    province(api)
    c = api.client
    policy = {
        "policy_id": "NQ15-2024",
        "name": "Thu hút chuyên gia CNTT, ATTT",
        "document_number": "15/2024/NQ-HĐND",
        "document_date": "2024-07-10",
        "monthly_allowance_vnd": 5_000_000,
        "housing": True,
        "training_sponsorship": True,
        "eligibility": "Kỹ sư CNTT, ATTT, viễn thông dưới 35 tuổi",
        "effective_from": "2024-08-01",
    }
    assert (
        c.post("/api/v1/incentive-policies", json=policy, headers=api.token(Role.UNIT_EDITOR, "TD")).status_code == 403
    )
    assert ok(c.post("/api/v1/incentive-policies", json=policy), 201) == {"policy_id": "NQ15-2024"}
    assert c.post("/api/v1/incentive-policies", json=policy).status_code == 409
    assert ok(c.get("/api/v1/incentive-policies/NQ15-2024"))["monthly_allowance_vnd"] == 5_000_000

    body = {"unit_id": "TD-A", "function": "information_security", "positions": 1, "opened_on": "2025-01-01"}
    r = c.post("/api/v1/vacancies", json={**body, "policy_ids": ["NQ15-2024", "NQ-NOPE"]})
    assert r.status_code == 422 and "NQ-NOPE does not exist" in r.json()["detail"]
    r = c.post("/api/v1/vacancies", json={**body, "unit_id": "NOWHERE"})
    assert r.status_code == 422 and "NOWHERE is not known" in r.json()["detail"]
    vacancy_id = open_vacancy(api, policy_ids=["NQ15-2024"])
    application_id = apply(api, vacancy_id, "Trần Thị B")
    other = apply(api, vacancy_id, "Lê Văn C")

    # Illegal moves are 409 naming both stages; nothing changes.
    r = c.post(f"/api/v1/applications/{application_id}/stage", json={"to_stage": "offered"})
    assert r.status_code == 409 and "cannot move from applied to offered" in r.json()["detail"]
    r = c.post(f"/api/v1/applications/{application_id}/hire", json=HIRE)
    assert r.status_code == 409 and "cannot move from applied to hired" in r.json()["detail"]
    move(api, application_id, "screened", "interviewed", "offered", "accepted")
    r = c.post(f"/api/v1/applications/{application_id}/stage", json={"to_stage": "hired"})
    assert r.status_code == 422 and "/hire" in r.json()["detail"]

    vacancy = ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))
    assert vacancy["applications_by_stage"]["accepted"] == 1 and vacancy["applications_by_stage"]["applied"] == 1
    assert vacancy["policy_ids"] == ["NQ15-2024"]

    assert ok(c.post(f"/api/v1/applications/{application_id}/hire", json=HIRE), 202)["hire_status"] == "pending"
    # One position, one hire: the vacancy closed as filled, and takes no more applications.
    vacancy = ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))
    assert (vacancy["status"], vacancy["hires"]) == ("filled", 1)
    r = c.post("/api/v1/applications", json={"vacancy_id": vacancy_id, "candidate": candidate()})
    assert r.status_code == 409 and "is filled" in r.json()["detail"]
    assert ok(c.get("/api/v1/vacancies", params={"status": "filled", "unit_id": "TD-A"}))["total"] == 1
    move(api, other, "screened")  # applications still in the pipeline can still be rejected or moved

    rows = api.outbox()
    hired = [r for r in rows if r["event_type"] == "vn.cds.recruitment.application.candidate_hired"]
    assert len(hired) == 1 and hired[0]["key"] == application_id
    candidate_id = hired[0]["payload"]["candidate_id"]
    assert hired[0]["payload"] | {} == {
        "application_id": application_id,
        "candidate_id": candidate_id,
        "vacancy_id": vacancy_id,
        "unit_id": "TD-A",
        "function": "information_security",
        "policy_ids": ["NQ15-2024"],
        "employment_category": "civil_servant",
        "assignment": "dedicated",
        "functions": ["information_security"],
        "hired_on": "2025-03-01",
    }
    # The name goes to personnel on the compacted profile topic only, keyed by the candidate's id.
    (profile,) = [r for r in rows if r["topic"] == "recruitment.candidate-profile"]
    assert (profile["key"], profile["payload"]) == (
        candidate_id,
        {"candidate_id": candidate_id, "full_name": "Trần Thị B", "birth_year": 1995, "gender": "female"},
    )
    closed = [r for r in rows if r["event_type"] == "vn.cds.recruitment.vacancy.closed"]
    assert [c_["payload"]["outcome"] for c_ in closed] == ["filled"]
    # No event carries the candidate's personal data.
    for row in rows:
        if row["topic"] != "recruitment.candidate-profile":
            assert "Trần Thị B" not in json.dumps(row["payload"], ensure_ascii=False)
            assert "@example.vn" not in json.dumps(row["payload"])

    # Personnel answers with the officer it appointed; an answer for an unknown application is ignored.
    api.produce(
        OfficerAppointed(
            officer_id="CB-GHOST",
            unit_id="TD-A",
            employment_category="civil_servant",
            assignment="dedicated",
            effective_date="2025-03-01",
            application_id="AP-UNKNOWN",
        ),
        OfficerAppointed(
            officer_id="CB-000001",
            unit_id="TD-A",
            employment_category="civil_servant",
            assignment="dedicated",
            functions=("information_security",),
            effective_date="2025-03-01",
            application_id=application_id,
        ),
    )
    record = eventually(
        lambda: (a := ok(c.get(f"/api/v1/applications/{application_id}")))["hire_status"] == "appointed" and a,
        "the appointment",
    )
    assert record["officer_id"] == "CB-000001" and record["hire"]["officer_id"] == "CB-000001"
    assert record["candidate"]["full_name"] == "Trần Thị B" and record["candidate"]["phone"] == "0912 345 678"
    history = record["stage_history"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, "applied"),
        ("applied", "screened"),
        ("screened", "interviewed"),
        ("interviewed", "offered"),
        ("offered", "accepted"),
        ("accepted", "hired"),
    ]
    assert all(h["changed_at"] for h in history)
    assert history == sorted(history, key=lambda h: h["changed_at"])
    outcome = eventually(
        lambda: [r for r in api.outbox() if r["event_type"].endswith("application.hire_outcome_recorded")],
        "HireOutcomeRecorded in the outbox",
    )
    assert len(outcome) == 1 and outcome[0]["payload"]["appointed"] is True
    assert outcome[0]["payload"]["officer_id"] == "CB-000001"
    assert outcome[0]["headers"]["causation_id"] is not None
    # Personnel has answered: the hand-off copy leaves the profile topic (a tombstone, null value).
    (tombstone,) = [r for r in api.outbox() if r["topic"] == "recruitment.candidate-profile" and r["payload"] is None]
    assert tombstone["key"] == candidate_id
    assert tombstone["event_type"] == "vn.cds.recruitment.candidate_profile.erased"
    assert ok(c.get("/api/v1/hires", params={"status": "appointed"}))["items"][0]["application_id"] == application_id
    assert ok(c.get("/api/v1/hires", params={"status": "refused"}))["total"] == 0
    listing = ok(c.get("/api/v1/applications", params={"vacancy_id": vacancy_id, "stage": "screened"}))
    assert [a["application_id"] for a in listing["items"]] == [other]


def test_a_refused_hire_is_a_visible_failure(api: Api) -> None:
    province(api)
    c = api.client
    vacancy_id = open_vacancy(api, positions=3, unit_id="TD-B")
    hired = apply(api, vacancy_id, "Phạm Văn D")
    move(api, hired, "screened", "interviewed", "offered", "accepted")
    ok(c.post(f"/api/v1/applications/{hired}/hire", json=HIRE), 202)
    assert ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))["status"] == "open"  # 1 of 3 positions

    # Rejections need a reason and are final; a declined offer is final too.
    rejected = apply(api, vacancy_id, "Ngô Thị E")
    move(api, rejected, "screened", "interviewed")
    r = c.post(f"/api/v1/applications/{rejected}/stage", json={"to_stage": "rejected"})
    assert r.status_code == 422 and "needs a reason" in r.json()["detail"]
    ok(c.post(f"/api/v1/applications/{rejected}/stage", json={"to_stage": "rejected", "reason": "thiếu kinh nghiệm"}))
    r = c.post(f"/api/v1/applications/{rejected}/stage", json={"to_stage": "offered"})
    assert r.status_code == 409 and "cannot move from rejected to offered" in r.json()["detail"]
    declined = apply(api, vacancy_id, "Vũ Văn F")
    move(api, declined, "screened", "interviewed", "offered", "declined")
    r = c.post(f"/api/v1/applications/{declined}/hire", json=HIRE)
    assert r.status_code == 409 and "cannot move from declined to hired" in r.json()["detail"]
    by_stage = ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))["applications_by_stage"]
    assert (by_stage["hired"], by_stage["rejected"], by_stage["declined"]) == (1, 1, 1)

    # Meanwhile TD-B was dissolved in personnel, which refuses the appointment.
    api.produce(
        OrgUnitDissolved(unit_id="TD-B", effective_date="2025-02-15"),
        OfficerAppointmentRefused(
            officer_id="CB-000002", application_id=hired, unit_id="TD-B", reason="unit TD-B was dissolved"
        ),
    )
    record = eventually(
        lambda: (a := ok(c.get(f"/api/v1/applications/{hired}")))["hire_status"] == "refused" and a, "the refusal"
    )
    assert record["hire"]["reason"] == "unit TD-B was dissolved" and record["stage"] == "hired"
    failed = ok(c.get("/api/v1/hires", params={"status": "refused"}))
    assert [(h["application_id"], h["reason"], h["officer_id"]) for h in failed["items"]] == [
        (hired, "unit TD-B was dissolved", "CB-000002")
    ]
    # A refused hire no longer counts against the positions; the dissolved unit takes no new vacancy.
    assert ok(c.get(f"/api/v1/vacancies/{vacancy_id}"))["hires"] == 0
    eventually(lambda: ok(c.get("/api/v1/org-units/TD-B"))["ceased_on"] == "2025-02-15", "the dissolution")
    r = c.post(
        "/api/v1/vacancies",
        json={"unit_id": "TD-B", "function": "data", "positions": 1, "opened_on": "2025-03-01"},
    )
    assert r.status_code == 422 and "does not exist on 2025-03-01" in r.json()["detail"]
    outcome = eventually(
        lambda: [r for r in api.outbox() if r["event_type"].endswith("application.hire_outcome_recorded")],
        "HireOutcomeRecorded in the outbox",
    )
    assert outcome[0]["payload"] | {} == {
        "application_id": hired,
        "vacancy_id": vacancy_id,
        "officer_id": "CB-000002",
        "appointed": False,
        "reason": "unit TD-B was dissolved",
    }

    ok(c.post(f"/api/v1/vacancies/{vacancy_id}/close", json={"outcome": "cancelled", "closed_on": "2025-03-02"}))
    r = c.post(f"/api/v1/vacancies/{vacancy_id}/close", json={"outcome": "cancelled"})
    assert r.status_code == 409 and "is cancelled" in r.json()["detail"]


def test_unit_moves_change_who_may_write(api: Api) -> None:
    province(api)
    c = api.client
    editor = api.token(Role.UNIT_EDITOR, "TD")
    body = {"unit_id": "SO-KHCN", "function": "data", "positions": 1, "opened_on": "2025-01-01"}
    assert c.post("/api/v1/vacancies", json=body, headers=editor).status_code == 403
    api.produce(OrgUnitMoved(unit_id="SO-KHCN", parent_id="TD", level="district", effective_date="2025-01-01"))
    eventually(lambda: ok(c.get("/api/v1/org-units/SO-KHCN"))["parent_id"] == "TD", "the move")
    vacancy_id = ok(c.post("/api/v1/vacancies", json=body, headers=editor), 201)["vacancy_id"]
    assert c.post("/api/v1/vacancies", json=body, headers=api.token(Role.UNIT_EDITOR, "TD-A")).status_code == 403
    application_id = apply(api, vacancy_id)
    r = c.post(
        f"/api/v1/applications/{application_id}/stage",
        json={"to_stage": "screened"},
        headers=api.token(Role.UNIT_EDITOR, "TD-A"),
    )
    assert r.status_code == 403


def test_exit_interviews_need_a_known_departure(api: Api) -> None:
    c = api.client
    body = {"officer_id": "CB-LEFT", "reasons": ["private_sector_offer", "pay"], "interviewed_on": "2025-05-20"}
    r = c.post("/api/v1/exit-interviews", json=body)
    assert r.status_code == 404 and "no departure of officer CB-LEFT" in r.json()["detail"]

    api.produce(  # a v1 record, as still on the topic: its destination employer is not kept here
        OfficerDepartedV1(
            officer_id="CB-LEFT",
            unit_id="TD-A",
            effective_date="2025-06-01",
            reason="private_sector",
            destination="Viettel",
        )
    )
    eventually(lambda: c.get("/api/v1/departures/CB-LEFT").status_code == 200, "the departure")
    assert "Viettel" not in c.get("/api/v1/departures/CB-LEFT").text
    assert ok(c.get("/api/v1/departures", params={"interviewed": False}))["total"] == 1
    assert c.post("/api/v1/exit-interviews", json={**body, "reasons": ["boredom"]}).status_code == 422
    assert c.post("/api/v1/exit-interviews", json={**body, "reasons": []}).status_code == 422
    created = ok(c.post("/api/v1/exit-interviews", json=body), 201)
    r = c.post("/api/v1/exit-interviews", json=body)
    assert r.status_code == 409 and created["interview_id"] in r.json()["detail"]

    listing = ok(c.get("/api/v1/exit-interviews", params={"reason": "pay"}))
    assert [(i["officer_id"], i["reasons"], i["departure_date"]) for i in listing["items"]] == [
        ("CB-LEFT", ["private_sector_offer", "pay"], "2025-06-01")
    ]
    assert ok(c.get("/api/v1/exit-interviews", params={"reason": "family"}))["total"] == 0
    assert ok(c.get("/api/v1/departures", params={"interviewed": True}))["total"] == 1
    recorded = [r for r in api.outbox() if r["event_type"] == "vn.cds.recruitment.exit_interview.recorded"]
    assert [(r["key"], r["payload"]["reasons"], r["payload"]["departure_date"]) for r in recorded] == [
        ("CB-LEFT", ["private_sector_offer", "pay"], "2025-06-01")
    ]


def test_writes_and_personal_data_need_a_token(api: Api) -> None:
    anonymous = {"Authorization": ""}
    c = api.client
    for method, path, body in [
        ("PUT", "/api/v1/staffing-plans/VP/2025", quotas(1, 1, 1, 1)),
        ("POST", "/api/v1/incentive-policies", {}),
        ("POST", "/api/v1/vacancies", {}),
        ("POST", "/api/v1/vacancies/VC-1/close", {"outcome": "cancelled"}),
        ("POST", "/api/v1/applications", {}),
        ("POST", "/api/v1/applications/AP-1/stage", {"to_stage": "screened"}),
        ("POST", "/api/v1/applications/AP-1/hire", HIRE),
        ("POST", "/api/v1/exit-interviews", {}),
    ]:
        r = c.request(method, path, json=body, headers=anonymous)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
    assert c.get("/api/v1/applications/AP-1", headers=anonymous).status_code == 401
    assert c.get("/api/v1/applications", headers=anonymous).status_code == 401
    assert c.get("/api/v1/applications/AP-1").status_code == 404
    assert c.get("/api/v1/vacancies", headers=anonymous).status_code == 401  # every read needs a token
    assert c.get("/api/v1/hires", params={"status": "refused"}, headers=anonymous).status_code == 401
