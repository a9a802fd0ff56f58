"""PendingLetters (the dead-letter gauge's incremental count) against plan_replay (what `dlq replay
--dry-run` would publish), round after round on an in-memory .dlq: letters of several consumers, copies of
one origin record, replays in order and out of order, retention, a group moved by hand, a failed read, a
topic deleted and created again. The real broker's case is in tests/integration/test_dlq_watch.py."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata

from cds_plumbing import deadletter as dl
from cds_plumbing.ops import dlq

TOPIC = "x.officer.dlq"


@dataclass(frozen=True)
class _Record:
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class FakeKafka:
    """The consumer calls the plan and the count make, on logs kept in memory."""

    partitions: int = 3
    logs: dict[int, list[_Record]] = field(default_factory=dict)
    begin: dict[int, int] = field(default_factory=dict)
    fail_next_read: bool = False
    _pos: dict[TopicPartition, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.recreate()

    def recreate(self) -> None:
        self.logs = {p: [] for p in range(self.partitions)}
        self.begin = {p: 0 for p in range(self.partitions)}

    def add(self, partition: int, consumer: str, origin: int | None) -> None:
        headers = [(dl.ORIGIN_TOPIC, b"x.officer"), (dl.ORIGIN_PARTITION, b"0")] if origin is not None else []
        headers += [(dl.ORIGIN_OFFSET, str(origin).encode())] if origin is not None else []
        headers += [(dl.CONSUMER, consumer.encode())] if consumer else []
        headers += [(dl.CAUSE, b"bad json")]
        log = self.logs[partition]
        log.append(_Record(partition, len(log), b"k", b"{}", headers))

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return set(self.logs) if topic == TOPIC else None

    async def beginning_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.begin[tp.partition] for tp in tps}

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: len(self.logs[tp.partition]) for tp in tps}

    def assign(self, tps: list[TopicPartition]) -> None:
        self._pos = {tp: 0 for tp in tps}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        assert tp in self._pos, "seek on an unassigned partition"
        self._pos[tp] = offset

    def unsubscribe(self) -> None:
        self._pos = {}

    async def getmany(self, *tps: TopicPartition, timeout_ms: int = 0) -> dict[TopicPartition, list[_Record]]:
        if self.fail_next_read:
            self.fail_next_read = False
            raise ConnectionError("broker went away mid-read")
        out = {}
        for tp in tps:
            at, log = self._pos[tp], self.logs[tp.partition]
            if chunk := log[at : at + 3]:  # a few at a time, as a fetch returns
                out[tp] = chunk
            self._pos[tp] = min(len(log), at + 3)
        return out

    async def position(self, tp: TopicPartition) -> int:
        return self._pos[tp]


@dataclass
class FakeClients:
    kafka: FakeKafka
    commits: dict[tuple[str, TopicPartition], OffsetAndMetadata] = field(default_factory=dict)

    async def group_state(self, group: str, tps: list[TopicPartition]) -> dict[TopicPartition, Any]:
        return {tp: self.commits[(group, tp)] for tp in tps if (group, tp) in self.commits}

    async def replay(self, consumer: str, offsets: list[tuple[int, int]] | None = None) -> None:
        """What execute_replay records for the group (publishing is not the count's business)."""
        plan = await dlq.plan_replay(self, TOPIC, consumer=consumer, offsets=offsets)  # type: ignore[arg-type]
        for tp, (position, extra) in plan.commits.items():
            self.commits[(plan.group, tp)] = OffsetAndMetadata(position, dlq._metadata(extra))


async def _planned(clients: FakeClients, consumer: str) -> int:
    return len((await dlq.plan_replay(clients, TOPIC, consumer=consumer)).to_publish)  # type: ignore[arg-type]


async def _rounds(seed: int) -> None:
    rng = random.Random(seed)
    kafka = FakeKafka()
    clients = FakeClients(kafka)
    pending = dlq.PendingLetters("A")
    for round_ in range(40):
        for _ in range(rng.randint(0, 5)):
            kafka.add(rng.randrange(3), rng.choice(["A", "A", "B", "", "A"]), rng.choice([None, *range(6)]))
        action = rng.random()
        if action < 0.15:
            await clients.replay("A")
        elif action < 0.3:  # `dlq replay --offsets`: out of order, kept in the commit's metadata
            chosen = [(p, o) for p in range(3) for o in range(len(kafka.logs[p])) if rng.random() < 0.2]
            await clients.replay("A", chosen)
        elif action < 0.38:  # retention deletes the oldest records
            p = rng.randrange(3)
            kafka.begin[p] = min(len(kafka.logs[p]), kafka.begin[p] + rng.randint(1, 4))
        elif action < 0.42:  # an operator moves the group by hand (dismissing letters, or back)
            p = rng.randrange(3)
            where = OffsetAndMetadata(rng.randint(0, len(kafka.logs[p])), "")
            clients.commits[("cds-dlq-replay.A", TopicPartition(TOPIC, p))] = where
        elif action < 0.46:
            kafka.fail_next_read = True
        try:
            counted = await pending.count(clients, TOPIC)  # type: ignore[arg-type]
        except ConnectionError:
            continue  # the gauge keeps its value; the next round must still be right
        finally:
            kafka.fail_next_read = False  # (a round with nothing new to read does not read at all)
        assert counted == await _planned(clients, "A"), f"seed {seed}, round {round_}"


def test_the_count_is_what_a_replay_would_publish_round_after_round() -> None:
    async def many() -> None:
        for seed in range(150):
            await _rounds(seed)

    asyncio.run(many())


def test_a_topic_deleted_and_created_again_is_counted_afresh() -> None:
    async def scenario() -> None:
        kafka = FakeKafka()
        clients = FakeClients(kafka)
        pending = dlq.PendingLetters("A", rescan_s=3600)
        for origin in range(3):
            kafka.add(0, "A", origin)
        assert await pending.count(clients, TOPIC) == 3  # type: ignore[arg-type]
        kafka.recreate()  # with fewer records than were read: seen at once
        kafka.add(0, "B", 1)
        assert await pending.count(clients, TOPIC) == 0  # type: ignore[arg-type]
        for origin in range(3):
            kafka.add(0, "A", origin)
        assert await pending.count(clients, TOPIC) == 3  # type: ignore[arg-type]
        # Created again and already grown past what was read before: seen at the next full scan.
        kafka.recreate()
        for origin in range(6):
            kafka.add(0, "B", origin)
        pending.rescan_s = 0
        assert await pending.count(clients, TOPIC) == 0  # type: ignore[arg-type]

    asyncio.run(scenario())
