"""Applying a decoded batch inside the caller's transaction: the inbox, then the handlers step by step.

Happy path: one COPY records the batch's events in `processed_events` (the statement falls back to an
insert naming the new ones when some were there already), and only the new ones are applied, in the
steps of `plan.plan_steps` (a batch handler gets a whole step, a per-event handler each event of it).
No savepoints. When something fails that is not the infrastructure's fault, the caller rolls the batch
back and calls `apply_isolating`: halves of the batch are retried in savepoints, recursively, until each
failing event is alone; those are dead-lettered (and not recorded in the inbox), the rest is applied.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
from aiokafka import ConsumerRecord
from opentelemetry import propagate, trace
from opentelemetry.trace import Link

from cds_contracts import Envelope, Event

from ..db import Connection
from .failures import is_transient
from .plan import OrderKey, Step, plan_steps

log = logging.getLogger(__name__)
tracer = trace.get_tracer("cds_plumbing.consumer")

Record: TypeAlias = "ConsumerRecord[bytes | None, bytes | None]"
Handler = Callable[[Connection, Any, Envelope], Awaitable[None]]
BatchHandler = Callable[[Connection, Sequence[tuple[Any, Envelope]]], Awaitable[None]]
OrderBy = Callable[[Any], tuple[Any, ...]]
MAX_LINKS = 128  # the OpenTelemetry SDK's default span link limit

_INBOX_COLUMNS = ("consumer", "event_id", "event_type", "topic", "kafka_partition", "kafka_offset")
_INBOX_NEW = """INSERT INTO processed_events (consumer, event_id, event_type, topic, kafka_partition, kafka_offset)
                SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::bigint[])
                ON CONFLICT DO NOTHING RETURNING event_id"""


TombstoneHandler = Callable[[Connection, str], Awaitable[None]]  # (conn, record key)


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A null value on a compacted topic: delete the local copy of `key` (idempotent: no inbox row)."""

    key: str
    forget: TombstoneHandler


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs twice as much, per event
class Item:
    """A decoded record with a handler, and where it stands in its key's order."""

    record: Record
    envelope: Envelope
    event: Event | Tombstone
    order: OrderKey

    @property
    def kind(self) -> type:
        return type(self.event)


@dataclass(frozen=True)
class Route:
    """How events of one model are applied: one at a time, or a step at a time."""

    per_event: Handler | None = None
    batch: BatchHandler | None = None


@dataclass
class Outcome:
    applied: list[Item] = field(default_factory=list)
    duplicates: int = 0
    dead: list[tuple[Record, BaseException]] = field(default_factory=list)


class BatchApplier:
    def __init__(self, consumer: str, routes: dict[type[Event], Route]) -> None:
        self._consumer = consumer
        self._routes = routes

    async def apply(self, conn: Connection, items: Sequence[Item]) -> Outcome:
        """Apply everything or raise: the caller rolls back, then calls apply_isolating."""
        applied, duplicates = await self._apply(conn, items)
        return Outcome(applied, duplicates)

    async def apply_isolating(self, conn: Connection, items: Sequence[Item], cause: BaseException) -> Outcome:
        """Bisect in savepoints until each failing event is alone; it goes to `dead`, the rest is applied."""
        log.warning(
            "%s: a batch of %d events failed (%s: %s); isolating the failing event(s)",
            self._consumer,
            len(items),
            type(cause).__name__,
            cause,
        )
        outcome = Outcome()
        await self._halves(conn, items, outcome)
        return outcome

    async def _halves(self, conn: Connection, items: Sequence[Item], outcome: Outcome) -> None:
        if len(items) <= 1:
            await self._attempt(conn, items, outcome)
            return
        middle = len(items) // 2  # items are in batch order: the first half goes first
        await self._attempt(conn, items[:middle], outcome)
        await self._attempt(conn, items[middle:], outcome)

    async def _attempt(self, conn: Connection, items: Sequence[Item], outcome: Outcome) -> None:
        try:
            async with conn.transaction():  # a savepoint: a failing half leaves no trace, inbox rows included
                applied, duplicates = await self._apply(conn, items)
        except Exception as exc:
            if is_transient(exc):
                raise
            if len(items) == 1:
                outcome.dead.append((items[0].record, exc))
                return
            await self._halves(conn, items, outcome)
        else:
            outcome.applied += applied
            outcome.duplicates += duplicates

    async def _apply(self, conn: Connection, items: Sequence[Item]) -> tuple[list[Item], int]:
        first: dict[UUID, Item] = {}
        for item in items:  # the same event twice in one batch: the first copy counts
            first.setdefault(item.envelope.event_id, item)
        unique = list(first.values())
        new = await self._record(conn, [i for i in unique if not isinstance(i.event, Tombstone)])
        fresh = (
            unique
            if new is None  # the usual case: every event is new
            else [item for item in unique if isinstance(item.event, Tombstone) or item.envelope.event_id in new]
        )
        for step in plan_steps(fresh):
            await self._run(conn, step)
        return fresh, len(items) - len(fresh)

    async def _record(self, conn: Connection, items: list[Item]) -> set[UUID] | None:
        """Record the events in the inbox; returns the ids that were not there yet, or None when that is all
        of them. Usually it is: one COPY records them all (in a savepoint). When the COPY meets an id
        already there (a redelivery, or another member of the group recording it meanwhile), `INSERT ...
        ON CONFLICT DO NOTHING RETURNING` records the others and names them; it waits for a concurrent
        writer of the same id to finish, so an event is applied by one consumer only. Returning every id
        costs twice the COPY (make bench)."""
        if not items:
            return None
        rows = [
            (
                self._consumer,
                i.envelope.event_id,
                i.envelope.ce_type,
                i.record.topic,
                i.record.partition,
                i.record.offset,
            )
            for i in items
        ]
        try:
            async with conn.transaction():
                await conn.copy_records_to_table("processed_events", records=rows, columns=_INBOX_COLUMNS)
            return None
        except asyncpg.UniqueViolationError:
            columns = list(zip(*rows, strict=True))
            return {r[0] for r in await conn.fetch(_INBOX_NEW, self._consumer, *map(list, columns[1:]))}

    async def _run(self, conn: Connection, step: Step[Item]) -> None:
        if step.kind is Tombstone:  # in its key's order: a profile value then its tombstone ends deleted
            for item in step.items:
                assert isinstance(item.event, Tombstone)
                await item.event.forget(conn, item.event.key)
            return
        route = self._routes[step.kind]
        if route.batch is not None:
            first = step.items[0]
            links = [Link(c) for c in (_context(i.envelope) for i in step.items[:MAX_LINKS]) if c is not None]
            with tracer.start_as_current_span(
                f"{first.record.topic} process",
                kind=trace.SpanKind.CONSUMER,
                links=links,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.batch.message_count": len(step.items),
                    "messaging.destination.name": first.record.topic,
                    "cds.event.type": first.envelope.ce_type,
                },
            ):
                await route.batch(conn, [(i.event, i.envelope) for i in step.items])
            return
        assert route.per_event is not None
        for item in step.items:
            parent = propagate.extract(_carrier(item.envelope))
            with tracer.start_as_current_span(
                f"{item.record.topic} process",
                context=parent,
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.message.id": str(item.envelope.event_id),
                    "messaging.destination.name": item.record.topic,
                    "cds.event.type": item.envelope.ce_type,
                },
            ):
                await route.per_event(conn, item.event, item.envelope)


def _carrier(envelope: Envelope) -> dict[str, str]:
    return {"traceparent": envelope.traceparent or "", "tracestate": envelope.tracestate or ""}


def _context(envelope: Envelope) -> trace.SpanContext | None:
    """The producer's span context, to link a batch's span to the traces of its events."""
    if not envelope.traceparent:
        return None
    ctx = trace.get_current_span(propagate.extract(_carrier(envelope))).get_span_context()
    return ctx if ctx.is_valid else None
