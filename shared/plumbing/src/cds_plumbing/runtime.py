"""Everything a service process runs besides its routes: telemetry, the asyncpg pool, migrations, the
Kafka broker, the outbox relay and the idempotent consumers, started and stopped with the FastAPI app.

The relay and each consumer run as supervised background tasks: a task that crashes is logged with its
traceback, counted in cds_background_task_restarts_total and restarted after a backoff (doubling, capped),
and /health/ready answers 503 from the crash until the restarted task has run `healthy_after_s` without
crashing again. Nothing else restarts them: `make up` has no supervisor, and an orchestrator restarting
the whole process for a broker blip would be slower and drop the HTTP side too."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
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
from .metrics import BACKGROUND_TASK_RESTARTS
from .migrations import PLUMBING_MIGRATIONS, migrate
from .outbox import OutboxRelay, wait_any
from .settings import ServiceSettings
from .telemetry import setup_telemetry

log = logging.getLogger(__name__)


def tune_garbage_collector(*, freeze: bool = False) -> None:
    """A consumer decodes thousands of events per batch, each a few container objects alive until the
    batch is applied: with the default threshold (700 allocations) the collector runs every few hundred
    events and re-walks the growing batch, about a third of the decode time measured by `make bench`.
    Young collections run every 10,000 allocations instead. `freeze` (for a command, once its start-up is
    done) also takes the objects alive now out of every later walk; they are never collected."""
    if freeze:
        gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@dataclass(frozen=True)
class Supervision:
    """How the background tasks (outbox relay, consumers) are kept running and stopped."""

    first_backoff_s: float = 0.5  # wait before the first restart after a crash, doubled per crash
    max_backoff_s: float = 30.0
    healthy_after_s: float = 5.0  # a restarted task counts as up (ready, backoff reset) after this long
    stop_timeout_s: float = 15.0  # at shutdown: time to finish the current batch before being cancelled


@dataclass
class _Down:
    reason: str
    up_at: float | None = None  # loop time from which the restarted task counts as up; None: not restarted yet


@dataclass
class Runtime:
    """What a running service holds; routes reach it as `request.app.state.runtime`."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    broker: KafkaBroker
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    down: dict[str, _Down] = field(default_factory=dict)  # task name -> why it is not running

    def start_task(self, name: str, run: Callable[[], Awaitable[None]], policy: Supervision) -> None:
        self.tasks.append(asyncio.create_task(_supervise(self, name, run, policy), name=name))

    def not_running(self) -> list[str]:
        """Background tasks that are down: crashed and not yet up again, or ended."""
        now = asyncio.get_running_loop().time()
        found = [f"{n} ({d.reason})" for n, d in self.down.items() if d.up_at is None or now < d.up_at]
        return found + [f"{t.get_name()} (stopped)" for t in self.tasks if t.done()]


_UNTRACED = frozenset({"/health/live", "/health/ready", "/metrics"})


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    migrations: Path | None = None,
    consumers: Sequence[IdempotentConsumer] = (),
    unit_scope: UnitScope = same_unit_only,
    version: str = "0.1.0",
    supervision: Supervision = Supervision(),  # frozen: sharing the default is safe
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
            stack.push_async_callback(_stop_tasks, rt, supervision.stop_timeout_s)
            relay = OutboxRelay(
                pool, broker, batch_size=settings.outbox_batch_size, topic_prefix=settings.kafka_topic_prefix
            )
            rt.start_task("outbox-relay", lambda: relay.run(rt.stop), supervision)
            for consumer in consumers:
                rt.start_task(f"consumer-{consumer.name}", _consumer_runner(consumer, rt), supervision)
            tune_garbage_collector()
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
        down = app.state.runtime.not_running()
        if down:
            raise RuntimeError(f"not running: {', '.join(down)}")

    install_probes(app, {"database": database, "kafka": kafka, "background": background})
    return app


def _consumer_runner(consumer: IdempotentConsumer, rt: Runtime) -> Callable[[], Awaitable[None]]:
    settings = rt.settings
    return lambda: run_consumer(
        consumer,
        settings.kafka_bootstrap_servers,
        rt.stop,
        max_records=settings.consumer_max_records,
        topic_prefix=settings.kafka_topic_prefix,
        kafka_options={
            "fetch_max_wait_ms": settings.consumer_fetch_max_wait_ms,
            "max_partition_fetch_bytes": settings.consumer_max_partition_fetch_bytes,
            "fetch_max_bytes": settings.consumer_fetch_max_bytes,
        },
    )


async def _supervise(rt: Runtime, name: str, run: Callable[[], Awaitable[None]], policy: Supervision) -> None:
    """Run `run()` until `rt.stop` is set; restart it after a crash (or an unasked return) with backoff."""
    loop = asyncio.get_running_loop()
    backoff = policy.first_backoff_s
    while True:
        began = loop.time()
        failure: Exception | None = None
        try:
            await run()
        except Exception as exc:
            if rt.stop.is_set():
                log.exception("background task %s failed while stopping", name)
                return
            failure, reason = exc, f"crashed: {type(exc).__name__}: {exc}"
        else:
            if rt.stop.is_set():
                return
            reason = "ended without being asked to"
        if loop.time() - began >= policy.healthy_after_s:
            backoff = policy.first_backoff_s  # it had been running fine: this is a new incident
        log.error("background task %s %s; restarting in %.1fs", name, reason, backoff, exc_info=failure)
        rt.down[name] = _Down(reason)
        await wait_any(rt.stop, timeout=backoff)
        if rt.stop.is_set():
            return
        backoff = min(backoff * 2, policy.max_backoff_s)
        rt.down[name].up_at = loop.time() + policy.healthy_after_s
        BACKGROUND_TASK_RESTARTS.labels(name).inc()
        log.info("background task %s restarting", name)


async def _stop_tasks(rt: Runtime, timeout: float) -> None:  # noqa: ASYNC109  # a bound, not a cancel scope
    """Let the relay and consumers finish their current batch (they watch `stop`), then cancel stragglers
    and wait for them to unwind (roll back, stop their Kafka clients) before the pool and broker close."""
    rt.stop.set()
    if not rt.tasks:
        return
    _, pending = await asyncio.wait(rt.tasks, timeout=timeout)
    for task in pending:
        log.warning("background task %s still busy after %.0fs; cancelling it", task.get_name(), timeout)
        task.cancel()
    for task, outcome in zip(rt.tasks, await asyncio.gather(*rt.tasks, return_exceptions=True), strict=True):
        if isinstance(outcome, Exception):
            log.error("background task %s failed while stopping", task.get_name(), exc_info=outcome)
