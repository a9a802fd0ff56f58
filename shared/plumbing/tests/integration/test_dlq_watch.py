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
