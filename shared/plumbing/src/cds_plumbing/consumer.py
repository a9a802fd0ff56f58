"""Idempotent, batch-transactional Kafka consumer with dead-lettering.

For each fetched batch, in ONE PostgreSQL transaction: record each event id in `processed_events`
(a duplicate is skipped), run the handler registered for its model, and store the next offset per
partition in `consumer_checkpoints`. Only after that commit are dead letters published and the Kafka
offsets committed, explicitly per partition. A crash anywhere replays the batch, and the inbox makes
the replay a no-op for what was already applied.

Built on aiokafka directly rather than a FastStream subscriber: FastStream's batch parser decodes every
header as UTF-8 before the handler runs (one bad record would fail the whole batch before it could be
dead-lettered) and its ack commits "everything fetched" rather than explicit offsets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from opentelemetry import propagate, trace
from pydantic import ValidationError

from cds_contracts import REGISTRY, Envelope, Event, Registry

from .db import Connection
from .deadletter import DeadLetterPublisher
from .metrics import BATCH_APPLY_SECONDS, CONSUMER_LAG, DEAD_LETTERS, EVENTS_APPLIED, EVENTS_DUPLICATE

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Connection, Any, Envelope], Awaitable[None]]
BatchHook = Callable[[Connection], Awaitable[None]]
Record: TypeAlias = "ConsumerRecord[bytes | None, bytes | None]"

# Failures of the infrastructure, not of the event: retry the whole batch instead of dead-lettering.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
)


class UndecodableRecordError(ValueError):
    """The record's value or headers cannot be read as an event of a registered type."""


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: int = 0
    next_offsets: dict[TopicPartition, int] = field(default_factory=dict)


class IdempotentConsumer:
    """Register handlers with `@consumer.on(OfficerAppointed)` on functions named `on_<event>`."""

    def __init__(self, name: str, *, registry: Registry = REGISTRY, before_batch: BatchHook | None = None) -> None:
        self.name = name  # consumer group id and inbox key: renaming it replays every event
        self._registry = registry
        # Runs first in each batch's transaction, e.g. to take a lock or `SET LOCAL search_path`.
        self._before_batch = before_batch
        self._bound: tuple[asyncpg.Pool, DeadLetterPublisher] | None = None
        self._handlers: dict[type[Event], Handler] = {}
        self._attempts: dict[tuple[str, int, int], int] = {}

    def on(self, model: type[E]) -> Callable[[Handler], Handler]:
        self._registry.spec_for(model)  # fails early for an unregistered model

        def register(fn: Handler) -> Handler:
            self._handlers[model] = fn
            return fn

        return register

    def bind(self, pool: asyncpg.Pool, dead_letters: DeadLetterPublisher) -> None:
        """Give the consumer its database and dead-letter producer (handlers are registered at import)."""
        self._bound = (pool, dead_letters)

    @property
    def _pool(self) -> asyncpg.Pool:
        if self._bound is None:
            raise RuntimeError(f"consumer {self.name} is not bound to a pool; call bind() first")
        return self._bound[0]

    @property
    def _dead_letters(self) -> DeadLetterPublisher:
        if self._bound is None:
            raise RuntimeError(f"consumer {self.name} is not bound; call bind() first")
        return self._bound[1]

    @property
    def handled(self) -> list[type[Event]]:
        """The event models this consumer applies (the rest of its topics' events are skipped)."""
        return list(self._handlers)

    @property
    def topics(self) -> list[str]:
        return sorted({self._registry.spec_for(m).topic.name for m in self._handlers})

    def decode(self, record: Record) -> tuple[Envelope, Event]:
        try:
            headers = [(k, bytes(v).decode("utf-8")) for k, v in (record.headers or ())]
        except UnicodeDecodeError as exc:
            raise UndecodableRecordError(f"header is not UTF-8: {exc}") from exc
        envelope = Envelope.from_headers({k: v.encode() for k, v in headers})
        spec = self._registry.lookup(envelope.type, envelope.version)
        if record.value is None:
            raise UndecodableRecordError("record has no value")
        return envelope, spec.model.model_validate_json(record.value)

    async def process_batch(self, records: list[Record]) -> BatchResult:
        """Apply a batch in one transaction; returns the offsets to commit. Transient errors propagate."""
        result = BatchResult()
        dead: list[tuple[Record, BaseException]] = []
        checkpoints: dict[TopicPartition, tuple[int, datetime | None]] = {}
        started = time.perf_counter()
        async with self._pool.acquire() as conn, conn.transaction():
            if self._before_batch is not None:
                await self._before_batch(conn)
            for record in records:
                tp = TopicPartition(record.topic, record.partition)
                envelope: Envelope | None = None
                try:
                    envelope, event = self.decode(record)
                except (UndecodableRecordError, ValueError, LookupError, ValidationError) as exc:
                    dead.append((record, exc))
                else:
                    handler = self._handlers.get(type(event))
                    if handler is None:
                        result.ignored += 1  # another consumer's event on a shared topic
                    else:
                        try:
                            applied = await self._apply(conn, record, envelope, event, handler)
                        except TRANSIENT_ERRORS:
                            raise
                        except Exception as exc:
                            dead.append((record, exc))
                        else:
                            if applied:
                                result.applied += 1
                            else:
                                result.duplicates += 1
                checkpoints[tp] = (record.offset + 1, envelope.occurred_at if envelope else None)
            await conn.executemany(
                """INSERT INTO consumer_checkpoints (consumer, topic, kafka_partition, next_offset, event_time)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (consumer, topic, kafka_partition) DO UPDATE
                   SET next_offset = EXCLUDED.next_offset, updated_at = now(),
                       event_time = greatest(consumer_checkpoints.event_time, EXCLUDED.event_time)""",
                [(self.name, tp.topic, tp.partition, off, t) for tp, (off, t) in checkpoints.items()],
            )
        BATCH_APPLY_SECONDS.labels(self.name).observe(time.perf_counter() - started)  # committed batches only
        for record, error in dead:
            key = (record.topic, record.partition, record.offset)
            attempt = self._attempts.pop(key, 0) + 1
            log.warning("%s: dead-lettering %s[%d]@%d: %s", self.name, *key, error)
            await self._dead_letters.send(record, error, consumer=self.name, attempt=attempt)
            DEAD_LETTERS.labels(self.name, record.topic).inc()
        result.dead_lettered = len(dead)
        result.next_offsets = {tp: off for tp, (off, _) in checkpoints.items()}
        EVENTS_DUPLICATE.labels(self.name).inc(result.duplicates)
        return result

    async def _apply(
        self, conn: Connection, record: Record, envelope: Envelope, event: Event, handler: Handler
    ) -> bool:
        parent = propagate.extract({"traceparent": envelope.traceparent or "", "tracestate": envelope.tracestate or ""})
        with tracer.start_as_current_span(
            f"{record.topic} process",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.message.id": str(envelope.event_id),
                "messaging.destination.name": record.topic,
                "cds.event.type": envelope.ce_type,
            },
        ):
            async with conn.transaction():  # savepoint: a failing handler leaves no trace in the batch
                inserted = await conn.fetchval(
                    """INSERT INTO processed_events
                         (consumer, event_id, event_type, topic, kafka_partition, kafka_offset)
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true""",
                    self.name,
                    envelope.event_id,
                    envelope.ce_type,
                    record.topic,
                    record.partition,
                    record.offset,
                )
                if not inserted:
                    return False
                await handler(conn, event, envelope)
        EVENTS_APPLIED.labels(self.name, envelope.ce_type).inc()
        return True

    def note_failed_batch(self, records: list[Record]) -> None:
        for r in records:
            key = (r.topic, r.partition, r.offset)
            self._attempts[key] = self._attempts.get(key, 0) + 1

    async def checkpoints(self, partitions: set[TopicPartition]) -> dict[TopicPartition, int]:
        rows = await self._pool.fetch(
            "SELECT topic, kafka_partition, next_offset FROM consumer_checkpoints WHERE consumer = $1", self.name
        )
        found = {TopicPartition(r["topic"], r["kafka_partition"]): r["next_offset"] for r in rows}
        return {tp: off for tp, off in found.items() if tp in partitions}


class _SeekToCheckpoint(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, start from the database checkpoint when it is ahead of Kafka's committed offset
    (the process died after the PostgreSQL commit and before the Kafka commit)."""

    def __init__(self, owner: IdempotentConsumer, kafka: AIOKafkaConsumer) -> None:
        self._owner, self._kafka = owner, kafka

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        for tp, offset in (await self._owner.checkpoints(set(assigned))).items():
            committed = await self._kafka.committed(tp)
            if committed is None or committed < offset:
                self._kafka.seek(tp, offset)


async def run_consumer(
    consumer: IdempotentConsumer,
    bootstrap_servers: str,
    stop: asyncio.Event,
    *,
    max_records: int = 500,
    max_backoff_s: float = 30.0,
    topic_prefix: str = "",
) -> None:
    """Fetch, apply and commit until `stop` is set. Transient failures rewind the batch and back off."""
    kafka = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        # The prefix keeps a namespaced instance (tests, a staging copy) out of the real consumer group.
        group_id=topic_prefix + consumer.name,
        client_id=consumer.name,
        enable_auto_commit=False,  # offsets are committed only after the database commit
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
        isolation_level="read_committed",
    )
    kafka.subscribe([topic_prefix + t for t in consumer.topics], listener=_SeekToCheckpoint(consumer, kafka))
    await kafka.start()
    backoff = 0.5
    try:
        while not stop.is_set():
            fetched = await kafka.getmany(timeout_ms=500, max_records=max_records)
            records = [r for tp in sorted(fetched, key=lambda t: (t.topic, t.partition)) for r in fetched[tp]]
            if not records:
                continue
            try:
                result = await consumer.process_batch(records)
            except TRANSIENT_ERRORS as exc:
                log.warning(
                    "%s: batch failed (%s: %s); retrying in %.1fs", consumer.name, type(exc).__name__, exc, backoff
                )
                consumer.note_failed_batch(records)
                for tp, recs in fetched.items():
                    kafka.seek(tp, recs[0].offset)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            backoff = 0.5
            await _commit(kafka, result.next_offsets, consumer.name)
            for tp in fetched:
                high = kafka.highwater(tp)
                if high is not None:
                    CONSUMER_LAG.labels(consumer.name, tp.topic, tp.partition).set(
                        max(high - await kafka.position(tp), 0)
                    )
    finally:
        await kafka.stop()


async def _commit(kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int], name: str) -> None:
    owned = kafka.assignment()
    mine = {tp: off for tp, off in offsets.items() if tp in owned}
    if not mine:
        return
    try:
        await kafka.commit(mine)
    except (CommitFailedError, IllegalStateError) as exc:
        # Partitions moved in a rebalance: their new owner re-reads from the last commit and the inbox
        # turns what we already applied into duplicates. Nothing is lost.
        log.info("%s: offset commit skipped after rebalance: %s", name, exc)
