"""A service app built by create_service_app, on the real engines: migrations at start-up, a write that
goes through the outbox and the relay to Kafka and back through the app's own idempotent consumer, the
health probes, /metrics and problem responses."""

from __future__ import annotations

import time
import uuid

import asyncpg
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from cds_contracts import Registry, TopicSpec
from cds_plumbing.auth import Writer
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.outbox import append
from cds_plumbing.runtime import create_service_app
from cds_plumbing.settings import ServiceSettings
from tests.support.events import CounterIncremented, on_counter_incremented

pytestmark = pytest.mark.integration


class Increment(BaseModel):
    amount: int


def build_app(database: str, bootstrap: str, registry: Registry):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(
        service_name=f"svc{uuid.uuid4().hex[:6]}", database_url=database, kafka_bootstrap_servers=bootstrap
    )
    consumer = IdempotentConsumer(f"{settings.service_name}-projection", registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented)
    app = create_service_app(settings, title="Test service", consumers=[consumer])

    @app.post("/counters/{counter_id}", status_code=202)
    async def increment(counter_id: str, body: Increment, request: Request, who: Writer) -> dict[str, str]:
        pool: asyncpg.Pool = request.app.state.runtime.pool
        async with pool.acquire() as conn, conn.transaction():
            env = await append(
                conn,
                CounterIncremented(counter_id=counter_id, amount=body.amount, seq=1),
                source="/test",
                actor=who.subject,
                registry=registry,
            )
        return {"event_id": str(env.event_id)}

    return app, settings


def test_service_app_end_to_end_on_the_real_engines(
    database: str, bootstrap: str, registry: Registry, topic: TopicSpec
) -> None:
    from cds_plumbing.auth import Role, mint_token

    app, settings = build_app(database, bootstrap, registry)
    token = mint_token(settings, Role.PROVINCE_ADMIN, subject="admin-1")
    with TestClient(app) as client:
        assert client.get("/health/live").json() == {"status": "ok"}
        ready = client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "kafka": "ok", "background": "ok"}

        assert client.post("/counters/c1", json={"amount": 3}).status_code == 401
        r = client.post("/counters/c1", json={"amount": "three"}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["loc"] == ["body", "amount"]
        for amount in (3, 4):
            assert (
                client.post(
                    "/counters/c1", json={"amount": amount}, headers={"Authorization": f"Bearer {token}"}
                ).status_code
                == 202
            )

        total = None
        for _ in range(300):  # relay -> Kafka -> this app's consumer -> counters
            total = client.portal.call(_total, database)  # type: ignore[union-attr]
            if total == 7:
                break
            time.sleep(0.1)
        assert total == 7

        missing = client.get("/nowhere")
        assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
        metrics = client.get("/metrics").text
        assert "cds_outbox_published_total" in metrics
        assert "cds_consumer_events_applied_total" in metrics


async def _total(dsn: str) -> int | None:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SELECT total FROM counters WHERE counter_id = 'c1'")  # type: ignore[no-any-return]
    finally:
        await conn.close()


def test_start_up_fails_loudly_without_a_broker(database: str, registry: Registry) -> None:
    app, _ = build_app(database, "127.0.0.1:1", registry)  # nothing listens on port 1
    with pytest.raises(Exception, match=r"(?i)connect|kafka"), TestClient(app):
        pass  # start-up itself refuses to run without a broker rather than serving half a service
