"""Reading dead-letter topics and replaying their records to the topic they came from.

Several consumer groups read one topic, so one bad record may be dead-lettered once per group that failed it
(and again when a batch is retried): copies that differ only in `x-dlq-consumer`, attempt and time. `dlq list`
groups the copies of one origin record. A replay sends each copy back to the origin topic *for the consumer
group that failed it*: original key, value and headers (minus the `x-dlq-*` ones) plus `x-replay-for:
<consumer>` and `x-replay-of`. Every other consumer group skips a record replayed for another one
(`cds_plumbing.deadletter.replayed_for_another`), so a group that applied the original, or is still waiting
for its own fix, is not handed the record again. The unchanged `ce_id` still lets the target's inbox skip a
copy it already applied. Copies of one record for one consumer are replayed once.

Progress of a replay is kept as a committed offset of a consumer group on the .dlq, one group per
`--consumer` selection, so running the same replay twice publishes nothing the second time. Records
replayed out of order (`--offsets`) ahead of that position are kept in the commit's metadata until the
position passes them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import dlq_topic
from cds_plumbing import deadletter as dl

from .progress import Progress

DLQ_HEADER_PREFIX = "x-dlq-"
# Headers a replay sets; an earlier replay's are dropped when a re-dead-lettered copy is replayed again.
REPLAY_HEADERS = (dl.REPLAY_FOR, dl.REPLAY_OF)
REPLAY_GROUP = "cds-dlq-replay"


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str:
        # The last one wins: a record dead-lettered again after a replay carries only the newest x-dlq-*.
        found = [v for k, v in self.headers if k == name]
        return found[-1].decode("utf-8", "replace") if found else ""

    @property
    def consumer(self) -> str:
        return self.header(dl.CONSUMER)

    @property
    def origin_topic(self) -> str:
        return self.header(dl.ORIGIN_TOPIC)

    @property
    def origin(self) -> tuple[str, str, str]:
        """The record on the origin topic this is a copy of (topic, partition, offset); without the headers,
        only itself."""
        if not self.origin_topic:
            return "", f"dlq:{self.partition}", str(self.offset)
        return self.origin_topic, self.header(dl.ORIGIN_PARTITION), self.header(dl.ORIGIN_OFFSET)

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(DLQ_HEADER_PREFIX) and k not in REPLAY_HEADERS]

    def replay_headers(self, dlq: str) -> list[tuple[str, bytes]]:
        """The original headers, addressed to the consumer that failed the record (to all without the tag)."""
        target = [(dl.REPLAY_FOR, self.consumer.encode())] if self.consumer else []
        return [*self.original_headers(), *target, (dl.REPLAY_OF, f"{dlq}/{self.partition}/{self.offset}".encode())]

    def original(self, name: str) -> str | None:
        found = [v for k, v in self.original_headers() if k == name]
        return found[-1].decode("utf-8", "replace") if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "partition": self.partition,
            "offset": self.offset,
            "key": self.key.decode("utf-8", "replace") if self.key is not None else None,
            "origin_topic": self.origin_topic,
            "origin_partition": self.header(dl.ORIGIN_PARTITION),
            "origin_offset": self.header(dl.ORIGIN_OFFSET),
            "cause": self.header(dl.CAUSE),
            "error_type": self.header(dl.ERROR_TYPE),
            "consumer": self.consumer,
            "attempt": self.header(dl.ATTEMPT),
            "failed_at": self.header(dl.FAILED_AT),
        }


def dlq_name(topic: str, prefix: str = "") -> str:
    """Accept `personnel.officer` or `personnel.officer.dlq`, with or without the deployment's prefix."""
    name = topic if topic.startswith(prefix) else prefix + topic
    return name if name.endswith(dlq_topic("")) else dlq_topic(name)


def replay_group(consumer: str | None, prefix: str = "") -> str:
    return f"{prefix}{REPLAY_GROUP}" + (f".{consumer}" if consumer else "")


async def _partitions(kafka: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    for _ in range(50):
        parts = kafka.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        await kafka._client.force_metadata_update()  # a topic created moments ago may not be known yet
        await asyncio.sleep(0.1)
    raise LookupError(f"topic {topic} does not exist")


async def _read(kafka: AIOKafkaConsumer, ranges: dict[TopicPartition, tuple[int, int]]) -> list[DeadLetter]:
    """Every record with start <= offset < end, per partition, in offset order."""
    todo = {tp: r for tp, r in ranges.items() if r[0] < r[1]}
    out: dict[TopicPartition, list[DeadLetter]] = {tp: [] for tp in ranges}
    if not todo:
        return []
    kafka.assign(list(todo))
    try:
        for tp, (start, _) in todo.items():
            kafka.seek(tp, start)
        while todo:
            batch = await kafka.getmany(*todo, timeout_ms=500)
            for tp, records in batch.items():
                end = ranges[tp][1]
                out[tp] += [
                    DeadLetter(r.partition, r.offset, r.key, r.value, tuple((k, bytes(v)) for k, v in r.headers or ()))
                    for r in records
                    if r.offset < end
                ]
            for tp in list(todo):
                if await kafka.position(tp) >= todo[tp][1]:
                    del todo[tp]
    finally:
        kafka.unsubscribe()  # a consumer kept open (the gauge's) must not go on fetching in the background
    return [d for tp in sorted(out, key=lambda t: t.partition) for d in out[tp]]


async def _bounds(kafka: AIOKafkaConsumer, topic: str) -> dict[TopicPartition, tuple[int, int]]:
    tps = await _partitions(kafka, topic)
    begin, end = await kafka.beginning_offsets(tps), await kafka.end_offsets(tps)
    return {tp: (begin[tp], end[tp]) for tp in tps}


async def list_dead_letters(bootstrap_servers: str, topic: str, limit: int = 50) -> list[DeadLetter]:
    """The `limit` most recent dead letters of `topic` (a .dlq), oldest first."""
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
    await kafka.start()
    try:
        bounds = await _bounds(kafka, topic)
        # The newest `limit` of each partition are enough to find the newest `limit` overall.
        records = await _read(kafka, {tp: (max(b, e - limit), e) for tp, (b, e) in bounds.items()})
    finally:
        await kafka.stop()
    records.sort(key=lambda d: (d.header(dl.FAILED_AT), d.partition, d.offset))
    return records[-limit:] if limit > 0 else []


@dataclass
class ReplayPlan:
    topic: str
    group: str
    to_publish: list[DeadLetter] = field(default_factory=list)
    already_replayed: list[tuple[int, int]] = field(default_factory=list)
    # Further copies of a record for a consumer already in `to_publish` (a retried batch dead-letters twice).
    same_copy: list[tuple[int, int]] = field(default_factory=list)
    targets: set[tuple[tuple[str, str, str], str]] = field(default_factory=set)
    not_found: list[tuple[int, int]] = field(default_factory=list)
    # The group's state after the replay: next offset to look at, and replayed offsets beyond it.
    commits: dict[TopicPartition, tuple[int, set[int]]] = field(default_factory=dict)


def _parse_metadata(metadata: str) -> set[int]:
    try:
        return {int(o) for o in json.loads(metadata).get("replayed", [])} if metadata else set()
    except (ValueError, AttributeError, TypeError):  # metadata someone else committed: nothing of ours
        return set()


def _metadata(replayed: set[int]) -> str:
    return json.dumps({"replayed": sorted(replayed)}) if replayed else ""


class DlqClients:
    """A consumer without a group (to read offsets and records) and an admin client (to read a replay
    group's progress). A pair started and stopped per plan cost up to 0.4 s of CPU with its reads, so the
    dead-letter gauge (dlq_watch.py) keeps one pair open across its rounds; a command uses one pair."""

    def __init__(self, bootstrap_servers: str) -> None:
        # auto_offset_reset "none": records expiring during a read raise instead of skipping to the end, which
        # would make the read look complete.
        self.kafka = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False, auto_offset_reset="none"
        )
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)

    async def start(self) -> None:
        await self.kafka.start()
        try:
            await self.admin.start()
        except BaseException:
            await self.kafka.stop()
            raise

    async def stop(self) -> None:
        try:
            await self.admin.close()
        finally:
            await self.kafka.stop()

    async def __aenter__(self) -> DlqClients:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def group_state(self, group: str, tps: list[TopicPartition]) -> dict[TopicPartition, Any]:
        return dict(await self.admin.list_consumer_group_offsets(group, partitions=tps))


def _plan_partition(
    plan: ReplayPlan,
    tp: TopicPartition,
    records: list[DeadLetter],
    position: int,
    replayed: set[int],
    consumer: str | None,
    wanted: set[int] | None,
) -> None:
    for d in records:
        mine = consumer is None or d.consumer == consumer
        if not mine or (wanted is not None and d.offset not in wanted):
            continue
        if d.offset in replayed:
            plan.already_replayed.append((tp.partition, d.offset))
        elif (d.origin, d.consumer) in plan.targets:
            plan.same_copy.append((tp.partition, d.offset))
            replayed = replayed | {d.offset}
        else:
            plan.to_publish.append(d)
            plan.targets.add((d.origin, d.consumer))
            replayed = replayed | {d.offset}
    # Move the position over everything this group has nothing more to do with.
    for d in records:
        if d.offset in replayed or (consumer is not None and d.consumer != consumer):
            position = d.offset + 1
        else:
            break
    plan.commits[tp] = (position, {o for o in replayed if o >= position})


async def plan_replay(
    kafka: str | DlqClients,
    topic: str,
    *,
    consumer: str | None = None,
    offsets: Iterable[tuple[int, int]] | None = None,
    group_prefix: str = "",
    group: str | None = None,
) -> ReplayPlan:
    """What a replay of `topic` (a .dlq) would publish, given what this group already replayed. `kafka`:
    the bootstrap servers (a pair of clients is started for this call) or started clients, left open."""
    if isinstance(kafka, str):
        async with DlqClients(kafka) as clients:
            return await plan_replay(
                clients, topic, consumer=consumer, offsets=offsets, group=group, group_prefix=group_prefix
            )
    clients = kafka
    group = group or replay_group(consumer, group_prefix)
    plan = ReplayPlan(topic, group)
    asked = None if offsets is None else list(offsets)
    wanted: dict[int, set[int]] | None = None
    if asked is not None:
        wanted = {}
        for partition, offset in asked:
            wanted.setdefault(partition, set()).add(offset)
    bounds = await _bounds(clients.kafka, topic)
    state = await clients.group_state(group, list(bounds))
    ranges: dict[TopicPartition, tuple[int, int]] = {}
    starts: dict[TopicPartition, tuple[int, set[int]]] = {}
    for tp, (begin, end) in bounds.items():
        committed = state.get(tp)
        position = max(committed.offset if committed and committed.offset >= 0 else 0, begin)
        replayed = _parse_metadata(committed.metadata) if committed else set()
        starts[tp] = (position, replayed)
        if wanted is not None:
            mine = wanted.get(tp.partition, set())
            plan.already_replayed += [(tp.partition, o) for o in mine if o < position]
            end = min(end, max(mine, default=position - 1) + 1)  # no further than the last one asked for
        ranges[tp] = (position, max(position, end))
    records = await _read(clients.kafka, ranges)
    for tp, (position, replayed) in starts.items():
        want = None if wanted is None else wanted.get(tp.partition, set())
        here = [d for d in records if d.partition == tp.partition]
        _plan_partition(plan, tp, here, position, replayed, consumer, want)
    plan.already_replayed = sorted(set(plan.already_replayed))
    missing = set(asked or ()) - {(d.partition, d.offset) for d in plan.to_publish} - set(plan.same_copy)
    plan.not_found = sorted(missing - set(plan.already_replayed))
    return plan


_COUNTED_HEADERS = (dl.CONSUMER, dl.ORIGIN_TOPIC, dl.ORIGIN_PARTITION, dl.ORIGIN_OFFSET)


@dataclass
class _Scanned:
    """One .dlq as far as it was read: the next offset per partition and the consumer's letters there."""

    since: float
    read_to: dict[TopicPartition, int] = field(default_factory=dict)
    mine: dict[TopicPartition, list[DeadLetter]] = field(default_factory=dict)


class PendingLetters:
    """What `plan_replay(...).to_publish` would count for one consumer, reading each record once.

    A .dlq keeps its letters for ever (the profile topics' for 7 days), and a replay group's position passes
    other consumers' letters only when it replays: planning afresh every minute re-read the topic's whole
    history each time. Kept per topic: how far it was read, and this consumer's letters (only the headers
    the count needs); the group's progress is read every time. A topic's scan is dropped when counting it
    fails, and done afresh every `rescan_s`, so a .dlq deleted and created again is noticed by then even
    when it has already grown past the offsets read before."""

    def __init__(self, consumer: str, group_prefix: str = "", *, rescan_s: float = 3600.0) -> None:
        self.consumer, self.group, self.rescan_s = consumer, replay_group(consumer, group_prefix), rescan_s
        self._scans: dict[str, _Scanned] = {}

    async def count(self, clients: DlqClients, topic: str) -> int:
        now = time.monotonic()
        old = self._scans.pop(topic, None)  # put back only if this count succeeds
        fresh = old is None or now - old.since > self.rescan_s
        scan = _Scanned(now) if fresh or old is None else _Scanned(old.since, dict(old.read_to), dict(old.mine))
        bounds = await _bounds(clients.kafka, topic)
        state = await clients.group_state(self.group, list(bounds))
        ranges = {}
        for tp, (begin, end) in bounds.items():
            if end < scan.read_to.get(tp, 0):  # deleted and created again, with fewer records so far
                scan.read_to[tp], scan.mine[tp] = 0, []
            ranges[tp] = (max(scan.read_to.get(tp, 0), begin), end)
        new: dict[TopicPartition, list[DeadLetter]] = {}
        for d in await _read(clients.kafka, ranges):
            if d.consumer == self.consumer:
                kept = tuple((k, v) for k, v in d.headers if k in _COUNTED_HEADERS)
                new.setdefault(TopicPartition(topic, d.partition), []).append(
                    DeadLetter(d.partition, d.offset, None, None, kept)
                )
        plan = ReplayPlan(topic, self.group)
        for tp, (begin, end) in bounds.items():
            scan.read_to[tp] = end
            letters = [*scan.mine.get(tp, []), *new.get(tp, [])]
            scan.mine[tp] = [d for d in letters if d.offset >= begin]  # the rest expired
            committed = state.get(tp)
            position = max(committed.offset if committed and committed.offset >= 0 else 0, begin)
            replayed = _parse_metadata(committed.metadata) if committed else set()
            here = [d for d in scan.mine[tp] if d.offset >= position]
            _plan_partition(plan, tp, here, position, replayed, self.consumer, None)
        self._scans[topic] = scan
        return len(plan.to_publish)


async def execute_replay(bootstrap_servers: str, plan: ReplayPlan, *, progress: Progress | None = None) -> int:
    """Publish the plan's records to their origin topics, then record the group's progress on the .dlq.

    Crashing between the two re-publishes some records on the next run: duplicates, which the consumers'
    inbox skips."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True)
    await producer.start()
    try:
        for i, d in enumerate(plan.to_publish, 1):
            if not d.origin_topic:
                raise ValueError(f"{plan.topic}[{d.partition}]@{d.offset} has no {dl.ORIGIN_TOPIC} header")
            await producer.send_and_wait(d.origin_topic, value=d.value, key=d.key, headers=d.replay_headers(plan.topic))
            if progress:
                progress.update(i)
    finally:
        await producer.stop()
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=plan.group, enable_auto_commit=False)
    await kafka.start()
    try:
        kafka.assign(list(plan.commits))
        await kafka.commit({tp: (pos, _metadata(extra)) for tp, (pos, extra) in plan.commits.items()})
    finally:
        await kafka.stop()
    return len(plan.to_publish)
