"""Dead-letter records: the original key, value and headers, byte for byte, plus why and where from.

Sent with a raw aiokafka producer rather than FastStream's publish, whose headers are `str`: a record
dead-lettered because its headers are not UTF-8 must still be kept exactly as it arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord

from cds_contracts import dlq_topic

from .broker import make_producer

CAUSE = "x-dlq-cause"
ERROR_TYPE = "x-dlq-error-type"
ORIGIN_TOPIC = "x-dlq-origin-topic"
ORIGIN_PARTITION = "x-dlq-origin-partition"
ORIGIN_OFFSET = "x-dlq-origin-offset"
ATTEMPT = "x-dlq-attempt"
CONSUMER = "x-dlq-consumer"
FAILED_AT = "x-dlq-failed-at"
# Set by `cds-platform dlq replay` on the copy it sends back to the origin topic: the copy is for the consumer
# group that failed the record, and every other group skips it (docs/events.md, Dead letters).
REPLAY_FOR = "x-replay-for"
REPLAY_OF = "x-replay-of"


def replayed_for_another(record: ConsumerRecord[Any, Any], consumer: str) -> bool:
    """True for a dead letter replayed for another consumer group: skip it, neither apply nor dead-letter it
    (the original already reached this consumer, which applied it or dead-lettered its own copy)."""
    targets = [bytes(v) for k, v in (record.headers or ()) if k == REPLAY_FOR]
    return bool(targets) and targets[-1] != consumer.encode()


def dead_letter_headers(
    record: ConsumerRecord[Any, Any], error: BaseException, *, consumer: str, attempt: int
) -> list[tuple[str, bytes]]:
    cause = f"{type(error).__name__}: {error}"[:4000]
    ours = [
        (CAUSE, cause),
        (ERROR_TYPE, type(error).__name__),
        (ORIGIN_TOPIC, record.topic),
        (ORIGIN_PARTITION, str(record.partition)),
        (ORIGIN_OFFSET, str(record.offset)),
        (ATTEMPT, str(attempt)),
        (CONSUMER, consumer),
        (FAILED_AT, datetime.now(UTC).isoformat()),
    ]
    original = [(k, bytes(v)) for k, v in (record.headers or ())]
    return original + [(k, v.encode()) for k, v in ours]


class DeadLetterPublisher:
    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._producer = make_producer(bootstrap_servers, f"{client_id}-dlq")

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def send(
        self, record: ConsumerRecord[Any, Any], error: BaseException, *, consumer: str, attempt: int
    ) -> None:
        """Publish and wait for the acknowledgement: the source offset is committed only after this."""
        await self._producer.send_and_wait(
            dlq_topic(record.topic),
            value=record.value,
            key=record.key,
            headers=dead_letter_headers(record, error, consumer=consumer, attempt=attempt),
        )
