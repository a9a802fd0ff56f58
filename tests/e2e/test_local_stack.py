"""The stack `make up` started: every declared topic exists as declared, each service runs with its own
database and role, answers its probes and metrics, and speaks problem+json."""

from __future__ import annotations

import os

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from cds_contracts import all_topics
from cds_plumbing.settings import local_database_url

pytestmark = pytest.mark.e2e
SERVICES = {
    "personnel": int(os.environ.get("PERSONNEL_HTTP_PORT", "8001")),
    "training": int(os.environ.get("TRAINING_HTTP_PORT", "8002")),
    "recruitment": int(os.environ.get("RECRUITMENT_HTTP_PORT", "8003")),
    "reporting": int(os.environ.get("REPORTING_HTTP_PORT", "8004")),
}


async def test_every_declared_topic_exists_with_its_partitions_and_configuration(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        declared = {t.name: t for t in all_topics()}
        described = {d["topic"]: d for d in await admin.describe_topics(list(declared))}
        for name, spec in declared.items():
            assert name in described and described[name]["error_code"] == 0, f"{name} missing"
            assert len(described[name]["partitions"]) >= spec.partitions
        checked = 0
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in declared]
        for response in await admin.describe_configs(resources):
            for resource in response.resources:  # (error_code, error_message, type, name, configs)
                values = {c[0]: c[1] for c in resource[-1]}
                # Every topic has the configuration it declares: unlimited retention for events, compaction
                # for the profile topics (personal data, erasable), expiry for their dead letters.
                for key, value in declared[resource[3]].config.items():
                    assert values[key] == value, (resource[3], key)
                checked += 1
        assert checked == len(declared)
    finally:
        await admin.close()


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_service_is_ready_with_its_own_database(service: str) -> None:
    base = f"http://127.0.0.1:{SERVICES[service]}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        assert (await client.get("/health/live")).json() == {"status": "ok"}
        ready = await client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) == {"database", "kafka", "background"}
        assert "cds_outbox_pending" in (await client.get("/metrics")).text
        missing = await client.get("/no-such-route")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert (await client.get("/openapi.json")).json()["info"]["title"].lower().startswith(service)
    # The service logs in with its own role, and its start-up migrated the plumbing tables there.
    conn = await asyncpg.connect(local_database_url(service))
    try:
        assert await conn.fetchval("SELECT current_user") == service
        tables = {
            r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert {"outbox", "processed_events", "consumer_checkpoints", "schema_migrations"} <= tables
    finally:
        await conn.close()
