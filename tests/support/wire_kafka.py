"""Reading the stack's topics with librdkafka (confluent-kafka), a client the platform does not use."""

from __future__ import annotations

import uuid
from typing import TypeAlias

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka._types import HeadersType

from cds_contracts import all_topics

from .wire import Record

Offsets: TypeAlias = dict[tuple[str, int], int]


def _consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"conformance-{uuid.uuid4().hex[:8]}",  # partitions are assigned; nothing is committed
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )


def _watermarks(consumer: Consumer, topics: list[str]) -> dict[tuple[str, int], tuple[int, int]]:
    metadata = consumer.list_topics(timeout=10)
    return {
        (topic, p): consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        for topic in topics
        for p in metadata.topics[topic].partitions
    }


def end_offsets(bootstrap: str) -> Offsets | None:
    """Where every declared topic ends now; None when the broker does not answer (no stack running)."""
    consumer = _consumer(bootstrap)
    try:
        return {tp: high for tp, (_, high) in _watermarks(consumer, [t.name for t in all_topics()]).items()}
    except KafkaException:
        return None
    finally:
        consumer.close()


def _headers(raw: HeadersType | None) -> tuple[tuple[str, bytes], ...]:
    """As consumed (a consumer yields a list, in order, repeats kept); a null header value as empty bytes."""
    items = raw.items() if isinstance(raw, dict) else raw or []
    return tuple((k, v.encode() if isinstance(v, str) else v or b"") for k, v in items)


def read_since(bootstrap: str, topics: list[str], since: Offsets | None) -> list[Record]:
    """Every record of `topics` from `since` (the start of this test session) to the end now. When nothing was
    produced since then (the test runs on its own), every record on the topics."""
    consumer = _consumer(bootstrap)
    try:
        marks = _watermarks(consumer, topics)
        start = {tp: max(low, (since or {}).get(tp, 0)) for tp, (low, _) in marks.items()}
        if all(start[tp] >= high for tp, (_, high) in marks.items()):
            start = {tp: low for tp, (low, _) in marks.items()}
        ends = {tp: high for tp, (_, high) in marks.items() if high > start[tp]}
        consumer.assign([TopicPartition(t, p, start[(t, p)]) for t, p in ends])
        out: list[Record] = []
        while ends:
            for m in consumer.consume(num_messages=5000, timeout=2.0):
                error = m.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        raise KafkaException(error)
                    continue
                topic, partition, offset = m.topic(), m.partition(), m.offset()
                assert topic is not None and partition is not None and offset is not None
                out.append(Record(topic, partition, offset, m.key(), m.value(), _headers(m.headers())))
                if offset + 1 >= ends.get((topic, partition), 0):
                    ends.pop((topic, partition), None)
        return out
    finally:
        consumer.close()
