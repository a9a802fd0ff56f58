"""An outbox relay in its own process that SIGKILLs itself after Kafka acknowledged its first batch and
before it marked the rows published: the crash window the outbox design must survive.

usage: relay_proc.py DSN BOOTSTRAP BATCH_SIZE
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

import asyncpg

from cds_plumbing.broker import make_producer
from cds_plumbing.db import create_pool
from cds_plumbing.outbox import OutboxRelay


async def die(rows: Sequence[asyncpg.Record]) -> None:
    print(f"published {len(rows)}; dying before the mark", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


async def main(dsn: str, bootstrap: str, batch_size: int) -> None:
    pool = await create_pool(dsn)
    producer = make_producer(bootstrap, "relay-proc")
    await producer.start()
    await OutboxRelay(pool, producer, batch_size=batch_size, after_publish=die).publish_pending()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
