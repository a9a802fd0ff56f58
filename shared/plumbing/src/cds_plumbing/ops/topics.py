"""`topics verify`: every declared topic and its .dlq exists with the declared number of partitions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import TopicSpec


async def _problems(bootstrap_servers: str, expected: list[TopicSpec]) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        present = [s.name for s in expected if s.name in existing]
        described = await admin.describe_topics(present) if present else []
    finally:
        await admin.close()
    partitions = {t["topic"]: len(t["partitions"]) for t in described}
    problems = []
    for spec in expected:
        if spec.name not in existing:
            problems.append(f"{spec.name}: missing")
        elif partitions.get(spec.name) != spec.partitions:
            problems.append(f"{spec.name}: {partitions.get(spec.name)} partition(s), expected {spec.partitions}")
    return problems


async def verify_topics(bootstrap_servers: str, specs: Iterable[TopicSpec], settle_s: float = 5.0) -> list[str]:
    """One line per problem (missing topic, wrong partition count); empty when everything is as declared.

    Problems are reported only if they persist for `settle_s`: a topic created a moment ago (say by
    `create-topics` just before) takes up to a second or so to appear in the broker's metadata."""
    expected = list(specs)
    deadline = time.monotonic() + settle_s
    while True:
        problems = await _problems(bootstrap_servers, expected)
        if not problems or time.monotonic() >= deadline:
            return problems
        await asyncio.sleep(0.5)
