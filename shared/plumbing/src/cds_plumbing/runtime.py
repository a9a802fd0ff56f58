"""Everything a service process runs besides its routes: telemetry, the asyncpg pool, migrations, the
Kafka broker, the outbox relay and the idempotent consumers, started and stopped with the FastAPI app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from .auth import Authenticator, UnitScope, same_unit_only
from .broker import make_broker
from .consumer import IdempotentConsumer, run_consumer
from .db import create_pool
from .deadletter import DeadLetterPublisher
from .http import install_probes, install_problem_handlers
from .migrations import PLUMBING_MIGRATIONS, migrate
from .outbox import OutboxRelay
from .settings import ServiceSettings
from .telemetry import setup_telemetry

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a running service holds; routes reach it as `request.app.state.runtime`."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    broker: KafkaBroker
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


_UNTRACED = frozenset({"/health/live", "/health/ready", "/metrics"})


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    migrations: Path | None = None,
    consumers: Sequence[IdempotentConsumer] = (),
    unit_scope: UnitScope = same_unit_only,
    version: str = "0.1.0",
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_telemetry(settings.service_name, settings.otel_exporter_otlp_endpoint, settings.log_level)
        async with AsyncExitStack() as stack:  # undoes whatever started, also when start-up fails half-way
            pool = await create_pool(settings.database_url, settings.db_pool_min, settings.db_pool_max)
            stack.push_async_callback(pool.close)
            async with pool.acquire() as conn:
                sources = [("plumbing", PLUMBING_MIGRATIONS)]
                if migrations:
                    sources.append((settings.service_name, migrations))
                for name in await migrate(conn, sources):
                    log.info("applied migration %s", name)
            broker = make_broker(settings.kafka_bootstrap_servers, settings.service_name)
            stack.push_async_callback(broker.stop)
            await broker.connect()
            rt = Runtime(settings, pool, broker)
            app.state.runtime = rt
            if consumers:
                dead_letters = DeadLetterPublisher(settings.kafka_bootstrap_servers, settings.service_name)
                stack.push_async_callback(dead_letters.stop)
                await dead_letters.start()
                for consumer in consumers:
                    consumer.bind(pool, dead_letters)
            stack.push_async_callback(_stop_tasks, rt)
            relay = OutboxRelay(
                pool, broker, batch_size=settings.outbox_batch_size, topic_prefix=settings.kafka_topic_prefix
            )
            rt.tasks.append(asyncio.create_task(relay.run(rt.stop), name="outbox-relay"))
            for consumer in consumers:
                run = run_consumer(
                    consumer,
                    settings.kafka_bootstrap_servers,
                    rt.stop,
                    max_records=settings.consumer_max_records,
                    topic_prefix=settings.kafka_topic_prefix,
                )
                rt.tasks.append(asyncio.create_task(run, name=f"consumer-{consumer.name}"))
            yield

    # Probes and scrapes every few seconds would bury the traces operators look for.
    app = FastAPI(
        title=title,
        version=version,
        lifespan=lifespan,
        telemetry={"exclude": lambda scope: scope.get("path") in _UNTRACED},
    )
    app.state.authenticator = Authenticator(settings)
    app.state.unit_scope = unit_scope
    install_problem_handlers(app)

    async def database() -> None:
        await app.state.runtime.pool.fetchval("SELECT 1")

    async def kafka() -> None:
        if not await app.state.runtime.broker.ping(timeout=2.0):
            raise ConnectionError("Kafka did not answer a metadata request")

    async def background() -> None:
        dead = [t.get_name() for t in app.state.runtime.tasks if t.done()]
        if dead:
            raise RuntimeError(f"stopped: {', '.join(dead)}")

    install_probes(app, {"database": database, "kafka": kafka, "background": background})
    return app


async def _stop_tasks(rt: Runtime) -> None:
    """Let the relay and consumers finish their current batch (they watch `stop`), then cancel stragglers."""
    rt.stop.set()
    if rt.tasks:
        await asyncio.wait(rt.tasks, timeout=15)
    for task in rt.tasks:
        task.cancel()
