"""Reading topics in tests, straight from the broker."""

from __future__ import annotations

import asyncio

from aiokafka import ConsumerRecord, TopicPartition

from cds_plumbing.consumer import kafka_consumer


async def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout_s: float = 60.0, settle_s: float = 1.5
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning until `expect` records arrived, then a little longer to catch extras."""
    consumer = kafka_consumer(bootstrap, None, "tests-read-topic")  # no group, from the earliest offset
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        for _ in range(50):
            if parts:
                break
            await asyncio.sleep(0.1)
            await consumer._client.force_metadata_update()  # new topic: refresh once
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[ConsumerRecord[bytes, bytes]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        settle_until: float | None = None
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                out.extend(recs)
            if len(out) >= expect:
                settle_until = settle_until or loop.time() + settle_s
                if loop.time() >= settle_until:
                    break
        return out
    finally:
        await consumer.stop()
