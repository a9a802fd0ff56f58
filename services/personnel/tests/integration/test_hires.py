"""Hires decided in recruitment become officers through Kafka (choreography), exactly once.

A v2 hire is two records on two topics, CandidateHired (ids only) and the candidate's profile (the name,
on the compacted recruitment.candidate-profile): either may arrive first. A v1 hire (the name inside,
already on topics before v2) still appoints."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient

from cds_contracts import REGISTRY, Envelope, Event
from cds_contracts.profiles import CandidateProfileStated
from cds_contracts.recruitment import CandidateHired, CandidateHiredV1
from cds_contracts.topics import RECRUITMENT_CANDIDATE_PROFILE
from services.personnel.tests.integration.support import build_2024_province, ok, outbox_rows

pytestmark = pytest.mark.integration

HIRE = {
    "vacancy_id": "V1",
    "function": "information_security",
    "employment_category": "civil_servant",
    "assignment": "dedicated",
    "functions": ("information_security",),
    "hired_on": "2025-09-01",
}


def hire_v1(application_id: str, unit_id: str) -> CandidateHiredV1:
    return CandidateHiredV1(
        application_id=application_id, unit_id=unit_id, full_name="Hoàng Văn E", birth_year=1995, gender="male", **HIRE
    )


def hire(application_id: str, candidate_id: str, unit_id: str = "SO-KHCN") -> CandidateHired:
    return CandidateHired(application_id=application_id, candidate_id=candidate_id, unit_id=unit_id, **HIRE)


def profile(candidate_id: str) -> CandidateProfileStated:
    return CandidateProfileStated(candidate_id=candidate_id, full_name="Trịnh Thị F", birth_year=1996, gender="female")


async def send(bootstrap: str, topic_prefix: str, events: Sequence[Event | str]) -> list[Envelope]:
    """Each event as recruitment's relay would publish it; a str is a tombstone for that candidate id."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    envelopes = []
    try:
        for event in events:
            if isinstance(event, str):
                topic = topic_prefix + RECRUITMENT_CANDIDATE_PROFILE.name
                await producer.send_and_wait(topic, None, key=event.encode())
                continue
            spec = REGISTRY.spec_for(type(event))
            key = str(getattr(event, spec.key_field))
            env = Envelope(type=spec.type, version=spec.version, source="/recruitment", subject=key)
            await producer.send_and_wait(
                topic_prefix + spec.topic.name,
                event.model_dump_json().encode(),
                key=key.encode(),
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


async def processed(database: str) -> set[uuid.UUID]:
    """Ids of the events personnel's consumers have handled (applied or found to change nothing)."""
    import asyncpg

    conn = await asyncpg.connect(database)
    try:
        return {r["event_id"] for r in await conn.fetch("SELECT event_id FROM processed_events")}
    finally:
        await conn.close()


def waiting_room(api: TestClient, database: str) -> tuple[int, int]:
    async def count() -> tuple[int, int]:
        import asyncpg

        conn = await asyncpg.connect(database)
        try:
            return (
                await conn.fetchval("SELECT count(*) FROM pending_hires"),
                await conn.fetchval("SELECT count(*) FROM candidate_profiles"),
            )
        finally:
            await conn.close()

    return api.portal.call(count)  # type: ignore[union-attr]


def test_a_v1_hire_delivered_twice_appoints_one_officer_linked_to_it(
    api: TestClient, database: str, bootstrap: str, topic_prefix: str
) -> None:
    build_2024_province(api)
    sends = [hire_v1("APP-1", "SO-KHCN"), hire_v1("APP-1", "SO-KHCN")]
    first, second = api.portal.call(send, bootstrap, topic_prefix, sends)  # type: ignore[union-attr]
    officer = wait_for(lambda: api.get("/api/v1/officers/CB-H-APP-1").status_code == 200, "the officer")
    assert officer
    both = {first.event_id, second.event_id}
    wait_for(lambda: api.portal.call(processed, database) >= both, "the second delivery handled")  # type: ignore[union-attr]
    assert ok(api.get("/api/v1/officers", params={"unit_id": "SO-KHCN", "status": "all"}))["total"] == 1
    rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
    appointed = [r for r in rows if r["event_type"].endswith("officer.appointed")]
    assert len(appointed) == 1
    assert appointed[0]["headers"]["causation_id"] == str(first.event_id)
    assert "full_name" not in appointed[0]["payload"] and appointed[0]["event_version"] == 2
    record = ok(api.get("/api/v1/officers/CB-H-APP-1"))
    assert record["full_name"] == "Hoàng Văn E" and record["functions"] == ["information_security"]


@pytest.mark.parametrize("profile_first", [True, False], ids=["profile-first", "hire-first"])
def test_a_v2_hire_appoints_whichever_of_its_two_records_comes_first(
    api: TestClient, database: str, bootstrap: str, topic_prefix: str, profile_first: bool
) -> None:
    build_2024_province(api)
    records: list[Event | str] = [profile("UV-1"), hire("APP-3", "UV-1")]
    first = records[0] if profile_first else records[1]
    api.portal.call(send, bootstrap, topic_prefix, [first])  # type: ignore[union-attr]
    wait_for(lambda: waiting_room(api, database) != (0, 0), "the first record kept")
    assert api.get("/api/v1/officers/CB-H-APP-3").status_code == 404  # not without the other half
    api.portal.call(send, bootstrap, topic_prefix, [r for r in records if r is not first])  # type: ignore[union-attr]
    wait_for(lambda: api.get("/api/v1/officers/CB-H-APP-3").status_code == 200, "the officer")
    record = ok(api.get("/api/v1/officers/CB-H-APP-3"))
    assert (record["full_name"], record["birth_year"], record["unit_id"]) == ("Trịnh Thị F", 1996, "SO-KHCN")
    assert waiting_room(api, database) == (0, 0)  # no copy of the candidate's data is left waiting


def test_a_hire_whose_candidate_was_erased_before_the_appointment_is_refused(
    api: TestClient, database: str, bootstrap: str, topic_prefix: str
) -> None:
    build_2024_province(api)
    (sent,) = api.portal.call(send, bootstrap, topic_prefix, [hire("APP-4", "UV-4")])  # type: ignore[union-attr]
    wait_for(lambda: waiting_room(api, database) == (1, 0), "the hire kept")
    api.portal.call(send, bootstrap, topic_prefix, ["UV-4"])  # type: ignore[union-attr]

    def refused() -> list[dict[str, Any]]:
        rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
        return [r for r in rows if r["event_type"].endswith("officer.appointment_refused")]

    (row,) = wait_for(refused, "the refusal")
    assert row["headers"]["causation_id"] == str(sent.event_id) and "erased" in row["payload"]["reason"]
    assert waiting_room(api, database) == (0, 0)


def test_a_hire_into_a_dissolved_unit_is_refused_visibly(
    api: TestClient, database: str, bootstrap: str, topic_prefix: str
) -> None:
    build_2024_province(api)
    for c in ("TD-A", "TD-B", "TD-C"):
        ok(api.post(f"/api/v1/units/{c}/move", json={"parent_id": "VP", "effective_date": "2025-07-01"}))
    ok(api.post("/api/v1/units/TD/dissolve", json={"effective_date": "2025-07-01"}))
    (sent,) = api.portal.call(send, bootstrap, topic_prefix, [hire_v1("APP-2", "TD")])  # type: ignore[union-attr]

    def refused() -> list[dict[str, Any]]:
        rows = api.portal.call(outbox_rows, database)  # type: ignore[union-attr]
        return [r for r in rows if r["event_type"].endswith("officer.appointment_refused")]

    (row,) = wait_for(refused, "the refusal")
    assert row["headers"]["causation_id"] == str(sent.event_id)
    assert api.get("/api/v1/officers/CB-H-APP-2").status_code == 404
