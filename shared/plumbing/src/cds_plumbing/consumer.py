"""Idempotent, batch-transactional Kafka consumer with dead-lettering.

For each fetched batch, in ONE PostgreSQL transaction: record each event id in `processed_events`
(a duplicate is skipped), run the handler registered for its model, publish the batch's dead letters and
wait for Kafka's acknowledgement, and store the next offset per partition in `consumer_checkpoints`.
Only after that commit are the Kafka offsets committed, explicitly per partition. A crash or a failure
anywhere (the .dlq unreachable included) rolls the batch back and replays it, and the inbox makes the
replay a no-op for what was already applied, so a bad record is never skipped without reaching the .dlq.
A replay may put a dead letter on the .dlq twice; `dlq replay` is idempotent through the inbox.

Built on aiokafka directly rather than a FastStream subscriber: FastStream's batch parser decodes every
header as UTF-8 before the handler runs (one bad record would fail the whole batch before it could be
dead-lettered) and its ack commits "everything fetched" rather than explicit offsets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka import errors as kafka_errors
from aiokafka.errors import KafkaError
from opentelemetry import propagate, trace
from pydantic import ValidationError

from cds_contracts import REGISTRY, Envelope, Event, Registry, TopicSpec

from .db import Connection
from .deadletter import DeadLetterPublisher, replayed_for_another
from .membership import Membership
from .metrics import BATCH_APPLY_SECONDS, CONSUMER_LAG, DEAD_LETTERS, EVENTS_APPLIED, EVENTS_DUPLICATE
from .outbox import wait_any

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Connection, Any, Envelope], Awaitable[None]]
BatchHook = Callable[[Connection], Awaitable[None]]
TombstoneHandler = Callable[[Connection, str], Awaitable[None]]  # (conn, record key)
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
# Kafka errors no retry in place can fix (credentials, permissions, settings, versions). Every other
# KafkaError (timeouts, lost connections, leader changes, a missing topic) is a broker blip: retried.
# A fatal one ends the task; the runtime's supervisor restarts it with backoff and logs why.
FATAL_KAFKA_ERRORS: tuple[type[BaseException], ...] = (
    kafka_errors.AuthenticationFailedError,
    kafka_errors.AuthenticationMethodNotSupported,
    kafka_errors.SaslAuthenticationFailed,
    kafka_errors.ClusterAuthorizationFailedError,
    kafka_errors.GroupAuthorizationFailedError,
    kafka_errors.TopicAuthorizationFailedError,
    kafka_errors.KafkaConfigurationError,
    kafka_errors.IncompatibleBrokerVersion,
    kafka_errors.UnrecognizedBrokerVersion,
    kafka_errors.UnsupportedVersionError,
)


def is_transient(exc: BaseException) -> bool:
    """An infrastructure failure, not the event's fault: retry the whole batch instead of dead-lettering."""
    if isinstance(exc, TRANSIENT_ERRORS):
        return True
    return isinstance(exc, KafkaError) and not isinstance(exc, FATAL_KAFKA_ERRORS)


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
        self._tombstones: dict[str, TombstoneHandler] = {}  # topic name (unprefixed) -> handler
        self._attempts: dict[tuple[str, int, int], int] = {}

    def on(self, model: type[E]) -> Callable[[Handler], Handler]:
        self._registry.spec_for(model)  # fails early for an unregistered model

        def register(fn: Handler) -> Handler:
            self._handlers[model] = fn
            return fn

        return register

    def on_tombstone(self, topic: TopicSpec) -> Callable[[TombstoneHandler], TombstoneHandler]:
        """Register what to do with a tombstone (null value) on a compacted topic: delete the local copy
        of the record's key. Deleting is idempotent, so tombstones bypass the inbox."""

        def register(fn: TombstoneHandler) -> TombstoneHandler:
            self._tombstones[topic.name] = fn
            return fn

        return register

    def _tombstone_handler(self, record: Record) -> TombstoneHandler | None:
        if record.value is not None or record.key is None:
            return None
        # Records carry the prefixed topic name (settings.kafka_topic_prefix + name).
        return next((fn for name, fn in self._tombstones.items() if record.topic.endswith(name)), None)

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
    def tombstone_topics(self) -> list[str]:
        """The compacted topics whose tombstones this consumer applies (deletes its copy of the key)."""
        return sorted(self._tombstones)

    @property
    def topics(self) -> list[str]:
        return sorted({self._registry.spec_for(m).topic.name for m in self._handlers} | set(self._tombstones))

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
        """Apply a batch in one transaction; returns the offsets to commit. Transient errors propagate,
        and so does a dead letter Kafka did not acknowledge: nothing of the batch is committed then."""
        result = BatchResult()
        dead: list[tuple[Record, BaseException]] = []
        applied: Counter[str] = Counter()
        checkpoints: dict[TopicPartition, tuple[int, datetime | None]] = {}
        started = time.perf_counter()
        async with self._pool.acquire() as conn, conn.transaction():
            if self._before_batch is not None:
                await self._before_batch(conn)
            for record in records:
                tp = TopicPartition(record.topic, record.partition)
                envelope: Envelope | None = None
                if replayed_for_another(record, self.name):  # before decoding: it may not decode here either
                    result.ignored += 1
                    checkpoints[tp] = (record.offset + 1, checkpoints.get(tp, (0, None))[1])
                    continue
                forget = self._tombstone_handler(record)
                if forget is not None:
                    try:
                        async with conn.transaction():  # savepoint, as for events
                            await forget(conn, bytes(record.key or b"").decode("utf-8"))
                    except Exception as exc:
                        if is_transient(exc):
                            raise
                        dead.append((record, exc))
                    else:
                        applied["tombstone"] += 1
                    checkpoints[tp] = (record.offset + 1, checkpoints.get(tp, (0, None))[1])
                    continue
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
                            was_new = await self._apply(conn, record, envelope, event, handler)
                        except Exception as exc:
                            if is_transient(exc):
                                raise
                            dead.append((record, exc))
                        else:
                            if was_new:
                                applied[envelope.ce_type] += 1
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
            # Last step before the commit moves the checkpoint past them: a dead letter the .dlq did not
            # acknowledge rolls the whole batch back, to be retried, instead of being skipped for good.
            await self._send_dead_letters(dead)
        # Committed: only now count what the batch did (a batch retried after a rollback counts once).
        BATCH_APPLY_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        for record, _ in dead:
            self._attempts.pop((record.topic, record.partition, record.offset), None)
            DEAD_LETTERS.labels(self.name, record.topic).inc()
        for ce_type, n in applied.items():
            EVENTS_APPLIED.labels(self.name, ce_type).inc(n)
        EVENTS_DUPLICATE.labels(self.name).inc(result.duplicates)
        result.applied = sum(applied.values())
        result.dead_lettered = len(dead)
        result.next_offsets = {tp: off for tp, (off, _) in checkpoints.items()}
        return result

    async def _send_dead_letters(self, dead: list[tuple[Record, BaseException]]) -> None:
        for record, error in dead:
            key = (record.topic, record.partition, record.offset)
            attempt = self._attempts.get(key, 0) + 1
            log.warning("%s: dead-lettering %s[%d]@%d: %s", self.name, *key, error)
            await self._dead_letters.send(record, error, consumer=self.name, attempt=attempt)

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
    (the process died after the PostgreSQL commit and before the Kafka commit). On revocation, drop the
    lag of the partitions that went to another member: their new owner reports it now."""

    def __init__(self, owner: IdempotentConsumer, kafka: AIOKafkaConsumer, lag: _Lag) -> None:
        self._owner, self._kafka, self._lag = owner, kafka, lag

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._lag.forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        try:
            checkpoints = await self._owner.checkpoints(set(assigned))
        except Exception as exc:
            if not is_transient(exc):
                raise
            # Only an optimisation is lost: Kafka's committed offsets may be behind, and the inbox skips
            # what is delivered again. (aiokafka would log a traceback for every rebalance in an outage.)
            log.warning("%s: checkpoints unreadable (%s), resuming from Kafka's offsets", self._owner.name, exc)
            return
        for tp, offset in checkpoints.items():
            committed = await self._kafka.committed(tp)
            if committed is None or committed < offset:
                self._kafka.seek(tp, offset)


async def run_consumer(
    consumer: IdempotentConsumer,
    bootstrap_servers: str,
    stop: asyncio.Event,
    *,
    max_records: int = 500,
    backoff_s: float = 0.5,
    max_backoff_s: float = 30.0,
    topic_prefix: str = "",
    membership: Membership | None = None,  # how it joins its group (membership.py); default: dynamic member
) -> None:
    """Fetch, apply and commit until `stop` is set. Transient failures rewind the batch and back off
    (doubling from `backoff_s` up to `max_backoff_s`); a set `stop` ends the wait at once."""
    kafka = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        # The prefix keeps a namespaced instance (tests, a staging copy) out of the real consumer group.
        group_id=topic_prefix + consumer.name,
        client_id=consumer.name,
        enable_auto_commit=False,  # offsets are committed only after the database commit
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
        isolation_level="read_committed",
        **(membership or Membership()).consumer_settings(consumer.name),
    )
    lag = _Lag(consumer.name)
    kafka.subscribe([topic_prefix + t for t in consumer.topics], listener=_SeekToCheckpoint(consumer, kafka, lag))
    await kafka.start()
    backoff = backoff_s
    try:
        while not stop.is_set():
            fetched: dict[TopicPartition, list[Record]] = {}
            try:
                fetched = await kafka.getmany(timeout_ms=500, max_records=max_records)
                records = [r for tp in sorted(fetched, key=lambda t: (t.topic, t.partition)) for r in fetched[tp]]
                if records:
                    result = await consumer.process_batch(records)
                    await _commit(kafka, result.next_offsets, consumer.name)
                backoff = backoff_s
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning(
                    "%s: batch failed (%s: %s); retrying in %.1fs", consumer.name, type(exc).__name__, exc, backoff
                )
                _rewind(kafka, consumer, fetched)
                await lag.measure(kafka)
                await wait_any(stop, timeout=backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            await lag.measure(kafka)  # every pass: idle, busy or after a rebalance
    finally:
        lag.forget(lag.reported)  # a stopped consumer owns no partitions
        await kafka.stop()


def _rewind(kafka: AIOKafkaConsumer, consumer: IdempotentConsumer, fetched: dict[TopicPartition, list[Record]]) -> None:
    """Fetch the failed batch again on the next pass (partitions lost meanwhile are their new owner's)."""
    consumer.note_failed_batch([r for recs in fetched.values() for r in recs])
    owned = kafka.assignment()
    for tp, recs in fetched.items():
        if recs and tp in owned:
            kafka.seek(tp, recs[0].offset)


class _Lag:
    """cds_consumer_lag of one consumer: records between its position and the partition's end, for the
    partitions it owns now. Each pass also drops partitions it no longer owns (a pass that ran between
    the revocation and the new assignment may have reported them again)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.reported: set[TopicPartition] = set()

    async def measure(self, kafka: AIOKafkaConsumer) -> None:
        owned = kafka.assignment()
        self.forget(self.reported - owned)
        for tp in owned:
            if tp not in kafka.assignment():  # revoked while an earlier position() waited
                continue
            high = kafka.highwater(tp)
            if high is None:  # no fetch response for it yet
                continue
            try:
                position = await kafka.position(tp)
            except KafkaError:  # revoked meanwhile (IllegalStateError), or the group is in trouble: next pass
                continue
            CONSUMER_LAG.labels(self._name, tp.topic, tp.partition).set(max(high - position, 0))
            self.reported.add(tp)

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        for tp in list(partitions):
            CONSUMER_LAG.remove(self._name, tp.topic, tp.partition)  # a no-op when never set
            self.reported.discard(tp)


async def _commit(kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int], name: str) -> None:
    owned = kafka.assignment()
    mine = {tp: off for tp, off in offsets.items() if tp in owned}
    if not mine:
        return
    try:
        await kafka.commit(mine)
    except KafkaError as exc:
        if not is_transient(exc):
            raise
        # Partitions moved in a rebalance (CommitFailedError), or the broker blinked: the next commit
        # covers these offsets, a restart resumes from the database checkpoint (ahead of Kafka's), and
        # a new owner's redelivery is skipped by the inbox. Nothing is lost.
        log.info("%s: offset commit skipped (%s: %s)", name, type(exc).__name__, exc)
