"""The bench's own topics (every declared topic under a prefix of its own) and writing events onto them
the way the outbox relay does: CloudEvents headers, value = the event's JSON, key = the aggregate id."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import REGISTRY, Envelope, TopicSpec, all_topics
from cds_plumbing.kafka_admin import ensure_topics

from .synth import Emitted

PREFIX_ROOT = "bench"  # every bench topic name starts with it; `make bench` deletes them at start and end
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


async def create(bootstrap: str, prefix: str) -> None:
    await ensure_topics(bootstrap, [TopicSpec(prefix + t.name, t.partitions, t.config) for t in all_topics()])


async def delete_all(bootstrap: str) -> int:
    """Delete every topic a bench run made (their names start with PREFIX_ROOT)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(PREFIX_ROOT)]
        if ours:
            await admin.delete_topics(ours)
        return len(ours)
    finally:
        await admin.close()


async def partitions(kafka: AIOKafkaConsumer, names: list[str]) -> list[TopicPartition]:
    """Every partition of `names` (asking the broker: a consumer knows only topics it subscribed to)."""
    await kafka._client.force_metadata_update()
    return [TopicPartition(t, p) for t in names for p in sorted(kafka.partitions_for_topic(t) or ())]


def reporting_topics(prefix: str) -> list[str]:
    """The topics reporting's projections read, under `prefix`."""
    from reporting.entrypoints.cli.rebuild import DEFAULT_TOPICS

    return [prefix + t for t in DEFAULT_TOPICS]


@dataclass(frozen=True)
class Serialized:
    """An event ready to be written: its (unprefixed) topic, key and JSON value, type and source."""

    topic: str
    subject: str
    value: bytes
    type: str
    version: int
    source: str


def serialize(emitted: Iterable[Emitted]) -> list[Serialized]:
    out = []
    for source, event in emitted:
        spec = REGISTRY.spec_for(type(event))
        subject = str(getattr(event, spec.key_field))
        out.append(
            Serialized(spec.topic.name, subject, event.model_dump_json().encode(), spec.type, spec.version, source)
        )
    return out


async def produce(
    bootstrap: str, prefix: str, records: Iterable[Serialized], rename: tuple[str, str] | None = None
) -> Counter[str]:
    """Write every record under `prefix`, with `rename` = (old, new) replacing the data set's code prefix
    in keys and values (another province of the same shape); returns the count per (unprefixed) topic.
    Each record gets a new event id; event times advance 1 ms per record."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=1024 * 1024, acks=1, request_timeout_ms=120_000
    )
    await producer.start()
    counts: Counter[str] = Counter()
    pending = []
    old, new = (rename[0], rename[1]) if rename else ("", "")
    try:
        for n, r in enumerate(records):
            subject, value = (
                (r.subject.replace(old, new), r.value.replace(old.encode(), new.encode()))
                if old
                else (r.subject, r.value)
            )
            envelope = Envelope(
                type=r.type,
                version=r.version,
                source=r.source,
                subject=subject,
                actor="bench",
                correlation_id=uuid.uuid4(),
                occurred_at=START + dt.timedelta(milliseconds=n),
                traceparent=f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
            )
            pending.append(
                await producer.send(prefix + r.topic, value, key=subject.encode(), headers=envelope.to_headers())
            )
            counts[r.topic] += 1
            if len(pending) >= 20_000:
                for future in pending:
                    await future
                pending.clear()
        for future in pending:
            await future
    finally:
        await producer.stop()
    return counts
