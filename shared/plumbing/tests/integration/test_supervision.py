"""Background tasks of a create_service_app app on the real engines: a consumer that crashes is logged
with its traceback, counted, restarted after a backoff and applies its events, while /health/ready says
503 until it has run long enough again; at shutdown, cancelled stragglers are awaited."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any, cast

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.db import Connection
from cds_plumbing.runtime import Runtime, Supervision, _stop_tasks, create_service_app
from cds_plumbing.settings import ServiceSettings
from tests.support.events import TEST_EVENT_TYPE, CounterIncremented, on_counter_incremented

pytestmark = pytest.mark.integration


async def _produce_one(bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        event = CounterIncremented(counter_id="c1", amount=5, seq=1)
        headers = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject="c1").to_headers()
        await producer.send_and_wait(topic, event.model_dump_json().encode(), key=b"c1", headers=headers)
    finally:
        await producer.stop()


async def _total(dsn: str) -> int | None:
    conn = await asyncpg.connect(dsn)
    try:
        return cast(int | None, await conn.fetchval("SELECT total FROM counters WHERE counter_id = 'c1'"))
    finally:
        await conn.close()


async def test_a_crashed_consumer_is_restarted_and_readiness_says_so_meanwhile(
    database: str, bootstrap: str, registry: Registry, topic: TopicSpec, caplog: pytest.LogCaptureFixture
) -> None:
    await _produce_one(bootstrap, topic.name)
    crashes = 1

    async def crash_once(conn: Connection) -> None:
        nonlocal crashes
        if crashes:
            crashes -= 1
            raise RuntimeError("a bug that only bites once")  # not transient: it ends run_consumer

    settings = ServiceSettings(
        service_name=f"svc{uuid.uuid4().hex[:6]}", database_url=database, kafka_bootstrap_servers=bootstrap
    )
    consumer = IdempotentConsumer(f"{settings.service_name}-projection", registry=registry, before_batch=crash_once)
    consumer.on(CounterIncremented)(on_counter_incremented)
    policy = Supervision(first_backoff_s=0.2, healthy_after_s=2.0)
    app = create_service_app(settings, title="Supervision test", consumers=[consumer], supervision=policy)
    task = f"consumer-{consumer.name}"
    caplog.set_level(logging.INFO, logger="cds_plumbing.runtime")

    with TestClient(app) as client:
        first_503: float | None = None
        back_up: float | None = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and back_up is None:
            ready = client.get("/health/ready")
            if ready.status_code == 503 and first_503 is None:
                first_503 = time.monotonic()
                background = ready.json()["checks"]["background"]
                assert task in background and "RuntimeError: a bug that only bites once" in background, background
            elif ready.status_code == 200 and first_503 is not None:
                back_up = time.monotonic()
            time.sleep(0.05)
        assert first_503 is not None, "readiness never reported the crashed consumer"
        assert back_up is not None, f"readiness never recovered: {client.get('/health/ready').text}"
        # Down from the crash through the backoff (0.2 s) and the restarted run's first 2 s.
        assert back_up - first_503 >= 2.0

        total = None
        for _ in range(100):
            total = client.portal.call(_total, database)  # type: ignore[union-attr]
            if total is not None:
                break
            time.sleep(0.1)
        assert total == 5, "the restarted consumer applied the event"
        restarts = REGISTRY.get_sample_value("cds_background_task_restarts_total", {"task": task})
        assert restarts == 1

    crash_logs = [r for r in caplog.records if r.name == "cds_plumbing.runtime" and "crashed" in r.getMessage()]
    assert len(crash_logs) == 1 and crash_logs[0].levelno == logging.ERROR
    assert crash_logs[0].exc_info is not None, "the crash is logged with its traceback"
    assert task in crash_logs[0].getMessage()


async def test_shutdown_waits_for_cancelled_tasks_to_unwind() -> None:
    """A task still busy after the stop timeout is cancelled, and its clean-up (rolling back, stopping its
    Kafka client) finishes before _stop_tasks returns, so before the pool and the broker close."""
    unwound: list[str] = []

    async def stubborn_batch() -> None:
        try:
            await asyncio.sleep(60)  # a batch that does not finish in time
        except asyncio.CancelledError:
            await asyncio.sleep(0.3)  # like kafka.stop() in run_consumer's finally
            unwound.append("stubborn")
            raise

    rt = Runtime(cast(Any, ServiceSettings(service_name="t")), cast(Any, None), cast(Any, None))
    rt.tasks.append(asyncio.create_task(stubborn_batch(), name="consumer-stubborn"))
    began = time.monotonic()
    await _stop_tasks(rt, 0.2)
    assert unwound == ["stubborn"], "the cancelled task had not unwound when shutdown went on"
    assert all(t.done() for t in rt.tasks)
    assert time.monotonic() - began < 5
