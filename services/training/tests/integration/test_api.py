"""Training's HTTP API on the real PostgreSQL (a fresh database) and Kafka (private topics): the officer
read model fed by real personnel events, enrolment rules, a class from scheduling to annulment with its
certificate, plan history, drills with findings, and authorisation."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient

from cds_contracts import REGISTRY, Envelope, Event
from cds_contracts.personnel_officers import OfficerAppointed, OfficerDeparted, OfficerTransferred
from cds_contracts.personnel_org_units import OrgUnitMoved, OrgUnitRegistered, OrgUnitsMerged
from cds_contracts.training import PlanTargets
from cds_plumbing.auth import Role, mint_token
from tests.support.kafka import read_topic
from training.config import Settings
from training.entrypoints.app import create_app

pytestmark = pytest.mark.integration

D = dt.date
T = TypeVar("T")


@pytest.fixture
def settings(database: str, bootstrap: str, topic_prefix: str) -> Settings:
    return Settings(
        database_url=database,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=topic_prefix,
        consumer_name=f"training-officers-test-{uuid.uuid4().hex[:8]}",  # never joins the stack's group
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN, subject='admin')}"
    with client:
        yield client


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def refused(response: Any, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert text in response.json()["detail"], response.json()


def in_app_loop(api: TestClient, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run a coroutine function on the app's event loop (where the TestClient runs the app)."""
    assert api.portal is not None
    return api.portal.call(fn, *args)


def published(api: TestClient, settings: Settings, topic: str, expect: int) -> list[Any]:
    """What the relay put on one of the private topics."""
    read = functools.partial(read_topic, expect=expect)
    return in_app_loop(api, read, settings.kafka_bootstrap_servers, settings.kafka_topic_prefix + topic)


def eventually(check: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# --- personnel's events, produced to the private topics as personnel's relay would ---------------------


async def _produce(bootstrap: str, prefix: str, events: list[Event]) -> None:
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


def produce(api: TestClient, settings: Settings, *events: Event) -> None:
    in_app_loop(api, _produce, settings.kafka_bootstrap_servers, settings.kafka_topic_prefix, list(events))


def unit(unit_id: str, level: str, parent: str | None, kind: str = "peoples_committee") -> OrgUnitRegistered:
    return OrgUnitRegistered(
        unit_id=unit_id, name_vi=f"Đơn vị {unit_id}", kind=kind, level=level, parent_id=parent, valid_from=D(2020, 1, 1)
    )


def appointed(officer_id: str, unit_id: str) -> OfficerAppointed:
    return OfficerAppointed(
        officer_id=officer_id,
        unit_id=unit_id,
        employment_category="civil_servant",
        assignment="concurrent",
        functions=("it_technical",),
        effective_date=D(2023, 1, 2),
    )


PROVINCE = (
    unit("VP", "province", None),
    unit("SO-TTTT", "province", "VP", kind="state_agency"),
    unit("TD", "district", "VP"),
    unit("TD-A", "commune", "TD"),
)


def officer(api: TestClient, officer_id: str) -> dict[str, Any] | None:
    r = api.get(f"/api/v1/officers/{officer_id}")
    return r.json() if r.status_code == 200 else None


def known(api: TestClient, officer_id: str, **expected: Any) -> bool:
    found = officer(api, officer_id)
    return found is not None and all(found[k] == v for k, v in expected.items())


def unit_known(api: TestClient, unit_id: str) -> bool:
    r = api.get(f"/api/v1/units/{unit_id}")
    return r.status_code == 200 and r.json()["level"] is not None


# --- training's own data ------------------------------------------------------------------------------


def programme(api: TestClient, programme_id: str, **overrides: Any) -> None:
    body = {
        "programme_id": programme_id,
        "name_vi": "An toàn thông tin cho quản trị hệ thống",
        "kind": "infosec_sysadmin",
        "level": "intermediate",
        "hours": 40,
        "provider": "Sở Thông tin và Truyền thông",
        "issues_certificate": True,
        "certificate_validity_months": 24,
        **overrides,
    }
    ok(api.post("/api/v1/programmes", json=body), 201)


def schedule(api: TestClient, class_id: str, programme_id: str, organiser: str, **overrides: Any) -> Any:
    body = {
        "class_id": class_id,
        "programme_id": programme_id,
        "plan_year": 2024,
        "title": f"Lớp {class_id}",
        "starts_on": "2024-06-03",
        "ends_on": "2024-06-07",
        "place": "Vĩnh Yên",
        "organiser_unit_id": organiser,
        "capacity": 2,
        **overrides,
    }
    return api.post("/api/v1/classes", json=body)


def enrol(api: TestClient, class_id: str, officer_id: str, **headers: str) -> Any:
    body = {"officer_id": officer_id, "enrolled_on": "2024-05-20"}
    return api.post(f"/api/v1/classes/{class_id}/enrolments", json=body, headers=headers or None)


async def outbox_rows(dsn: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT topic, event_type, key, payload::text AS payload, headers::text AS headers FROM outbox ORDER BY id"
        )
        return [{**dict(r), "payload": json.loads(r["payload"]), "headers": json.loads(r["headers"])} for r in rows]
    finally:
        await conn.close()


def test_a_class_from_enrolment_rules_to_certificate_and_annulment(
    api: TestClient, settings: Settings, database: str
) -> None:
    produce(
        api,
        settings,
        *PROVINCE,
        appointed("CB-A", "TD-A"),
        appointed("CB-B", "SO-TTTT"),
        appointed("CB-C", "TD"),
        OfficerDeparted(officer_id="CB-C", unit_id="TD", effective_date=D(2024, 3, 1), reason="private_sector"),
        appointed("CB-D", "TD-A"),
        OfficerTransferred(
            officer_id="CB-D", from_unit_id="TD-A", to_unit_id="TD", effective_date=D(2024, 4, 1), reason="transfer"
        ),
        appointed("CB-E", "TD-B"),  # its unit is not registered yet
    )
    eventually(lambda: known(api, "CB-C", status="departed"), "CB-C's departure")
    eventually(lambda: known(api, "CB-D", unit_id="TD", unit_level="district"), "CB-D's transfer")
    eventually(lambda: known(api, "CB-E", unit_level=None) and unit_known(api, "SO-TTTT"), "CB-E and SO-TTTT")

    programme(api, "PG-ATTT")
    refused(schedule(api, "LH-X", "PG-NOPE", "SO-TTTT"), 404, "programme PG-NOPE does not exist")
    refused(schedule(api, "LH-X", "PG-ATTT", "SO-TTTT", ends_on="2024-06-01"), 422, "cannot end")
    refused(schedule(api, "LH-X", "PG-ATTT", "NOWHERE"), 422, "NOWHERE unknown to training")
    assert ok(schedule(api, "LH-1", "PG-ATTT", "SO-TTTT"), 201) == {
        "class_id": "LH-1",
        "status": "scheduled",
        "advanced": False,
    }
    refused(schedule(api, "LH-1", "PG-ATTT", "SO-TTTT"), 409, "already used")

    # The officer read model decides, without asking personnel.
    refused(enrol(api, "LH-1", "CB-X"), 422, "officer CB-X is unknown to training")
    refused(enrol(api, "LH-1", "CB-C"), 409, "departed on 2024-03-01")
    refused(enrol(api, "LH-1", "CB-E"), 409, "level of unit TD-B")
    assert ok(enrol(api, "LH-1", "CB-A"), 201)["level"] == "commune"
    assert ok(enrol(api, "LH-1", "CB-D"), 201) == {
        "class_id": "LH-1",
        "officer_id": "CB-D",
        "unit_id": "TD",
        "level": "district",
    }
    refused(enrol(api, "LH-1", "CB-B"), 409, "full (2 of 2 seats taken)")
    refused(enrol(api, "LH-1", "CB-A"), 409, "already enrolled")
    refused(enrol(api, "LH-NOPE", "CB-A"), 404, "class LH-NOPE does not exist")

    # TD-B's registration arrives late: CB-E's level is looked up at enrolment, once a seat is free.
    produce(api, settings, unit("TD-B", "commune", "TD"))
    eventually(lambda: known(api, "CB-E", unit_level="commune"), "TD-B's level")
    refused(enrol(api, "LH-1", "CB-E"), 409, "full")
    ok(api.post("/api/v1/classes/LH-1/enrolments/CB-D/withdraw", json={"withdrawn_on": "2024-05-25"}))
    assert ok(enrol(api, "LH-1", "CB-E"), 201)["level"] == "commune"

    session = {
        "session_on": "2024-06-03",
        "entries": [
            {"officer_id": "CB-A", "present": True, "hours": 8},
            {"officer_id": "CB-E", "present": False, "hours": 0},
        ],
    }
    refused(api.post("/api/v1/classes/LH-1/attendance", json=session), 409, "it is scheduled")
    refused(api.post("/api/v1/classes/LH-1/start", json={"started_on": "2024-06-09"}), 422, "cannot start")
    ok(api.post("/api/v1/classes/LH-1/start", json={"started_on": "2024-06-03"}))
    assert ok(api.post("/api/v1/classes/LH-1/attendance", json=session), 201)["recorded"] == 2
    refused(api.post("/api/v1/classes/LH-1/attendance", json=session), 409, "already recorded")
    refused(api.post("/api/v1/classes/LH-1/attendance", json={**session, "session_on": "2024-06-10"}), 422, "outside")
    refused(api.post("/api/v1/classes/LH-1/complete", json={"completed_on": "2024-06-07"}), 409, "without a result")

    results = {
        "completed_on": "2024-06-07",
        "results": [
            {"officer_id": "CB-A", "passed": True, "score": 85},
            {"officer_id": "CB-E", "passed": False, "score": 40, "hours": 2},
        ],
    }
    given = ok(api.post("/api/v1/classes/LH-1/results", json=results), 201)["results"]
    cert = next(r for r in given if r["officer_id"] == "CB-A")
    assert cert["expires_on"] == "2026-06-07"  # completion date + 24 months
    assert next(r for r in given if r["officer_id"] == "CB-E")["certificate_id"] is None
    refused(api.post("/api/v1/classes/LH-1/results", json=results), 409, "already has a final result")
    ok(api.post("/api/v1/classes/LH-1/complete", json={"completed_on": "2024-06-07"}))
    refused(enrol(api, "LH-1", "CB-B"), 409, "it is completed")

    record = ok(api.get("/api/v1/classes/LH-1"))
    assert (record["status"], record["enrolled"], record["seats_left"]) == ("completed", 2, 0)
    by_officer = {e["officer_id"]: e for e in record["enrolments"]}
    assert by_officer["CB-D"]["status"] == "withdrawn"
    assert by_officer["CB-A"]["result"] == {
        "passed": True,
        "score": 85.0,
        "hours": 8.0,  # from the attendance recorded
        "completed_on": "2024-06-07",
        "certificate_id": cert["certificate_id"],
        "certificate_expires_on": "2026-06-07",
    }
    assert ok(api.get("/api/v1/officers/CB-A"))["certificates"][0]["valid"] is True

    # Annulled after the fact: allowed from completed, never twice.
    cancel = {"cancelled_on": "2024-07-01", "reason": "Sai đối tượng học viên"}
    ok(api.post("/api/v1/classes/LH-1/cancel", json=cancel))
    assert ok(api.get("/api/v1/classes/LH-1"))["status"] == "cancelled"
    refused(api.post("/api/v1/classes/LH-1/cancel", json=cancel), 409, "it is cancelled")
    assert ok(api.get("/api/v1/certificates", params={"officer_id": "CB-A"}))["items"][0]["valid"] is False

    # Every change went to the outbox in its own transaction, with the facts consumers need.
    rows = [r for r in in_app_loop(api, outbox_rows, database) if r["key"] == "LH-1"]
    types = [r["event_type"].removeprefix("vn.cds.training.class.") for r in rows]
    assert types == [
        "scheduled",
        "trainee_enrolled",
        "trainee_enrolled",
        "enrolment_withdrawn",
        "trainee_enrolled",
        "started",
        "attendance_recorded",
        "attendance_recorded",
        "training_completed",
        "certificate_issued",
        "training_completed",
        "completed",
        "cancelled",
    ]
    assert {r["topic"] for r in rows} == {"training.class"}
    enrolled = [r["payload"] for r in rows if r["event_type"].endswith("trainee_enrolled")]
    assert [(p["officer_id"], p["unit_id"], p["level"]) for p in enrolled] == [
        ("CB-A", "TD-A", "commune"),
        ("CB-D", "TD", "district"),
        ("CB-E", "TD-B", "commune"),
    ]
    completed = [r["payload"] for r in rows if r["event_type"].endswith("training_completed")]
    assert [(p["officer_id"], p["unit_id"], p["passed"], p["hours"]) for p in completed] == [
        ("CB-A", "TD-A", True, 8.0),
        ("CB-E", "TD-B", False, 2.0),
    ]
    issued = next(r for r in rows if r["event_type"].endswith("certificate_issued"))
    assert issued["payload"]["expires_on"] == "2026-06-07" and issued["payload"]["programme_kind"] == "infosec_sysadmin"
    assert issued["headers"]["actor"] == "admin" and issued["headers"]["source"] == "/training"

    # ...and the relay published them to the (private) class topic.
    records = published(api, settings, "training.class", 13)
    ce_types = [dict(r.headers)["ce_type"].decode() for r in records]
    assert ce_types.count("vn.cds.training.class.certificate_issued.v1") == 1 and len(records) == 13


def test_the_read_model_follows_reorganisations_whatever_the_topic_order(api: TestClient, settings: Settings) -> None:
    # The officer is carried to AB before AB's registration (another topic) has arrived.
    produce(
        api,
        settings,
        *PROVINCE,
        unit("TD-B", "commune", "TD"),
        appointed("CB-A", "TD-A"),
        OfficerTransferred(
            officer_id="CB-A",
            from_unit_id="TD-A",
            to_unit_id="AB",
            effective_date=D(2025, 7, 1),
            reason="reorganisation",
        ),
    )
    eventually(lambda: known(api, "CB-A", unit_id="AB", unit_level=None), "CB-A carried to AB")
    programme(api, "PG-1", issues_certificate=False, certificate_validity_months=None)
    ok(schedule(api, "LH-2", "PG-1", "VP", capacity=5), 201)
    refused(enrol(api, "LH-2", "CB-A"), 409, "level of unit AB")

    produce(
        api,
        settings,
        OrgUnitsMerged(successor_id="AB", predecessor_ids=("TD-A", "TD-B"), effective_date=D(2025, 7, 1)),
        unit("AB", "commune", "TD"),
        OrgUnitMoved(unit_id="AB", parent_id="VP", level="district", effective_date=D(2025, 7, 1)),
    )
    eventually(lambda: known(api, "CB-A", unit_level="district"), "AB's move to district level")
    assert ok(api.get("/api/v1/units/TD-A"))["ended_on"] == "2025-06-30"
    assert ok(api.get("/api/v1/units/AB"))["parent_id"] == "VP"
    assert ok(enrol(api, "LH-2", "CB-A"), 201)["level"] == "district"


def test_a_plan_is_adopted_once_and_amended_with_its_history(api: TestClient, settings: Settings) -> None:
    targets = {
        "classes": 10,
        "trainees_province": 60,
        "trainees_district": 90,
        "trainees_commune": 150,
        "advanced_classes": 1,
        "advanced_trainees": 30,
        "drills": 2,
    }
    adopted = ok(api.post("/api/v1/plans", json={"year": 2024, "targets": targets, "decision": "45/KH-UBND"}), 201)
    assert adopted == {"plan_id": "2024", "year": 2024, "revision": 1}
    refused(api.post("/api/v1/plans", json={"year": 2024, "targets": targets}), 409, "already adopted")
    r = api.post("/api/v1/plans", json={"year": 2024, "targets": {**targets, "classes": -1}})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "targets", "classes"]

    amendment = {"targets": {**targets, "classes": 12, "drills": 3}, "reason": "Bổ sung 2 lớp và 1 diễn tập"}
    assert ok(api.post("/api/v1/plans/2024/amendments", json=amendment), 201)["revision"] == 2
    refused(api.post("/api/v1/plans/2024/amendments", json=amendment), 422, "does not change")
    refused(api.post("/api/v1/plans/2025/amendments", json=amendment), 404, "no training plan")

    plan = ok(api.get("/api/v1/plans/2024"))
    assert (plan["revision"], plan["targets"]["classes"], plan["decision"]) == (2, 12, "45/KH-UBND")
    assert [(r["revision"], r["targets"]["classes"], r["reason"]) for r in plan["revisions"]] == [
        (1, 10, None),
        (2, 12, "Bổ sung 2 lớp và 1 diễn tập"),
    ]
    assert api.get("/api/v1/plans/2030").status_code == 404

    records = published(api, settings, "training.plan", 2)
    assert [json.loads(r.value)["revision"] if b"revision" in r.value else 1 for r in records] == [1, 2]
    assert {r.key for r in records} == {b"2024"}


def test_a_drill_with_findings_open_and_closed(api: TestClient, settings: Settings) -> None:
    produce(api, settings, *PROVINCE, appointed("CB-A", "SO-TTTT"))
    eventually(lambda: known(api, "CB-A", unit_level="province") and unit_known(api, "TD"), "units and CB-A")
    drill = {
        "drill_id": "DT-2024",
        "title": "Diễn tập thực chiến ATTT 2024",
        "scenario": "Tấn công mã độc tống tiền vào cổng dịch vụ công",
        "format": "live_fire",
        "held_on": "2024-09-10",
        "plan_year": 2024,
        "unit_ids": ["SO-TTTT", "TD"],
        "officer_ids": ["CB-A"],
        "objectives": ["Phát hiện", "Ứng cứu"],
    }
    refused(api.post("/api/v1/drills", json={**drill, "officer_ids": ["CB-Z"]}), 422, "CB-Z unknown")
    assert ok(api.post("/api/v1/drills", json=drill), 201) == {"drill_id": "DT-2024"}
    r = api.post("/api/v1/drills", json={**drill, "format": "paintball"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "format"]

    finding = {"description": "Chưa sao lưu ngoại tuyến", "owner_unit_id": "TD", "due_on": "2024-12-31"}
    refused(api.post("/api/v1/drills/DT-2024/findings", json={**finding, "due_on": "2024-09-01"}), 422, "before")
    refused(api.post("/api/v1/drills/DT-NOPE/findings", json=finding), 404, "drill DT-NOPE does not exist")
    first = ok(api.post("/api/v1/drills/DT-2024/findings", json=finding), 201)["finding_id"]
    second = ok(api.post("/api/v1/drills/DT-2024/findings", json={**finding, "owner_unit_id": "SO-TTTT"}), 201)
    ok(api.post(f"/api/v1/drills/DT-2024/findings/{first}/close", json={"closed_on": "2024-11-15"}))
    refused(
        api.post(f"/api/v1/drills/DT-2024/findings/{first}/close", json={"closed_on": "2024-11-16"}),
        409,
        "already closed",
    )
    missing = api.post("/api/v1/drills/DT-2024/findings/PH-NOPE/close", json={"closed_on": "2024-11-16"})
    assert missing.status_code == 404

    record = ok(api.get("/api/v1/drills/DT-2024"))
    assert {f["finding_id"]: f["status"] for f in record["findings"]} == {first: "closed", second["finding_id"]: "open"}
    listed = ok(api.get("/api/v1/drills", params={"plan_year": 2024, "unit_id": "TD"}))
    assert (listed["total"], listed["items"][0]["findings"], listed["items"][0]["open_findings"]) == (1, 2, 1)
    assert ok(api.get("/api/v1/drills", params={"plan_year": 2023}))["total"] == 0


def test_writes_need_a_token_and_unit_editors_stay_in_their_subtree(api: TestClient, settings: Settings) -> None:
    produce(api, settings, *PROVINCE)
    eventually(lambda: unit_known(api, "TD-A"), "the unit tree")
    programme(api, "PG-1")
    anonymous = {"Authorization": ""}
    paths: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/programmes", {}),
        ("/api/v1/plans", {}),
        ("/api/v1/classes", {}),
        ("/api/v1/classes/LH-1/enrolments", {}),
        ("/api/v1/drills", {}),
    ]
    for path, body in paths:
        r = api.post(path, json=body, headers=anonymous)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (path, r.text)
    assert api.get("/api/v1/classes", headers=anonymous).status_code == 401  # reads need a token too

    viewer = {"Authorization": f"Bearer {mint_token(settings, Role.VIEWER)}"}
    assert schedule(api, "LH-V", "PG-1", "TD-A").status_code == 201
    assert api.post("/api/v1/classes/LH-V/start", json={"started_on": "2024-06-03"}, headers=viewer).status_code == 403

    editor = {"Authorization": f"Bearer {mint_token(settings, Role.UNIT_EDITOR, unit='TD', subject='td')}"}
    body = {
        "programme_id": "PG-1",
        "plan_year": 2024,
        "title": "Lớp cấp xã",
        "starts_on": "2024-06-03",
        "ends_on": "2024-06-04",
        "organiser_unit_id": "TD-A",  # under TD in the tree training knows
        "capacity": 30,
    }
    assert api.post("/api/v1/classes", json=body, headers=editor).status_code == 201
    assert api.post("/api/v1/classes", json={**body, "organiser_unit_id": "SO-TTTT"}, headers=editor).status_code == 403
    targets = dict.fromkeys(PlanTargets.model_fields, 1)
    r = api.post("/api/v1/plans", json={"year": 2024, "targets": targets}, headers=editor)
    assert r.status_code == 403 and "province_admin" in r.json()["detail"]

    # Lists filter and paginate.
    ok(schedule(api, "LH-2025", "PG-1", "VP", plan_year=2025, starts_on="2025-03-03", ends_on="2025-03-05"), 201)
    in_2024 = ok(api.get("/api/v1/classes", params={"plan_year": 2024, "limit": 1}))
    assert (in_2024["total"], len(in_2024["items"]), in_2024["limit"]) == (2, 1, 1)
    assert ok(api.get("/api/v1/classes", params={"plan_year": 2024, "limit": 1, "offset": 1}))["items"][0]["title"]
    assert ok(api.get("/api/v1/classes", params={"organiser_unit_id": "VP"}))["items"][0]["class_id"] == "LH-2025"
    assert ok(api.get("/api/v1/classes", params={"status": "running"}))["total"] == 0
    assert api.get("/api/v1/classes", params={"status": "paused"}).status_code == 422
