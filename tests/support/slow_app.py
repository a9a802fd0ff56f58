"""A small service app for tests that run the runtime and `cds-serve` as real processes: it consumes the
test counter events with a handler that can be made slow, and has a slow endpoint.

    PYTHONPATH=<repository root> cds-serve tests.support.slow_app:app

The service name cds-serve derives from the module path is `tests`, so the settings are TESTS_*:
TESTS_DATABASE_URL (a database with the `counters` table of the root conftest's `database` fixture),
TESTS_TOPIC, TESTS_CONSUMER_NAME, TESTS_HANDLER_DELAY_MS, TESTS_CONSUMER_MAX_RECORDS, TESTS_HTTP_PORT.
The handler prints `applied <counter_id> <seq>` (flushed) from inside the open batch transaction.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.db import Connection
from cds_plumbing.runtime import create_service_app
from cds_plumbing.settings import ServiceSettings
from tests.support.events import CounterIncremented, on_counter_incremented, register_test_events


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TESTS_", extra="ignore")

    service_name: str = "tests"
    topic: str = "test.slow-app"
    consumer_name: str = "tests-slow-app"
    handler_delay_ms: int = 0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    registry = register_test_events(Registry(), TopicSpec(settings.topic))
    consumer = IdempotentConsumer(settings.consumer_name, registry=registry)
    delay = settings.handler_delay_ms / 1000

    @consumer.on(CounterIncremented)
    async def on_counter_incremented_slowly(conn: Connection, event: CounterIncremented, env: Envelope) -> None:
        await on_counter_incremented(conn, event, env)
        print(f"applied {event.counter_id} {event.seq}", flush=True)
        await asyncio.sleep(delay)

    app = create_service_app(settings, title="Slow test service", consumers=[consumer])

    @app.get("/slow")
    async def slow(seconds: float = 30.0) -> dict[str, float]:
        """A request that stays in flight, for shutdown tests."""
        await asyncio.sleep(seconds)
        return {"slept": seconds}

    return app


app = create_app()
