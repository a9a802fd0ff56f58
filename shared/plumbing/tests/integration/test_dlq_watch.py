"""cds_dlq_pending on the real broker: a dead letter of this consumer counts until `dlq replay` handled it;
another consumer's dead letter on the same .dlq does not count for this one."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.dlq_watch import watch_dead_letters
from cds_plumbing.ops.dlq import execute_replay, plan_replay
from tests.support.events import TEST_EVENT_TYPE, CounterIncremented, on_counter_incremented
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration


async def _measure(consumer: IdempotentConsumer, bootstrap: str, topic: str) -> float | None:
    stop = asyncio.Event()
    task = asyncio.create_task(watch_dead_letters(consumer, bootstrap, stop, every_s=60))
    await asyncio.sleep(0)  # one pass, then stop ends the wait
    stop.set()
    await task
    return REGISTRY.get_sample_value("cds_dlq_pending", {"consumer": consumer.name, "topic": topic})


async def test_dead_letters_count_until_replayed(bootstrap: str, topic: TopicSpec, registry: Registry) -> None:
    consumer = IdempotentConsumer(f"watch-{topic.name[-6:]}", registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    headers = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject="c").to_headers()
    await producer.send_and_wait(topic.name, b"{not json", key=b"c", headers=headers)
    await producer.stop()
    [record] = await read_topic(bootstrap, topic.name, expect=1)

    assert await _measure(consumer, bootstrap, topic.name) == 0
    letters = DeadLetterPublisher(bootstrap, "watch-test")
    await letters.start()
    await letters.send(record, ValueError("bad json"), consumer=consumer.name, attempt=1)
    await letters.send(record, ValueError("bad json"), consumer="someone-else", attempt=1)
    await letters.stop()
    assert await _measure(consumer, bootstrap, topic.name) == 1

    plan = await plan_replay(bootstrap, topic.dlq.name, consumer=consumer.name)
    assert len(plan.to_publish) == 1
    await execute_replay(bootstrap, plan)
    assert await _measure(consumer, bootstrap, topic.name) == 0


async def _gauge_becomes(consumer: IdempotentConsumer, topic: str, value: float, timeout_s: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while (seen := REGISTRY.get_sample_value("cds_dlq_pending", {"consumer": consumer.name, "topic": topic})) != value:
        assert loop.time() < deadline, f"cds_dlq_pending stayed {seen}, expected {value}"
        await asyncio.sleep(0.1)


async def test_one_watcher_follows_letters_and_replays_across_rounds(
    bootstrap: str, topic: TopicSpec, registry: Registry
) -> None:
    """The gauge reads only the letters new since its last round: letters arriving later, another
    consumer's, a replay (which moves the group's progress, not the letters) and a copy of a record already
    counted must all still be counted as plan_replay would."""
    consumer = IdempotentConsumer(f"watch2-{topic.name[-6:]}", registry=registry)
    consumer.on(CounterIncremented)(on_counter_incremented)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    headers = Envelope(type=TEST_EVENT_TYPE, version=1, source="/t", subject="c").to_headers()
    for body in (b"{bad one", b"{bad two"):
        await producer.send_and_wait(topic.name, body, key=b"c", headers=headers)
    await producer.stop()
    first, second = await read_topic(bootstrap, topic.name, expect=2)
    letters = DeadLetterPublisher(bootstrap, "watch-test")
    await letters.start()
    stop = asyncio.Event()
    task = asyncio.create_task(watch_dead_letters(consumer, bootstrap, stop, every_s=0.2))
    try:
        await _gauge_becomes(consumer, topic.name, 0)
        await letters.send(first, ValueError("bad json"), consumer=consumer.name, attempt=1)
        await letters.send(first, ValueError("bad json"), consumer="someone-else", attempt=1)
        await _gauge_becomes(consumer, topic.name, 1)
        await letters.send(first, ValueError("bad json"), consumer=consumer.name, attempt=2)  # a retried batch
        await letters.send(second, ValueError("bad json"), consumer=consumer.name, attempt=1)
        await _gauge_becomes(consumer, topic.name, 2)
        plan = await plan_replay(bootstrap, topic.dlq.name, consumer=consumer.name)
        assert len(plan.to_publish) == 2
        await execute_replay(bootstrap, plan)
        await _gauge_becomes(consumer, topic.name, 0)
        await letters.send(second, ValueError("bad again"), consumer=consumer.name, attempt=1)
        await _gauge_becomes(consumer, topic.name, 1)
        assert len((await plan_replay(bootstrap, topic.dlq.name, consumer=consumer.name)).to_publish) == 1
    finally:
        stop.set()
        await task
        await letters.stop()
