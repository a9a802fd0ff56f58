"""Broker readiness and explicit topic creation from the contracts package's declaration."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from cds_contracts import TopicSpec


async def wait_for_kafka(bootstrap_servers: str, timeout_s: float = 60.0) -> int:
    """Wait until a metadata request answers; returns the number of brokers seen."""
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            return len(cluster["brokers"])
        except (KafkaError, OSError) as exc:
            last = exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
    raise TimeoutError(f"Kafka at {bootstrap_servers} did not answer within {timeout_s:.0f}s: {last}")


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[TopicSpec], replication_factor: int = 1
) -> tuple[list[str], list[str]]:
    """Create missing topics; returns (created, already_present)."""
    specs = list(topics)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        new = [NewTopic(s.name, s.partitions, replication_factor, topic_configs=s.config) for s in missing]
        created = [s.name for s in missing]
        if new:
            try:
                await admin.create_topics(new)  # one request for all
            except TopicAlreadyExistsError:  # another process created some meanwhile: go one by one
                created = []
                for topic in new:
                    with contextlib.suppress(TopicAlreadyExistsError):
                        await admin.create_topics([topic])
                        created.append(topic.name)
        return created, [s.name for s in specs if s.name in existing]
    finally:
        await admin.close()
