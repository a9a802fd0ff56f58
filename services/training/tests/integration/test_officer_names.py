"""Officers' names in training come from personnel's profile topic only, and go with its tombstone."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient

from cds_contracts.personnel_officers import OfficerAppointedV1
from cds_contracts.profiles import OfficerProfileStated
from cds_contracts.topics import PERSONNEL_OFFICER_PROFILE
from cds_plumbing.auth import Role, mint_token
from services.training.tests.integration.test_api import PROVINCE, D, eventually, in_app_loop, officer, ok, produce
from training.config import Settings

pytestmark = pytest.mark.integration


async def _tombstone(bootstrap: str, prefix: str, officer_id: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(prefix + PERSONNEL_OFFICER_PROFILE.name, None, key=officer_id.encode())
    finally:
        await producer.stop()


def test_names_come_from_the_profile_topic_only_and_go_with_its_tombstone(api: TestClient, settings: Settings) -> None:
    """A v1 OfficerAppointed still carries a name: training keeps the officer, not the name. The profile
    topic gives the name; its tombstone (personnel erased the officer) takes it away, the record stays."""
    v1 = OfficerAppointedV1(
        officer_id="CB-N",
        full_name="Phan Văn Cũ",
        unit_id="TD-A",
        employment_category="civil_servant",
        assignment="concurrent",
        effective_date=D(2023, 1, 2),
    )
    produce(api, settings, *PROVINCE, v1)
    eventually(lambda: officer(api, "CB-N") is not None, "the v1 appointment")
    assert ok(api.get("/api/v1/officers/CB-N"))["full_name"] is None
    produce(api, settings, OfficerProfileStated(officer_id="CB-N", full_name="Phan Thị Mới"))
    eventually(lambda: (officer(api, "CB-N") or {}).get("full_name") == "Phan Thị Mới", "the profile's name")
    viewer = {"Authorization": f"Bearer {mint_token(settings, Role.VIEWER)}"}
    assert ok(api.get("/api/v1/officers/CB-N", headers=viewer))["full_name"] is None  # a personal field
    in_app_loop(api, _tombstone, settings.kafka_bootstrap_servers, settings.kafka_topic_prefix, "CB-N")
    eventually(lambda: (officer(api, "CB-N") or {}).get("full_name") is None, "the name forgotten")
    record = ok(api.get("/api/v1/officers/CB-N"))
    assert (record["unit_id"], record["status"]) == ("TD-A", "serving")

    async def names(dsn: str) -> list[Any]:
        conn = await asyncpg.connect(dsn)
        try:
            return [r["full_name"] for r in await conn.fetch("SELECT full_name FROM known_officers")]
        finally:
            await conn.close()

    assert in_app_loop(api, names, settings.database_url) == [None]
