"""Fixtures shared by every test folder: the real PostgreSQL and Kafka of the local stack.

`make test` starts the stack first; each test that needs storage gets its own fresh database and its
own topics, so tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cds_contracts import Registry, TopicSpec, all_topics
from cds_plumbing.broker import make_producer
from cds_plumbing.db import create_pool
from cds_plumbing.kafka_admin import ensure_topics
from cds_plumbing.migrations import PLUMBING_MIGRATIONS, migrate
from cds_plumbing.settings import admin_database_url, default_bootstrap
from tests.support.events import register_test_events
from tests.support.wire_kafka import Offsets, end_offsets

SPANS = InMemorySpanExporter()
# Apps built in tests sign and verify tokens with the published local secret, which a service accepts
# only with this flag (tests/deploy checks that one without it refuses to start).
os.environ.setdefault("AUTH_ALLOW_DEV_SECRET", "1")


SESSION_START = pytest.StashKey[Offsets | None]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `after_everything` check what the other tests produced on the stack's topics (wire
    conformance, the Node consumer): run them last, keeping the order of the rest (the sort is stable), and
    note where each topic ends before anything runs, so they can tell this session's records apart."""
    items.sort(key=lambda item: item.get_closest_marker("after_everything") is not None)
    if any(item.get_closest_marker("after_everything") for item in items):
        config.stash[SESSION_START] = end_offsets(default_bootstrap())


@pytest.fixture(scope="session")
def session_start(pytestconfig: pytest.Config) -> Offsets | None:
    """Where every declared topic ended when the test session started (None: Kafka did not answer then)."""
    return pytestconfig.stash.get(SESSION_START, None)


@pytest.fixture(scope="session", autouse=True)
def _tracing() -> Iterator[InMemorySpanExporter]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SPANS))
    trace.set_tracer_provider(provider)
    yield SPANS


@pytest.fixture(scope="session")
def bootstrap() -> str:
    return default_bootstrap()


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """DSN of a brand-new database with the plumbing tables (outbox, inbox) migrated; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_database_url())
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_database_url().rsplit("/", 1)[0]
    dsn = f"{base}/{name}"
    conn = await asyncpg.connect(dsn)
    await migrate(conn, [("plumbing", PLUMBING_MIGRATIONS)])
    await conn.execute(
        "CREATE TABLE counters (counter_id text PRIMARY KEY, total bigint NOT NULL, applied int NOT NULL)"
    )
    await conn.close()
    try:
        yield dsn
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(database, 1, 10)
    yield p
    await p.close()


@pytest.fixture
async def topic(bootstrap: str) -> AsyncIterator[TopicSpec]:
    """A fresh 3-partition topic and its .dlq, created explicitly like the real ones."""
    spec = TopicSpec(f"test.counter-{uuid.uuid4().hex[:10]}")
    await ensure_topics(bootstrap, [spec, spec.dlq])
    yield spec
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([spec.name, spec.dlq.name])
    finally:
        await admin.close()


@pytest.fixture
def registry(topic: TopicSpec) -> Registry:
    return register_test_events(Registry(), topic)


@pytest.fixture
async def producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    """The outbox relay's kind of producer (make_producer), started."""
    p = make_producer(bootstrap, f"test-{uuid.uuid4().hex[:6]}")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def topic_prefix(bootstrap: str) -> AsyncIterator[str]:
    """A private copy of every declared topic under a random prefix (settings.kafka_topic_prefix), so a
    service app under test publishes and consumes without touching the stack's real topics."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    specs = [TopicSpec(prefix + t.name, t.partitions, t.config) for t in all_topics()]
    await ensure_topics(bootstrap, specs)
    yield prefix
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([s.name for s in specs])
    finally:
        await admin.close()
