"""Hires decided in recruitment become officers through Kafka (choreography), exactly once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient

from cds_contracts import REGISTRY, Envelope
from cds_contracts.recruitment import CandidateHired
from services.personnel.tests.integration.support import build_2024_province, ok, outbox_rows

pytestmark = pytest.mark.integration


def hire(application_id: str, unit_id: str) -> CandidateHired:
    return CandidateHired(
        application_id=application_id,
        vacancy_id="V1",
        unit_id=unit_id,
        function="information_security",
        full_name="Hoàng Văn E",
        birth_year=1995,
        gender="male",
        employment_category="civil_servant",
        assignment="dedicated",
        functions=("information_security",),
        hired_on="2025-09-01",
    )


async def send(bootstrap: str, topic_prefix: str, events: list[CandidateHired]) -> list[Envelope]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    envelopes = []
    try:
        for event in events:
            spec = REGISTRY.spec_for(CandidateHired)
            env = Envelope(type=spec.type, version=spec.version, source="/recruitment", subject=event.application_id)
            await producer.send_and_wait(
                topic_prefix + spec.topic.name,
                event.model_dump_json().encode(),
                key=event.application_id.encode(),
                headers=env.to_headers(),
            )
            envelopes.append(env)
    finally:
        await producer.stop()
    return envelopes


def wait_for(check: Any, what: str) -> Any:
    for _ in range(200):
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never saw {what}")


def test_a_hire_delivered_twice_appoints_one_officer_linked_to_it(
    api: TestClient, database: str, bootstrap: str, topic_prefix: str
) -> None:
    build_2024_province(api)
    first, _ = api.portal.call(send, bootstrap, topic_prefix, [hire("APP-1", "SO-KHCN"), hire("APP-1", "SO-KHCN")])  # type: ignore[union-attr]
    officer = wait_for(lambda: api.get("/api/v1/officers/CB-H-APP-1").status_code == 200, "the officer")
    assert officer
    time.sleep(1.0)  # let the second delivery be processed too
    assert ok(api.get("/api/v1/officers", params={"unit_id": "SO-KHCN", "status": "all"}))["total"] == 1
    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    appointed = [r for r in rows if r["event_type"].endswith("officer.appointed")]
    assert len(appointed) == 1
    assert appointed[0]["headers"]["causation_id"] == str(first.event_id)
    record = ok(api.get("/api/v1/officers/CB-H-APP-1"))
    assert record["full_name"] == "Hoàng Văn E" and record["functions"] == ["information_security"]


def test_a_hire_into_a_dissolved_unit_is_refused_visibly(
    api: TestClient, database: str, bootstrap: str, topic_prefix: str
) -> None:
    build_2024_province(api)
    for c in ("TD-A", "TD-B", "TD-C"):
        ok(api.post(f"/api/v1/units/{c}/move", json={"parent_id": "VP", "effective_date": "2025-07-01"}))
    ok(api.post("/api/v1/units/TD/dissolve", json={"effective_date": "2025-07-01"}))
    (sent,) = api.portal.call(send, bootstrap, topic_prefix, [hire("APP-2", "TD")])  # type: ignore[union-attr]

    def refused() -> list[dict[str, Any]]:
        rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
        return [r for r in rows if r["event_type"].endswith("officer.appointment_refused")]

    (row,) = wait_for(refused, "the refusal")
    assert row["headers"]["causation_id"] == str(sent.event_id)
    assert api.get("/api/v1/officers/CB-H-APP-2").status_code == 404
