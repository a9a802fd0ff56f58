"""A consumer in its own process, so a test can SIGKILL it mid-batch.

usage: consumer_proc.py DSN BOOTSTRAP TOPIC GROUP MAX_RECORDS DELAY_MS
Run with PYTHONPATH=<repository root> (for tests.support). Prints "applied <counter_id> <seq>"
(flushed) from inside the open batch transaction for each event it applies.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer, run_consumer
from cds_plumbing.db import Connection, create_pool
from cds_plumbing.deadletter import DeadLetterPublisher
from tests.support.events import CounterIncremented, on_counter_incremented, register_test_events


async def main(dsn: str, bootstrap: str, topic: str, group: str, max_records: int, delay_ms: int) -> None:
    registry = register_test_events(Registry(), TopicSpec(topic))
    consumer = IdempotentConsumer(group, registry=registry)

    @consumer.on(CounterIncremented)
    async def on_counter_incremented_slowly(conn: Connection, event: CounterIncremented, env: Envelope) -> None:
        await on_counter_incremented(conn, event, env)
        print(f"applied {event.counter_id} {event.seq}", flush=True)
        await asyncio.sleep(delay_ms / 1000)

    pool = await create_pool(dsn)
    dlq = DeadLetterPublisher(bootstrap, group)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("started", flush=True)
    await run_consumer(consumer, bootstrap, stop, max_records=max_records)
    await dlq.stop()
    await pool.close()


if __name__ == "__main__":
    dsn, bootstrap, topic, group, max_records, delay = sys.argv[1:7]
    asyncio.run(main(dsn, bootstrap, topic, group, int(max_records), int(delay)))
