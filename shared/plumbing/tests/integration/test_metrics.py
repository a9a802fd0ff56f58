"""The Prometheus metrics of deploy/README.md on the real PostgreSQL and Kafka: events published by type and
the outbox backlog (relay), batch apply latency (consumer), and a create_service_app app whose /metrics
shows request latency by route template, consumed and dead-lettered events, lag and the relay's gauges.

Every test registers event types and consumer names of its own, so no test sees another's samples.
The backlog gauges have no labels (one relay per process); these tests run their relay passes by hand
and read the gauges right after, while no other relay runs in the test process.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import Request
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from cds_contracts import Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.outbox import OutboxRelay, append
from cds_plumbing.runtime import create_service_app
from cds_plumbing.settings import ServiceSettings
from tests.support.deadletters import NoDeadLetters
from tests.support.events import CounterFailed, CounterIncremented, on_counter_failed, on_counter_incremented
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration


def _own_registry(topic: TopicSpec) -> tuple[Registry, str, str]:
    """A registry whose two event types exist only in this test; returns it and their ce_type labels."""
    tag = uuid.uuid4().hex[:8]
    registry = Registry()
    registry.register(f"vn.cds.test.m{tag}.incremented", 1, topic, key="counter_id")(CounterIncremented)
    registry.register(f"vn.cds.test.m{tag}.failed", 1, topic, key="counter_id")(CounterFailed)
    return registry, f"vn.cds.test.m{tag}.incremented.v1", f"vn.cds.test.m{tag}.failed.v1"


def _value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_relay_counts_published_events_by_type_and_reports_the_backlog(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, topic: TopicSpec
) -> None:
    registry, inc, failed = _own_registry(topic)
    events = [  # ids 1..5 in this order
        CounterIncremented(counter_id="k", amount=1, seq=1),
        CounterFailed(counter_id="k"),
        CounterIncremented(counter_id="k", amount=1, seq=2),
        CounterIncremented(counter_id="k", amount=1, seq=3),
        CounterFailed(counter_id="k"),
    ]
    async with pool.acquire() as conn, conn.transaction():
        for e in events:
            await append(conn, e, source="/t", registry=registry)
    # Row 1 waited 300 s, row 2 200 s, row 3 100 s, rows 4-5 were just written.
    await pool.execute(
        """UPDATE outbox SET created_at = now() - make_interval(secs => CASE id WHEN 1 THEN 300 WHEN 2 THEN 200
                                                                                  WHEN 3 THEN 100 ELSE 0 END)"""
    )

    outage = True

    async def broker_fails_once(rows: object) -> None:
        nonlocal outage
        if outage:
            outage = False
            raise ConnectionError("simulated outage before the mark")

    relay = OutboxRelay(pool, producer, batch_size=2, after_publish=broker_fails_once)
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    # The failed pass published nothing as far as the outbox knows, but it did measure the backlog.
    assert _value("cds_outbox_published_total", type=inc) is None
    assert _value("cds_outbox_pending") == 5
    assert 300 <= (_value("cds_outbox_oldest_unpublished_age_seconds") or 0) < 330

    assert await relay.publish_pending() == 2  # rows 1, 2
    assert (_value("cds_outbox_published_total", type=inc), _value("cds_outbox_published_total", type=failed)) == (1, 1)
    assert _value("cds_outbox_pending") == 3
    assert 100 <= (_value("cds_outbox_oldest_unpublished_age_seconds") or 0) < 130  # row 3 is the oldest now

    assert await relay.publish_pending() == 2  # rows 3, 4
    assert (_value("cds_outbox_published_total", type=inc), _value("cds_outbox_published_total", type=failed)) == (3, 1)
    assert _value("cds_outbox_pending") == 1
    assert 0 <= (_value("cds_outbox_oldest_unpublished_age_seconds") or -1) < 30

    assert await relay.publish_pending() == 1  # row 5
    assert await relay.publish_pending() == 0
    assert (_value("cds_outbox_published_total", type=inc), _value("cds_outbox_published_total", type=failed)) == (3, 2)
    assert _value("cds_outbox_pending") == 0
    assert _value("cds_outbox_oldest_unpublished_age_seconds") == 0


async def test_batch_apply_latency_is_observed_per_consumer_for_committed_batches_only(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, topic: TopicSpec, bootstrap: str
) -> None:
    registry, _, _ = _own_registry(topic)
    async with pool.acquire() as conn, conn.transaction():
        for seq in (1, 2):
            await append(conn, CounterIncremented(counter_id="b", amount=1, seq=seq), source="/t", registry=registry)
    assert await OutboxRelay(pool, producer).publish_pending() == 2
    records = await read_topic(bootstrap, topic.name, expect=2, settle_s=0.2)

    database_down = True

    async def slow_batch(conn: object) -> None:
        nonlocal database_down
        if database_down:
            database_down = False
            raise OSError("simulated database outage")  # transient: the batch is retried, not committed
        await asyncio.sleep(0.3)  # a batch that takes a known minimum time

    consumer = IdempotentConsumer(f"test-metrics-{uuid.uuid4().hex[:8]}", registry=registry, before_batch=slow_batch)
    consumer.on(CounterIncremented)(on_counter_incremented)
    consumer.bind(pool, NoDeadLetters())
    name = "cds_consumer_batch_apply_seconds"

    with pytest.raises(OSError):
        await consumer.process_batch(records)
    assert _value(f"{name}_count", consumer=consumer.name) is None

    began = time.perf_counter()
    assert (await consumer.process_batch(records)).applied == 2
    took = time.perf_counter() - began
    assert _value(f"{name}_count", consumer=consumer.name) == 1
    assert 0.3 <= (_value(f"{name}_sum", consumer=consumer.name) or 0) <= took
    assert _value(f"{name}_bucket", consumer=consumer.name, le="0.25") == 0
    assert _value(f"{name}_bucket", consumer=consumer.name, le="+Inf") == 1
    assert (
        _value(
            "cds_consumer_events_applied_total",
            consumer=consumer.name,
            type=registry.spec_for(CounterIncremented).type + ".v1",
        )
        == 2
    )


def _scrape(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Samples of a /metrics body, keyed by sample name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _get(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_metrics_endpoint_of_a_service_app_exposes_every_metric(
    database: str, bootstrap: str, topic: TopicSpec
) -> None:
    registry, inc, failed = _own_registry(topic)
    tag = uuid.uuid4().hex[:8]
    settings = ServiceSettings(service_name=f"svc{tag}", database_url=database, kafka_bootstrap_servers=bootstrap)
    consumer = IdempotentConsumer(f"{settings.service_name}-projection", registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented)
    consumer.on(CounterFailed)(on_counter_failed)
    app = create_service_app(settings, title="Metrics test", consumers=[consumer])
    base = f"/m{tag}"  # route templates of this test only

    async def _append(request: Request, event: CounterIncremented | CounterFailed) -> None:
        pool: asyncpg.Pool = request.app.state.runtime.pool
        async with pool.acquire() as conn, conn.transaction():
            await append(conn, event, source="/t", registry=registry)

    @app.post(base + "/counters/{counter_id}", status_code=202)
    async def increment(counter_id: str, request: Request) -> None:
        await _append(request, CounterIncremented(counter_id=counter_id, amount=1, seq=1))

    @app.post(base + "/failures/{counter_id}", status_code=202)
    async def fail(counter_id: str, request: Request) -> None:
        await _append(request, CounterFailed(counter_id=counter_id))

    @app.get(base + "/boom")
    async def boom() -> None:
        raise RuntimeError("deliberate failure")

    unmatched_before = _value(
        "cds_http_request_duration_seconds_count", method="GET", route="<unmatched>", status="404"
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post(f"{base}/counters/c1").status_code == 202
        assert client.post(f"{base}/counters/c2").status_code == 202
        assert client.post(f"{base}/failures/c3").status_code == 202
        assert client.get(f"{base}/boom").status_code == 500
        assert client.get(f"{base}/nowhere/{tag}").status_code == 404
        samples = {}
        for _ in range(300):  # relay -> Kafka -> the app's consumer, seen through /metrics
            samples = _scrape(client.get("/metrics").text)
            applied = _get(samples, "cds_consumer_events_applied_total", consumer=consumer.name, type=inc)
            dead = _get(samples, "cds_consumer_dead_letters_total", consumer=consumer.name, topic=topic.name)
            if applied == 2 and dead == 1:
                break
            time.sleep(0.1)

    def http_count(method: str, route: str, status: str) -> float | None:
        return _get(samples, "cds_http_request_duration_seconds_count", method=method, route=route, status=status)

    assert http_count("POST", base + "/counters/{counter_id}", "202") == 2
    assert http_count("POST", base + "/failures/{counter_id}", "202") == 1
    assert http_count("GET", base + "/boom", "500") == 1
    unmatched = http_count("GET", "<unmatched>", "404")
    assert unmatched == (unmatched_before or 0) + 1
    assert not [k for k in samples if f"/nowhere/{tag}" in str(k)], "a raw path became a label"

    assert _get(samples, "cds_outbox_published_total", type=inc) == 2
    assert _get(samples, "cds_outbox_published_total", type=failed) == 1
    assert _get(samples, "cds_outbox_pending") == 0
    assert _get(samples, "cds_outbox_oldest_unpublished_age_seconds") == 0
    assert _get(samples, "cds_consumer_events_applied_total", consumer=consumer.name, type=inc) == 2
    assert _get(samples, "cds_consumer_dead_letters_total", consumer=consumer.name, topic=topic.name) == 1
    assert (_get(samples, "cds_consumer_batch_apply_seconds_count", consumer=consumer.name) or 0) >= 1
    lag = {
        dict(labels)["partition"]: value
        for (name, labels), value in samples.items()
        if name == "cds_consumer_lag" and dict(labels)["consumer"] == consumer.name
    }
    assert lag and set(lag.values()) == {0.0}, lag
