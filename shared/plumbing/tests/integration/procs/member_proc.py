"""A consumer replica in its own process, run the way the services run theirs: static group membership
under INSTANCE, behind the instance lock, with the runtime's session settings. Each applied event is
logged in `applied_log` with the instance and the pid, so a test can tell who owned which key when.

usage: member_proc.py DSN BOOTSTRAP TOPIC GROUP INSTANCE
Prints "started" (flushed) once it is about to wait for the instance lock; exits 0 after SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from cds_contracts import Envelope, Registry, TopicSpec
from cds_plumbing.consumer import IdempotentConsumer, run_consumer
from cds_plumbing.db import Connection, create_pool
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.membership import InstanceLock, Membership, run_as_instance
from cds_plumbing.settings import ServiceSettings
from tests.support.events import CounterIncremented, on_counter_incremented, register_test_events


async def main(dsn: str, bootstrap: str, topic: str, group: str, instance: str) -> None:
    registry = register_test_events(Registry(), TopicSpec(topic))
    consumer = IdempotentConsumer(group, registry=registry)

    @consumer.on(CounterIncremented)
    async def on_counter_incremented_logged(conn: Connection, event: CounterIncremented, env: Envelope) -> None:
        await on_counter_incremented(conn, event, env)
        await conn.execute(
            "INSERT INTO applied_log (instance, pid, counter_id, seq) VALUES ($1, $2, $3, $4)",
            instance,
            os.getpid(),
            event.counter_id,
            event.seq,
        )

    defaults = ServiceSettings(service_name="member-proc")  # the services' session and heartbeat
    membership = Membership(instance, defaults.consumer_session_timeout_ms, defaults.consumer_heartbeat_interval_ms)
    pool = await create_pool(dsn)
    dlq = DeadLetterPublisher(bootstrap, group)
    await dlq.start()
    consumer.bind(pool, dlq)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    name = membership.group_instance_id(group)
    assert name is not None
    print("started", flush=True)
    await run_as_instance(
        InstanceLock(dsn, name), stop, lambda: run_consumer(consumer, bootstrap, stop, membership=membership)
    )
    await dlq.stop()
    await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(message)s")
    asyncio.run(main(*sys.argv[1:6]))
