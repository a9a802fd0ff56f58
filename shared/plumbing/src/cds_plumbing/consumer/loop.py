"""The Kafka side of the idempotent consumer: fetch, apply (idempotent.py), commit explicit offsets, rewind
and back off on transient failures, resume from the database checkpoint, and report the lag.

Built on aiokafka directly rather than a FastStream subscriber: FastStream's batch parser decodes every
header as UTF-8 before the handler runs (one bad record would fail the whole batch before it could be
dead-lettered) and its ack commits "everything fetched" rather than explicit offsets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from ..metrics import CONSUMER_LAG
from ..outbox import wait_any
from .apply import Record
from .failures import is_transient

if TYPE_CHECKING:
    from .idempotent import IdempotentConsumer

log = logging.getLogger("cds_plumbing.consumer")

# Fetch sizes: a batch of thousands of records is one transaction and a few set-based statements, so
# larger fetches mean fewer round trips (ServiceSettings.consumer_* override these).
DEFAULT_FETCH: dict[str, Any] = {
    "fetch_max_wait_ms": 100,  # an idle partition answers within 0.1 s: freshness
    "max_partition_fetch_bytes": 4 * 1024 * 1024,
    "fetch_max_bytes": 64 * 1024 * 1024,
}


def kafka_consumer(
    bootstrap_servers: str, group_id: str | None, client_id: str, options: Mapping[str, Any] | None = None
) -> AIOKafkaConsumer:
    """The AIOKafkaConsumer of a consumer group (or of a rebuild, without one); `options` add or override
    aiokafka settings (fetch sizes, session and heartbeat timeouts, group_instance_id...)."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,  # offsets are committed only after the database commit
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        **(DEFAULT_FETCH | dict(options or {})),
    )


class _SeekToCheckpoint(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, start from the database checkpoint when it is ahead of Kafka's committed offset
    (the process died after the PostgreSQL commit and before the Kafka commit). On revocation, drop the
    lag of the partitions that went to another member: their new owner reports it now."""

    def __init__(self, owner: IdempotentConsumer, kafka: AIOKafkaConsumer, lag: _Lag) -> None:
        self._owner, self._kafka, self._lag = owner, kafka, lag

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._lag.forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        for tp, offset in (await self._owner.checkpoints(set(assigned))).items():
            committed = await self._kafka.committed(tp)
            if committed is None or committed < offset:
                self._kafka.seek(tp, offset)


def in_order(fetched: Mapping[TopicPartition, list[Record]]) -> list[Record]:
    """One list, partition by partition (each in offset order)."""
    return [r for tp in sorted(fetched, key=lambda t: (t.topic, t.partition)) for r in fetched[tp]]


async def run_consumer(
    consumer: IdempotentConsumer,
    bootstrap_servers: str,
    stop: asyncio.Event,
    *,
    max_records: int = 500,
    backoff_s: float = 0.5,
    max_backoff_s: float = 30.0,
    topic_prefix: str = "",
    kafka_options: Mapping[str, Any] | None = None,
) -> None:
    """Fetch, apply and commit until `stop` is set. Transient failures rewind the batch and back off
    (doubling from `backoff_s` up to `max_backoff_s`); a set `stop` ends the wait at once."""
    # The prefix keeps a namespaced instance (tests, a staging copy) out of the real consumer group.
    kafka = kafka_consumer(bootstrap_servers, topic_prefix + consumer.name, consumer.name, kafka_options)
    lag = _Lag(consumer.name)
    kafka.subscribe([topic_prefix + t for t in consumer.topics], listener=_SeekToCheckpoint(consumer, kafka, lag))
    await kafka.start()
    backoff = backoff_s
    try:
        while not stop.is_set():
            fetched: dict[TopicPartition, list[Record]] = {}
            try:
                fetched = await kafka.getmany(timeout_ms=500, max_records=max_records)
                records = in_order(fetched)
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
