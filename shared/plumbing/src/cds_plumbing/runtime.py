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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable

import asyncpg
from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker

from . import access_log
from .auth import AUTHENTICATED, Authenticator, UnitScope, UnitSubtree, own_unit_only, same_unit_only
from .auth import unprotected_api_routes as _unprotected
from .broker import make_broker, make_producer
from .consumer import IdempotentConsumer, run_consumer
from .db import create_pool
from .deadletter import DeadLetterPublisher
from .dlq_watch import watch_dead_letters
from .http import KNOWN_QUERY_ONLY, MappedErrors, install_probes, install_problem_handlers
from .idempotency import IdempotencyKeys, purge_expired
from .limits import RequestLimits
from .membership import InstanceLock, Membership, run_as_instance
from .metrics import BACKGROUND_TASK_RESTARTS
from .migrations import PLUMBING_MIGRATIONS, migrate
from .openapi import install_openapi
from .outages import Dependency, OutageMiddleware, OutageTracker
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
    pool: asyncpg.Pool  # HTTP work, under db_statement_timeout_ms
    broker: KafkaBroker
    background_pool: asyncpg.Pool | None = None  # relay, consumers, migrations, purges: their own timeout
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

Job = Callable[["Runtime"], Awaitable[None]]
"""A periodic background job of a service (e.g. retention); runs supervised until `runtime.stop` is set."""


class InsecureSettingsError(RuntimeError):
    """The service would accept tokens anyone can forge, or serve an /api/v1 route without a token."""


def check_secure(settings: ServiceSettings, app: FastAPI) -> None:
    """Refuse to start (exit code 3 under cds-serve) with a published secret or an unprotected route."""
    problem = settings.signing_problem()
    if problem is None:
        unprotected = _unprotected(app.routes)
        if unprotected:
            problem = f"these /api/v1 routes do not require a bearer token: {', '.join(unprotected)}"
    if problem is not None:
        log.critical("%s", problem)
        raise InsecureSettingsError(problem)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    migrations: Traversable | None = None,
    consumers: Sequence[IdempotentConsumer] = (),
    unit_scope: UnitScope = same_unit_only,
    unit_subtree: UnitSubtree = own_unit_only,
    routers: Sequence[APIRouter] = (),
    jobs: Sequence[tuple[str, Job]] = (),
    version: str = "0.1.0",
    supervision: Supervision = Supervision(),  # frozen: sharing the default is safe
    body_caps: Mapping[str, int] | None = None,
) -> FastAPI:
    """The service's app. Every route of `routers` (its /api/v1 API) requires a bearer token; a route
    under /api/v1 added any other way without one makes start-up fail. `unit_subtree` says which units
    a unit_editor's personal-data view covers; `jobs` run as supervised background tasks. `body_caps`:
    path prefix → largest body in bytes, for routes that take more than `http_max_body_bytes` (they must
    read the body as a stream)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_telemetry(settings.service_name, settings.otel_exporter_otlp_endpoint, settings.log_level)
        check_secure(settings, app)
        async with AsyncExitStack() as stack:  # undoes whatever started, also when start-up fails half-way
            pool = await create_pool(
                settings.database_url,
                settings.db_pool_min,
                settings.db_pool_max,
                statement_timeout_ms=settings.db_statement_timeout_ms,
            )
            stack.push_async_callback(pool.close)
            background = await create_pool(
                settings.database_url,
                1,
                4 + 2 * len(consumers),  # relay (listener + pass), purge, per consumer: batch + rebalance checkpoints
                statement_timeout_ms=settings.db_background_statement_timeout_ms,
            )
            stack.push_async_callback(background.close)
            async with background.acquire() as conn:
                sources: list[tuple[str, Traversable]] = [("plumbing", PLUMBING_MIGRATIONS)]
                if migrations:
                    sources.append((settings.service_name, migrations))
                for name in await migrate(conn, sources):
                    log.info("applied migration %s", name)
            broker = make_broker(settings.kafka_bootstrap_servers, settings.service_name)
            stack.push_async_callback(broker.stop)
            await broker.connect()
            rt = Runtime(settings, pool, broker, background_pool=background)
            app.state.runtime = rt
            if consumers:
                dead_letters = DeadLetterPublisher(settings.kafka_bootstrap_servers, settings.service_name)
                stack.push_async_callback(dead_letters.stop)
                await dead_letters.start()
                for consumer in consumers:
                    consumer.bind(background, dead_letters)
            relay_producer = make_producer(settings.kafka_bootstrap_servers, f"{settings.service_name}-outbox")
            stack.push_async_callback(relay_producer.stop)
            await relay_producer.start()
            stack.push_async_callback(_stop_tasks, rt, supervision.stop_timeout_s)
            stack.push_async_callback(outages.close)
            relay = OutboxRelay(
                background,
                relay_producer,
                batch_size=settings.outbox_batch_size,
                linger_s=settings.outbox_linger_ms / 1000,
                ack_timeout_s=settings.outbox_ack_timeout_s,
                topic_prefix=settings.kafka_topic_prefix,
            )
            rt.start_task("outbox-relay", lambda: relay.run(rt.stop), supervision)
            rt.start_task("idempotency-purge", lambda: _purge_keys(background, rt.stop), supervision)
            for consumer in consumers:
                rt.start_task(f"consumer-{consumer.name}", _consumer_runner(consumer, rt), supervision)
                rt.start_task(f"dlq-watch-{consumer.name}", _dlq_watch(consumer, rt), supervision)
            for name, job in jobs:
                rt.start_task(name, _job_runner(job, rt), supervision)
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
    app.state.unit_subtree = unit_subtree
    install_problem_handlers(app)
    # Added innermost first: access log → mapped errors → idempotency → limits → routes
    # (install_probes adds metrics outside).
    app.add_middleware(access_log.AccessLog)
    app.add_middleware(MappedErrors)
    app.add_middleware(IdempotencyKeys, ttl_s=settings.idempotency_ttl_s)
    app.add_middleware(
        RequestLimits,
        max_body_bytes=settings.http_max_body_bytes,
        body_caps=body_caps,
        max_url_bytes=settings.http_max_url_bytes,
    )
    for router in (access_log.router, *routers):
        # the token first (401 before anything else), then no query parameter the operation does not take
        app.include_router(router, dependencies=[*AUTHENTICATED, *KNOWN_QUERY_ONLY])
    install_openapi(app)

    async def database() -> None:
        await app.state.runtime.pool.fetchval("SELECT 1")

    async def kafka() -> None:
        if not await app.state.runtime.broker.ping(timeout=2.0):
            raise ConnectionError("Kafka did not answer a metadata request")

    async def background() -> None:
        down = app.state.runtime.not_running()
        if down:
            raise RuntimeError(f"not running: {', '.join(down)}")

    # Database or broker unreachable: a 503 with Retry-After and one log line per outage, not a 500 each.
    outages = OutageTracker({Dependency.DATABASE: database, Dependency.KAFKA: kafka})
    app.state.outages = outages
    app.add_middleware(OutageMiddleware, tracker=outages)
    install_probes(app, {"database": database, "kafka": kafka, "background": background})
    return app


async def _purge_keys(pool: asyncpg.Pool, stop: asyncio.Event, every_s: float = 600.0) -> None:
    while not stop.is_set():
        deleted = await purge_expired(pool)
        if deleted:
            log.info("purged %d expired idempotency keys", deleted)
        await wait_any(stop, timeout=every_s)


def _job_runner(job: Job, rt: Runtime) -> Callable[[], Awaitable[None]]:
    return lambda: job(rt)


def _consumer_runner(consumer: IdempotentConsumer, rt: Runtime) -> Callable[[], Awaitable[None]]:
    settings = rt.settings
    membership = Membership(
        settings.instance_id, settings.consumer_session_timeout_ms, settings.consumer_heartbeat_interval_ms
    )

    def run() -> Awaitable[None]:
        return run_consumer(
            consumer,
            settings.kafka_bootstrap_servers,
            rt.stop,
            max_records=settings.consumer_max_records,
            topic_prefix=settings.kafka_topic_prefix,
            membership=membership,
            kafka_options={
                "fetch_max_wait_ms": settings.consumer_fetch_max_wait_ms,
                "max_partition_fetch_bytes": settings.consumer_max_partition_fetch_bytes,
                "fetch_max_bytes": settings.consumer_fetch_max_bytes,
            },
        )

    static_name = membership.group_instance_id(settings.kafka_topic_prefix + consumer.name)
    if static_name is None:
        return run
    # One process at a time per static member name; a replacement waits here for the old one (membership.py).
    return lambda: run_as_instance(InstanceLock(settings.database_url, static_name), rt.stop, run)


def _dlq_watch(consumer: IdempotentConsumer, rt: Runtime) -> Callable[[], Awaitable[None]]:
    settings = rt.settings
    return lambda: watch_dead_letters(
        consumer, settings.kafka_bootstrap_servers, rt.stop, prefix=settings.kafka_topic_prefix
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
