"""Transactional outbox: `append` in the caller's transaction, `OutboxRelay` publishes to Kafka.

The relay takes a transaction-scoped advisory lock so only one relay per database publishes at a time
(several replicas may run; the others wait, and one of them takes over when the publisher dies: its
lock goes with its connection). Within the lock it reads unpublished rows in id order, sends them all
with an idempotent producer, waits for every acknowledgement, then marks them published. One
aggregate's rows are appended in commit order, because every command locks its aggregate's row before
appending; so each key's events reach Kafka in commit order, whichever replica publishes. A crash between
the acknowledgement and the mark republishes those rows: a duplicate, never a loss, and consumers
deduplicate by event id. A pass that fails (broker unreachable, a topic missing) rolls back, then counts
the attempt and stores the error on its rows and in `outbox_relay_status`, which `cds-platform outbox
backlog` reports. A whole pass, sends included, is bounded by the acknowledgement timeout, so a broker
outage shows there within that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaProducer
from asyncpg.pool import PoolConnectionProxy
from opentelemetry import propagate, trace

from cds_contracts import REGISTRY, Envelope, Event, Registry, TopicSpec

from .db import Connection
from .metrics import OUTBOX_OLDEST_AGE, OUTBOX_PENDING, OUTBOX_PUBLISHED
from .outages import Dependency, FailureStreak

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "cds_outbox"  # notified by a trigger on outbox (sql/0018_outbox_notify.sql)
_RELAY_LOCK = 0x4F555458  # "OUTX"
RELAY_LOCK = _RELAY_LOCK  # `cds-platform backup` holds it to pause the relays (ops/backup.py)


class OutsideTransactionError(RuntimeError):
    """append() was called on a connection without an open transaction."""


class UnacknowledgedError(TimeoutError):
    """Kafka did not acknowledge a relay batch in time (broker unreachable): the pass fails and is retried."""

    dependency = Dependency.KAFKA


def _envelope(
    event: Event,
    registry: Registry,
    source: str,
    actor: str | None,
    correlation_id: UUID | None,
    causation_id: UUID | None,
    occurred_at: datetime | None,
    event_id: UUID | None,
    carrier: dict[str, str],
) -> Envelope:
    spec = registry.spec_for(type(event))
    extra: dict[str, Any] = {}
    if occurred_at is not None:
        extra["occurred_at"] = occurred_at
    if event_id is not None:
        extra["event_id"] = event_id
    return Envelope(
        type=spec.type,
        version=spec.version,
        source=source,
        subject=str(getattr(event, spec.key_field)),
        actor=actor,
        correlation_id=correlation_id,
        causation_id=causation_id,
        traceparent=carrier.get("traceparent"),
        tracestate=carrier.get("tracestate"),
        **extra,
    )


_INSERT = """INSERT INTO outbox (event_id, topic, key, event_type, event_version, payload, headers)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"""


def _row(event: Event, envelope: Envelope, registry: Registry) -> tuple[Any, ...]:
    spec = registry.spec_for(type(event))
    return (
        envelope.event_id,
        spec.topic.name,
        envelope.subject,
        spec.type,
        spec.version,
        event.model_dump(mode="json"),
        envelope.model_dump(mode="json"),
    )


def _require_transaction(conn: Connection) -> None:
    if not conn.is_in_transaction():
        # Without the caller's transaction the event could be stored while the state change is not.
        raise OutsideTransactionError("outbox.append needs the transaction of the state change")


def _trace_carrier() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)  # the current span becomes the parent of the publish and consume spans
    return carrier


async def append(
    conn: Connection,
    event: Event,
    *,
    source: str,
    actor: str | None = None,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    occurred_at: datetime | None = None,
    event_id: UUID | None = None,
    registry: Registry = REGISTRY,
) -> Envelope:
    """Record `event` for publication; it becomes visible to the relay when the caller commits."""
    _require_transaction(conn)
    envelope = _envelope(
        event, registry, source, actor, correlation_id, causation_id, occurred_at, event_id, _trace_carrier()
    )
    # The insert also wakes the relay: a trigger notifies NOTIFY_CHANNEL at commit (plumbing migration 0003).
    await conn.execute(_INSERT, *_row(event, envelope, registry))
    return envelope


async def append_tombstone(
    conn: Connection,
    topic: TopicSpec,
    key: str,
    *,
    type: str,  # the CloudEvents type the headers carry, e.g. vn.cds.personnel.officer_profile.erased
    source: str,
    actor: str | None = None,
) -> Envelope:
    """Record a tombstone (a null value) for `key` on a compacted topic: Kafka's log cleaner then drops
    every earlier value of the key, and each consumer that keeps a copy deletes it when it reads this.
    The envelope headers still travel (id, time, actor, trace), without any personal data."""
    _require_transaction(conn)
    carrier = _trace_carrier()
    envelope = Envelope(
        type=type,
        version=1,
        source=source,
        subject=key,
        actor=actor,
        traceparent=carrier.get("traceparent"),
        tracestate=carrier.get("tracestate"),
    )
    await conn.execute(_INSERT, envelope.event_id, topic.name, key, type, 1, None, envelope.model_dump(mode="json"))
    return envelope


async def append_many(
    conn: Connection,
    events: Sequence[Event],
    *,
    source: str,
    actor: str | None = None,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    registry: Registry = REGISTRY,
) -> list[Envelope]:
    """Bulk form of `append` (one pipelined statement) for imports of thousands of rows."""
    _require_transaction(conn)
    carrier = _trace_carrier()
    envelopes = [
        _envelope(e, registry, source, actor, correlation_id, causation_id, None, None, carrier) for e in events
    ]
    await conn.executemany(_INSERT, [_row(e, env, registry) for e, env in zip(events, envelopes, strict=True)])
    return envelopes


_TRACE_HEADERS = ("traceparent", "tracestate")
AfterPublish = Callable[[Sequence[asyncpg.Record]], Awaitable[None]]


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_poll_s: float = 5.0,
        linger_s: float = 0.0,
        max_backoff_s: float = 30.0,
        ack_timeout_s: float = 10.0,
        after_publish: AfterPublish | None = None,
        topic_prefix: str = "",
    ) -> None:
        self._pool = pool
        self._producer = producer  # started and stopped by its owner (make_producer)
        self._tracer = trace.get_tracer(__name__)
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._linger_s = linger_s
        self._max_backoff_s = max_backoff_s
        # With the broker gone the producer retries for ever and the acknowledgements never come: without
        # a bound a pass would neither succeed nor fail, and nothing would say the outbox is stuck.
        self._ack_timeout_s = ack_timeout_s
        # Test hook: runs after the broker acknowledged a batch and before it is marked published.
        self._after_publish = after_publish
        self._topic_prefix = topic_prefix
        self._wake = asyncio.Event()
        self._on_notify = lambda *_: self._wake.set()
        self._streak = FailureStreak(log, "outbox relay")

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many (0 also when another relay holds the lock).
        A failed pass notes the attempt and the error on its rows (`outbox backlog` shows them) and raises."""
        rows: list[asyncpg.Record] = []
        try:
            return await self._publish(rows)
        except Exception as exc:
            if rows:
                await self._note_failure(rows, exc)
            raise

    async def _publish(self, rows: list[asyncpg.Record]) -> int:
        """One pass; fills `rows` with the rows it tries to publish. Five round trips to PostgreSQL (the
        relay makes about as many as the commands it publishes for: each statement costs the process a send
        and a wake-up): begin, the lock with the backlog, the rows, the mark, commit."""
        async with self._pool.acquire() as conn, conn.transaction():
            claim = await conn.fetchrow(_LOCK_AND_BACKLOG, _RELAY_LOCK)
            assert claim is not None  # an aggregate always returns a row
            # Measured before publishing too, so the gauges keep growing while Kafka is down and every pass fails.
            _set_backlog(claim)
            if not claim["held"]:
                return 0
            # A statement of its own, begun once the lock is held: it sees every row the relay that held the
            # lock before marked published (a statement reads the table as it was when it began: the rows
            # read in the statement that took the lock could predate that relay's commit, and go out twice).
            rows += await conn.fetch(_PENDING, self._batch_size)
            if not rows:
                return 0
            try:  # every acknowledgement, or an exception and nothing is marked
                # The sends are bounded too: with the broker gone, a send waits for topic metadata for the
                # producer's whole request timeout (40 s) before the first acknowledgement is even awaited.
                await asyncio.wait_for(self._send_all(rows), self._ack_timeout_s)
            except TimeoutError:
                # Records still queued in the producer may go out later: duplicates, which consumers skip.
                raise await self._unacknowledged(rows) from None
            if self._after_publish is not None:
                await self._after_publish(rows)
            ids = [r["id"] for r in rows]
            backlog = await conn.fetchrow(_MARK_PUBLISHED, ids, max(ids))
            assert backlog is not None  # an aggregate always returns a row
            _set_backlog(backlog)
        # Labelled like ce_type (and like cds_consumer_events_applied_total): the type with its version.
        for ce_type, n in Counter(f"{r['event_type']}.v{r['event_version']}" for r in rows).items():
            OUTBOX_PUBLISHED.labels(ce_type).inc(n)
        return len(rows)

    async def _note_failure(self, rows: list[asyncpg.Record], exc: Exception) -> None:
        """In a transaction of its own, since the pass's rolled back: one more attempt, and why it failed."""
        error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:2000]
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    """UPDATE outbox SET attempts = attempts + 1, last_error = $2
                       WHERE id = ANY($1) AND published_at IS NULL""",
                    [r["id"] for r in rows],
                    error,
                )
                await conn.execute(_RELAY_FAILED, error)
        except Exception as note_exc:  # the database may be what failed; run() logs the pass's own error
            log.debug("outbox relay: could not record the failed attempt: %s", note_exc)

    async def _send_all(self, rows: Sequence[asyncpg.Record]) -> None:
        futures = [await self._send(row) for row in rows]
        await asyncio.gather(*futures)

    async def _unacknowledged(self, rows: Sequence[asyncpg.Record]) -> UnacknowledgedError:
        """Say why, as far as one quick metadata request tells: the broker is gone, or it answers and
        the records still went nowhere (a topic missing, or the partitions' leader unavailable)."""
        topics = sorted({self._topic_prefix + r["topic"] for r in rows})
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), 0.5)
            answers = True
        except Exception:
            answers = False
        why = (
            f"the broker answers metadata requests; check that {', '.join(topics)} exist and have a leader"
            if answers
            else "the broker does not answer"
        )
        return UnacknowledgedError(
            f"Kafka did not acknowledge {len(rows)} record(s) within {self._ack_timeout_s:g} s: {why}"
        )

    async def _send(self, row: asyncpg.Record) -> asyncio.Future[Any]:
        envelope = Envelope.model_validate(row["headers"])
        topic = self._topic_prefix + row["topic"]
        # The trace context stored with the row is the parent: the publish span (and the consumers' spans
        # after it, through the headers) join the trace of the request that caused the event.
        stored = {"traceparent": envelope.traceparent or "", "tracestate": envelope.tracestate or ""}
        with self._tracer.start_as_current_span(
            f"{topic} publish",
            context=propagate.extract(stored),
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation": "publish",
                "messaging.destination.name": topic,
                "messaging.message.id": str(envelope.event_id),
                "messaging.kafka.message.key": row["key"],
            },
        ):
            carrier: dict[str, str] = {}
            propagate.inject(carrier)  # this span's context replaces the stored one on the record
            headers = [(k, v) for k, v in envelope.to_headers() if k not in _TRACE_HEADERS]
            headers += [(k, v.encode()) for k, v in carrier.items() if k in _TRACE_HEADERS]
            # The payload as PostgreSQL prints the jsonb (not decoded and re-encoded here); NULL is a
            # tombstone, a keyed null value.
            payload: str | None = row["payload"]
            sent: asyncio.Future[Any] = await self._producer.send(
                topic,
                None if payload is None else payload.encode(),
                key=row["key"].encode(),
                headers=headers,
            )
            return sent

    async def _listen(self, conn: PoolConnectionProxy) -> None:
        await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; wakes on NOTIFY, polls every idle_poll_s as a safety net."""
        listener: PoolConnectionProxy | None = None
        backoff = 0.5
        try:
            while not stop.is_set():
                try:
                    if listener is None or not _usable(listener):
                        listener = await self._pool.acquire()
                        await self._listen(listener)
                    self._wake.clear()
                    published = await self.publish_pending()
                    self._streak.succeeded()
                    backoff = 0.5
                    if published >= self._batch_size:
                        continue  # more may be waiting
                    await wait_any(self._wake, stop, timeout=self._idle_poll_s)
                    if self._linger_s and self._wake.is_set():
                        # Woken by a commit: the commits of the next few ms share its pass (Kafka's
                        # linger.ms, one step earlier) instead of a pass each.
                        await wait_any(stop, timeout=self._linger_s)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # broker or database outage: keep the rows, retry later
                    self._streak.failed(exc, backoff)
                    if listener is not None:
                        await self._release(listener)
                        listener = None
                    await wait_any(stop, timeout=backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
        finally:
            # Also when cancelled (a forced exit): pool.close() waits for every connection to come back.
            if listener is not None:
                await self._release(listener)

    async def _release(self, conn: PoolConnectionProxy) -> None:
        with contextlib.suppress(Exception):  # best effort: the connection may already be broken
            await conn.remove_listener(NOTIFY_CHANNEL, self._on_notify)
        await self._pool.release(conn)


def _usable(conn: PoolConnectionProxy) -> bool:
    """False once the connection died: asyncpg then hands it back to the pool by itself, and any call on
    the proxy raises "connection has been released back to the pool", which would hide the real cause."""
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:
        return False


# One row (migration 0017): whether the relay is failing, since when, and why; `outbox backlog` shows it.
_RELAY_FAILED = """INSERT INTO outbox_relay_status AS s (failing_since, failed_passes, last_error, last_failure_at)
                   VALUES (now(), 1, $1, now())
                   ON CONFLICT (singleton) DO UPDATE SET
                     failing_since = coalesce(s.failing_since, now()), failed_passes = s.failed_passes + 1,
                     last_error = EXCLUDED.last_error, last_failure_at = now()"""


_BACKLOG = """count(*) AS pending,
                coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 AS age"""

# The relay lock (another replica's relay may hold it) and the backlog, measured either way.
_LOCK_AND_BACKLOG = f"""SELECT pg_try_advisory_xact_lock($1) AS held, {_BACKLOG}
                        FROM outbox WHERE published_at IS NULL"""

_PENDING = """SELECT id, event_id, topic, key, event_type, event_version, payload::text AS payload, headers
              FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1"""

# One statement: mark the rows published ($1, the highest of them $2), end a failing streak, and measure
# the backlog left. The WITH updates run whether or not the SELECT reads them, and it sees the table as
# before them, so it leaves the rows just published out by id: only rows up to $2 (the batch itself, and
# the few committed behind the read with lower ids) reach the comparison with the list, the OR's second
# arm (PostgreSQL evaluates an OR's arms in order, stopping at the first true). Not a join with the
# published rows: its plan followed the planner's estimate of the backlog, and statistics taken while the
# outbox was empty made it a nested loop, backlog × batch comparisons (1.3 s a pass at 30,000 rows).
_MARK_PUBLISHED = f"""WITH published AS (
                        UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
                        WHERE id = ANY($1)),
                      recovered AS (
                        UPDATE outbox_relay_status SET failing_since = NULL, failed_passes = 0, recovered_at = now()
                        WHERE failing_since IS NOT NULL)
                      SELECT {_BACKLOG} FROM outbox
                      WHERE published_at IS NULL AND (id > $2 OR NOT id = ANY($1))"""


def _set_backlog(row: asyncpg.Record) -> None:
    """Set the backlog gauges: unpublished rows, and the age of the oldest (0 when there is none)."""
    OUTBOX_PENDING.set(row["pending"])
    OUTBOX_OLDEST_AGE.set(max(row["age"], 0.0))


async def wait_any(*events: asyncio.Event, timeout: float) -> None:  # noqa: ASYNC109  # returns, never raises
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
