"""Reading ahead never skips a record: what was read ahead is handed back when the batch before it fails
(or the loop stops), and the rewind seeks every partition it touched back to its first record."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition

from cds_plumbing.consumer.loop import Prefetch, seek_back

A, B, C = (TopicPartition("t", p) for p in range(3))


@dataclass(frozen=True)
class Rec:
    topic: str
    partition: int
    offset: int


def recs(tp: TopicPartition, *offsets: int) -> list[Any]:
    return [Rec(tp.topic, tp.partition, o) for o in offsets]


class FakeKafka:
    def __init__(self, batches: list[dict[TopicPartition, list[Any]]], owned: set[TopicPartition]) -> None:
        self.batches, self.owned = list(batches), owned
        self.sought: dict[TopicPartition, int] = {}

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Any]]:
        return self.batches.pop(0) if self.batches else {}

    def assignment(self) -> set[TopicPartition]:
        return self.owned

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.sought[tp] = offset


class Decoder:
    """Decodes the first batch at once and the next ones slowly, so one can be caught half-decoded."""

    def __init__(self) -> None:
        self.calls = 0
        self.slow = asyncio.Event()

    async def decode_batch_async(self, records: list[Any]) -> list[Any]:
        self.calls += 1
        if self.calls > 1:
            self.slow.set()
            await asyncio.sleep(10)
        return records


def test_seek_back_goes_to_the_first_record_of_every_owned_partition_in_the_batches() -> None:
    kafka = FakeKafka([], {A, B})
    seek_back(kafka, {A: recs(A, 12), B: recs(B, 5, 6)}, {A: recs(A, 10, 11), C: recs(C, 3)})
    assert kafka.sought == {A: 10, B: 5}, "C is another member's now"


async def test_what_was_read_ahead_is_handed_back_even_half_decoded() -> None:
    kafka = FakeKafka([{A: recs(A, 0, 1)}, {B: recs(B, 7)}], {A, B})
    decoder = Decoder()
    prefetch = Prefetch(kafka, decoder, 5)  # type: ignore[arg-type]
    fetched, decoded = await prefetch.next()
    assert fetched == {A: recs(A, 0, 1)} and decoded == recs(A, 0, 1)  # type: ignore[comparison-overlap]
    await decoder.slow.wait()  # the next batch is fetched and being decoded while this one is applied
    ahead = await prefetch.discard()  # the batch failed: what was read ahead comes back to be read again
    assert ahead == {B: recs(B, 7)}
    assert await prefetch.discard() == {}, "only once"
