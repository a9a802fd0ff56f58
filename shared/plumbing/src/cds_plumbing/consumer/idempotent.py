"""The idempotent consumer: handler registration, decoding, and one PostgreSQL transaction per batch.

For each fetched batch, in ONE PostgreSQL transaction: record every event id in `processed_events` with
one statement (a duplicate is skipped), apply the new events with the handlers registered for their
models (apply.py), publish the batch's dead letters and wait for Kafka's acknowledgement, and store the
next offset per partition in `consumer_checkpoints`. Only after that commit are the Kafka offsets
committed, explicitly per partition (loop.py). A crash or a failure anywhere (the .dlq unreachable
included) rolls the batch back and replays it, and the inbox makes the replay a no-op for what was
already applied, so a bad record is never skipped without reaching the .dlq. A replay may put a dead
letter on the .dlq twice; `dlq replay` is idempotent through the inbox.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from aiokafka import TopicPartition
from pydantic import ValidationError

from cds_contracts import REGISTRY, Envelope, EnvelopeError, Event, Registry, TopicSpec

from ..db import Connection
from ..deadletter import REPLAY_FOR, DeadLetterPublisher, replayed_for_another
from ..metrics import BATCH_APPLY_SECONDS, DEAD_LETTERS, EVENTS_APPLIED, EVENTS_DUPLICATE
from .apply import (
    BatchApplier,
    BatchHandler,
    Handler,
    Item,
    OrderBy,
    Outcome,
    Record,
    Route,
    Tombstone,
    TombstoneHandler,
)
from .failures import UndecodableRecordError, is_transient

log = logging.getLogger("cds_plumbing.consumer")

E = TypeVar("E", bound=Event)
BatchHook = Callable[[Connection], Awaitable[None]]
_DECODE_ERRORS = (UndecodableRecordError, ValueError, LookupError, ValidationError)


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: int = 0
    next_offsets: dict[TopicPartition, int] = field(default_factory=dict)


@dataclass
class Decoded:
    """A fetched batch after decoding: what to apply, what cannot be read, and where each partition ends."""

    items: list[Item] = field(default_factory=list)
    undecodable: list[tuple[Record, BaseException]] = field(default_factory=list)
    ignored: int = 0
    checkpoints: dict[TopicPartition, tuple[int, datetime | None]] = field(default_factory=dict)


def _text_headers(record: Record) -> dict[str, str]:
    try:
        return {k: v.decode() for k, v in (record.headers or ())}  # UTF-8, strictly
    except UnicodeDecodeError as exc:
        raise UndecodableRecordError(f"header is not UTF-8: {exc}") from exc
    except AttributeError as exc:  # a header without a value (Kafka allows null)
        raise UndecodableRecordError(f"a header has no value: {exc}") from exc


class _ApplyFailedError(Exception):
    """The set-based apply raised something that is not the infrastructure's fault: isolate it."""


class IdempotentConsumer:
    """Register handlers with `@consumer.on(OfficerAppointed)` on functions named `on_<event>`, or a
    set-based one with `@consumer.on_batch(OfficerAppointed)` taking `(conn, [(event, envelope), ...])`."""

    def __init__(self, name: str, *, registry: Registry = REGISTRY, before_batch: BatchHook | None = None) -> None:
        self.name = name  # consumer group id and inbox key: renaming it replays every event
        self._registry = registry
        # Runs first in each batch's transaction, e.g. to take a lock or `SET LOCAL search_path`.
        self._before_batch = before_batch
        self._bound: tuple[asyncpg.Pool, DeadLetterPublisher] | None = None
        self._routes: dict[type[Event], Route] = {}
        self._order_by: dict[type[Event], OrderBy] = {}
        self._tombstones: dict[str, TombstoneHandler] = {}  # topic name (unprefixed) -> handler
        self._attempts: dict[tuple[str, int, int], int] = {}

    def on(self, model: type[E]) -> Callable[[Handler], Handler]:
        """Each event of `model` is applied by `fn(conn, event, envelope)`, in its key's order."""
        self._registry.spec_for(model)  # fails early for an unregistered model

        def register(fn: Handler) -> Handler:
            self._routes[model] = Route(per_event=fn)
            self._order_by.pop(model, None)
            return fn

        return register

    def on_batch(
        self, model: type[E], *, order_by: Callable[[E], tuple[Any, ...]] | None = None
    ) -> Callable[[BatchHandler], BatchHandler]:
        """Events of `model` are applied a step at a time by `fn(conn, [(event, envelope), ...])`, in batch
        order, at most one event per key in a call (the key: the aggregate; with `order_by`, also
        `order_by(event)`, e.g. a team's member, so several members of one team share a call). A key's
        events are applied in their order across calls; events of different keys in any order."""
        self._registry.spec_for(model)

        def register(fn: BatchHandler) -> BatchHandler:
            self._routes[model] = Route(batch=fn)
            if order_by is None:
                self._order_by.pop(model, None)
            else:
                self._order_by[model] = order_by
            return fn

        return register

    def on_tombstone(self, topic: TopicSpec) -> Callable[[TombstoneHandler], TombstoneHandler]:
        """Register what to do with a tombstone (null value) on a compacted topic: delete the local copy
        of the record's key. Deleting is idempotent, so tombstones bypass the inbox; they are applied in
        their key's order with the topic's events."""

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
        return list(self._routes)

    @property
    def tombstone_topics(self) -> list[str]:
        """The compacted topics whose tombstones this consumer applies (deletes its copy of the key)."""
        return sorted(self._tombstones)

    @property
    def topics(self) -> list[str]:
        return sorted({self._registry.spec_for(m).topic.name for m in self._routes} | set(self._tombstones))

    def decode(self, record: Record) -> tuple[Envelope, Event]:
        return self._decode(record, _text_headers(record))

    def _decode(self, record: Record, headers: dict[str, str]) -> tuple[Envelope, Event]:
        envelope = Envelope.from_text_headers(headers)
        spec = self._registry.lookup(envelope.type, envelope.version)
        if record.value is None:
            raise UndecodableRecordError("record has no value")
        # The core validator itself: model_validate_json's Python wrapper costs a third as much again.
        event: Event = spec.model.__pydantic_validator__.validate_json(record.value)
        return envelope, event

    @staticmethod
    def _tombstone_envelope(record: Record) -> Envelope:
        """The erasure's envelope from the tombstone's headers; one made up when they are missing or bad
        (a tombstone deletes whatever it says, so it is applied either way)."""
        try:
            return Envelope.from_text_headers({k: v.decode() for k, v in (record.headers or ())})
        except (EnvelopeError, UnicodeDecodeError, AttributeError, ValueError):
            key = bytes(record.key or b"").decode("utf-8", errors="replace")
            return Envelope(type="tombstone", version=1, source="/unknown", subject=key or "unknown")

    def decode_batch(self, records: list[Record]) -> Decoded:
        """Decode outside the transaction; records no handler wants are only counted (another consumer's)."""
        out = Decoded()
        self._decode_into(out, records)
        return out

    async def decode_batch_async(self, records: list[Record], *, slice_size: int = 250) -> Decoded:
        """decode_batch a slice at a time, giving the event loop a turn in between: a batch being applied
        meanwhile (waiting on PostgreSQL) goes on between slices, so decoding and writing overlap."""
        out = Decoded()
        for start in range(0, len(records), slice_size):
            self._decode_into(out, records[start : start + slice_size])
            await asyncio.sleep(0)
        return out

    def _decode_into(self, out: Decoded, records: list[Record]) -> None:
        partitions: dict[tuple[str, int], TopicPartition] = {}
        for record in records:
            where = (record.topic, record.partition)
            tp = partitions.get(where) or partitions.setdefault(where, TopicPartition(*where))
            envelope: Envelope | None = None
            # The headers are decoded once, here; a dead letter replayed for another consumer is skipped
            # even when they do not decode (it may not decode here either).
            headers: dict[str, str] | BaseException
            try:
                headers = _text_headers(record)
            except UndecodableRecordError as exc:
                headers = exc
            if (isinstance(headers, BaseException) or REPLAY_FOR in headers) and replayed_for_another(
                record, self.name
            ):
                out.ignored += 1
                out.checkpoints[tp] = (record.offset + 1, out.checkpoints.get(tp, (0, None))[1])
                continue
            forget = self._tombstone_handler(record)
            if forget is not None:
                envelope = self._tombstone_envelope(record)
                key = bytes(record.key or b"").decode("utf-8", errors="replace")
                out.items.append(Item(record, envelope, Tombstone(key, forget), (record.topic, record.key)))
                out.checkpoints[tp] = (record.offset + 1, envelope.occurred_at)
                continue
            try:
                if isinstance(headers, BaseException):
                    raise headers
                envelope, event = self._decode(record, headers)
            except _DECODE_ERRORS as exc:
                out.undecodable.append((record, exc))
            else:
                model = type(event)
                if model not in self._routes:
                    out.ignored += 1
                else:
                    key = record.key if record.key is not None else envelope.subject
                    order_by = self._order_by.get(model)
                    order = (record.topic, key) if order_by is None else (record.topic, key, *order_by(event))
                    out.items.append(Item(record, envelope, event, order))
            out.checkpoints[tp] = (record.offset + 1, envelope.occurred_at if envelope else None)

    async def process_batch(self, records: list[Record]) -> BatchResult:
        """Apply a batch in one transaction; returns the offsets to commit. Transient errors propagate,
        and so does a dead letter Kafka did not acknowledge: nothing of the batch is committed then."""
        return await self.apply_decoded(self.decode_batch(records))

    async def apply_decoded(self, batch: Decoded) -> BatchResult:
        started = time.perf_counter()
        applier = BatchApplier(self.name, self._routes)
        async with self._pool.acquire() as conn:
            try:
                outcome = await self._in_transaction(conn, batch, lambda c: applier.apply(c, batch.items))
            except _ApplyFailedError as failed:
                cause = failed.__cause__ or failed
                outcome = await self._in_transaction(
                    conn, batch, lambda c: applier.apply_isolating(c, batch.items, cause)
                )
        # Committed: only now count what the batch did (a batch retried after a rollback counts once).
        BATCH_APPLY_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        dead = batch.undecodable + outcome.dead
        for record, _ in dead:
            self._attempts.pop((record.topic, record.partition, record.offset), None)
            DEAD_LETTERS.labels(self.name, record.topic).inc()
        applied = Counter(item.envelope.ce_type for item in outcome.applied)
        for ce_type, n in applied.items():
            EVENTS_APPLIED.labels(self.name, ce_type).inc(n)
        EVENTS_DUPLICATE.labels(self.name).inc(outcome.duplicates)
        return BatchResult(
            applied=len(outcome.applied),
            duplicates=outcome.duplicates,
            ignored=batch.ignored,
            dead_lettered=len(dead),
            next_offsets={tp: off for tp, (off, _) in batch.checkpoints.items()},
        )

    async def _in_transaction(
        self, conn: Connection, batch: Decoded, apply: Callable[[Connection], Awaitable[Outcome]]
    ) -> Outcome:
        async with conn.transaction():
            if self._before_batch is not None:
                await self._before_batch(conn)
            try:
                outcome = await apply(conn)
            except Exception as exc:
                if is_transient(exc):
                    raise
                raise _ApplyFailedError(str(exc)) from exc
            await conn.executemany(
                """INSERT INTO consumer_checkpoints (consumer, topic, kafka_partition, next_offset, event_time)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (consumer, topic, kafka_partition) DO UPDATE
                   SET next_offset = EXCLUDED.next_offset, updated_at = now(),
                       event_time = greatest(consumer_checkpoints.event_time, EXCLUDED.event_time)""",
                [(self.name, tp.topic, tp.partition, off, t) for tp, (off, t) in batch.checkpoints.items()],
            )
            # Last step before the commit moves the checkpoint past them: a dead letter the .dlq did not
            # acknowledge rolls the whole batch back, to be retried, instead of being skipped for good.
            await self._send_dead_letters(batch.undecodable + outcome.dead)
        return outcome

    async def _send_dead_letters(self, dead: list[tuple[Record, BaseException]]) -> None:
        for record, error in dead:
            key = (record.topic, record.partition, record.offset)
            attempt = self._attempts.get(key, 0) + 1
            log.warning("%s: dead-lettering %s[%d]@%d: %s", self.name, *key, error)
            await self._dead_letters.send(record, error, consumer=self.name, attempt=attempt)

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
