"""Fixtures of reporting's integration tests: a database with reporting's migrations, fresh topics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from playwright.async_api import Browser

from cds_contracts import Registry, TopicSpec
from cds_plumbing.db import create_pool
from cds_plumbing.kafka_admin import ensure_topics
from cds_plumbing.migrations import migrate
from reporting.adapters.projection_schema import use_active_schema
from reporting.entrypoints.app import MIGRATIONS
from reporting.entrypoints.events.subscribers import make_consumer
from services.reporting.tests.integration.dashboard_support import chromium, running_dashboard
from services.reporting.tests.integration.scenario import Feeder, RaisingDeadLetters, fresh_registry

LIVE = "reporting-projections"


@pytest.fixture
async def reporting_db(database: str) -> str:
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [("reporting", MIGRATIONS)])
    finally:
        await conn.close()
    return database


@pytest.fixture
async def personnel_topics(bootstrap: str) -> AsyncIterator[tuple[Registry, list[TopicSpec]]]:
    """Fresh copies of the three personnel topics (and their .dlq) with a registry pointing at them."""
    registry, topics = fresh_registry()
    await ensure_topics(bootstrap, [t for spec in topics for t in (spec, spec.dlq)])
    yield registry, topics
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([t.name for spec in topics for t in (spec, spec.dlq)])
    finally:
        await admin.close()


@pytest.fixture
async def rpool(reporting_db: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(reporting_db, 1, 4)
    yield p
    await p.close()


@pytest.fixture
def feeder(rpool: asyncpg.Pool) -> Feeder:
    consumer = make_consumer(LIVE, before_batch=use_active_schema)
    consumer.bind(rpool, RaisingDeadLetters())
    return Feeder(consumer)


# The dashboard's browser tests (test_dashboard_browser.py, test_dashboard_tables.py) share these two.
@pytest.fixture
async def url(
    reporting_db: str, rpool: asyncpg.Pool, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]]
) -> AsyncIterator[str]:
    """Base URL of a real reporting app (uvicorn in a thread) over the dashboard scenario."""
    async with running_dashboard(reporting_db, rpool, bootstrap, personnel_topics) as base:
        yield base


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium driven by Playwright (CHROMIUM_PATH overrides the path)."""
    async with chromium() as b:
        yield b
