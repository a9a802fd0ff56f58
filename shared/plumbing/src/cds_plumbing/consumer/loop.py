"""The Kafka side of the idempotent consumer: fetch, apply (idempotent.py), commit explicit offsets, rewind
and back off on transient failures, resume from the database checkpoint, and report the lag.

Built on aiokafka directly rather than a FastStream subscriber: FastStream's batch parser decodes every
header as UTF-8 before the handler runs (one bad record would fail the whole batch before it could be
dead-lettered) and its ack commits "everything fetched" rather than explicit offsets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from ..membership import Membership
from ..metrics import CONSUMER_LAG
from ..outbox import wait_any
from .apply import Record
from .failures import is_transient

if TYPE_CHECKING:
    from .idempotent import Decoded, IdempotentConsumer

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
    aiokafka settings (fetch sizes, session and heartbeat timeouts, group_instance_id...). 'earliest' also
    for a reader without a group that seeks to the beginning: right after assign(), aiokafka 0.14 can apply
    an in-flight reset to the default 'latest' over seek_to_beginning, and the read starts at the end."""
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
    lag of the partitions that went to another member: their new owner reports it now. Either way, note
    the rebalance: a batch fetched before it is not applied (positions may have moved)."""

    def __init__(self, owner: IdempotentConsumer, kafka: AIOKafkaConsumer, lag: _Lag) -> None:
        self._owner, self._kafka, self._lag = owner, kafka, lag
        self.rebalanced = False

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.rebalanced = True
        self._lag.forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.rebalanced = True
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


def in_order(fetched: Mapping[TopicPartition, list[Record]]) -> list[Record]:
    """One list, partition by partition (each in offset order)."""
    return [r for tp in sorted(fetched, key=lambda t: (t.topic, t.partition)) for r in fetched[tp]]


Fetched = dict[TopicPartition, list[Record]]


class Prefetch:
    """Fetches and decodes the next batch while the current one is applied: the consumer's own work
    (parsing, validating, in slices) runs while PostgreSQL executes the batch's statements, instead of
    the two taking turns. At most one batch is read ahead; `discard` hands its records back so that
    the caller can seek to them again (nothing read ahead is ever skipped)."""

    def __init__(self, kafka: AIOKafkaConsumer, consumer: IdempotentConsumer, max_records: int) -> None:
        self._kafka, self._consumer, self._max_records = kafka, consumer, max_records
        self._task: asyncio.Task[tuple[Fetched, Decoded]] | None = None
        self._ahead: Fetched = {}  # the records read ahead, known before they are decoded

    async def _fetch(self) -> tuple[Fetched, Decoded]:
        fetched = await self._kafka.getmany(timeout_ms=500, max_records=self._max_records)
        self._ahead = fetched
        return fetched, await self._consumer.decode_batch_async(in_order(fetched))

    async def next(self) -> tuple[Fetched, Decoded]:
        """The batch read ahead (or a new one), and starts reading the one after it."""
        task, self._task = self._task or asyncio.create_task(self._fetch()), None
        batch = await task
        self._ahead = {}  # the caller's now
        self._task = asyncio.create_task(self._fetch())
        return batch

    async def discard(self) -> Fetched:
        """Stop reading ahead; returns what had been read (seek back to it, or it is skipped)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        ahead, self._ahead = self._ahead, {}
        return ahead


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
    membership: Membership | None = None,  # how it joins its group (membership.py); default: dynamic member
) -> None:
    """Fetch, apply and commit until `stop` is set. Transient failures rewind the batch and back off
    (doubling from `backoff_s` up to `max_backoff_s`); a set `stop` ends the wait at once."""
    options = (membership or Membership()).consumer_settings(consumer.name) | dict(kafka_options or {})
    # The prefix keeps a namespaced instance (tests, a staging copy) out of the real consumer group.
    kafka = kafka_consumer(bootstrap_servers, topic_prefix + consumer.name, consumer.name, options)
    lag = _Lag(consumer.name)
    listener = _SeekToCheckpoint(consumer, kafka, lag)
    kafka.subscribe([topic_prefix + t for t in consumer.topics], listener=listener)
    await kafka.start()
    prefetch = Prefetch(kafka, consumer, max_records)
    backoff = backoff_s
    try:
        while not stop.is_set():
            fetched: Fetched = {}
            try:
                fetched, decoded = await prefetch.next()
                stale, listener.rebalanced = listener.rebalanced, False  # since this batch was read
                if stale:  # read before a rebalance: fetch again from the positions it set
                    _rewind(kafka, consumer, fetched, await prefetch.discard(), failed=False)
                    continue
                if fetched:
                    result = await consumer.apply_decoded(decoded)
                    await _commit(kafka, result.next_offsets, consumer.name)
                backoff = backoff_s
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning(
                    "%s: batch failed (%s: %s); retrying in %.1fs", consumer.name, type(exc).__name__, exc, backoff
                )
                _rewind(kafka, consumer, fetched, await prefetch.discard())
                await lag.measure(kafka)
                await wait_any(stop, timeout=backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            await lag.measure(kafka)  # every pass: idle, busy or after a rebalance
    finally:
        await prefetch.discard()
        lag.forget(lag.reported)  # a stopped consumer owns no partitions
        await kafka.stop()


def _rewind(
    kafka: AIOKafkaConsumer, consumer: IdempotentConsumer, fetched: Fetched, ahead: Fetched, *, failed: bool = True
) -> None:
    """Fetch the batch, and what was read ahead of it, again on the next pass (partitions lost meanwhile
    are their new owner's)."""
    if failed:
        consumer.note_failed_batch([r for recs in fetched.values() for r in recs])
    seek_back(kafka, ahead, fetched)


def seek_back(kafka: AIOKafkaConsumer, *batches: Fetched) -> None:
    """Seek each owned partition to the first record of `batches` it had, to read them again."""
    owned = kafka.assignment()
    first: dict[TopicPartition, int] = {}
    for batch in batches:
        for tp, recs in batch.items():
            if recs and tp in owned:
                first[tp] = min(first.get(tp, recs[0].offset), recs[0].offset)
    for tp, offset in first.items():
        kafka.seek(tp, offset)


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
