"""cds_dlq_pending: dead letters a consumer left on `<topic>.dlq` that no `dlq replay` has handled yet.

The .dlq topics keep their records for ever, so "the DLQ is not empty" would be true for good after the
first dead letter. What an operator must act on is the letters still waiting: those past the replay
progress of `cds-dlq-replay.<consumer>` (ops/dlq.py), which is exactly what `dlq replay --dry-run`
would publish. Each service measures it for its own consumers every minute; the alert rule
DeadLettersWaiting (deploy/alerts.yml) fires while it is above 0. Letters an operator decides not to
replay are dismissed by moving that group's offset past them (deploy/README.md, Dead-letter topics).
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka.errors import KafkaError

from cds_contracts import dlq_topic

from .consumer import IdempotentConsumer
from .metrics import DLQ_PENDING
from .ops.dlq import DlqClients, PendingLetters
from .outbox import wait_any

log = logging.getLogger(__name__)

MEASURE_TIMEOUT_S = 30.0  # a read that cannot finish (a topic vanishing under it) must not stall the gauge


async def watch_dead_letters(
    consumer: IdempotentConsumer, bootstrap_servers: str, stop: asyncio.Event, *, prefix: str = "", every_s: float = 60
) -> None:
    """Measure until `stop` is set. A failed measurement keeps the last value; Kafka being unreachable is
    said at DEBUG only (the service's own consumers and producer report the outage), anything else as a
    WARNING.

    Each round reads only the letters that arrived since the last (PendingLetters), with one pair of Kafka
    clients kept open (started afresh after a failed round). Planning a replay afresh per topic and round
    cost 0.1-0.4 s of CPU each (new clients, and the topic's whole history re-read), in a burst every
    minute in every service at once: latency spikes of the HTTP APIs sharing the machine (make bench,
    2026-12-05)."""
    clients: DlqClients | None = None
    pending = PendingLetters(consumer.name, prefix)
    try:
        while not stop.is_set():
            try:
                clients = clients or await _started(bootstrap_servers)
            except (KafkaError, OSError) as exc:  # Kafka unreachable: reported by the service's own clients
                log.debug("%s: dead letters not measured: %s", consumer.name, exc)
            else:
                if not await _measure(consumer, clients, pending, prefix):
                    await _discard(clients)
                    clients = None
            await wait_any(stop, timeout=every_s)
    finally:
        await _discard(clients)


async def _started(bootstrap_servers: str) -> DlqClients:
    clients = DlqClients(bootstrap_servers)
    await clients.start()
    return clients


async def _measure(consumer: IdempotentConsumer, clients: DlqClients, pending: PendingLetters, prefix: str) -> bool:
    """Set the gauge of each topic; False when one could not be measured (its gauge keeps its value)."""
    measured = True
    for topic in consumer.topics:
        try:
            async with asyncio.timeout(MEASURE_TIMEOUT_S):
                count = await pending.count(clients, dlq_topic(prefix + topic))
        except (KafkaError, OSError, LookupError, TimeoutError) as exc:
            # Kafka unreachable, or the topic missing or expiring under the read: the outage is reported
            # by the service's own consumers and producer; the gauge keeps its value and tries again.
            log.debug("%s: dead letters of %s not measured: %s", consumer.name, topic, exc)
            measured = False
        except Exception:
            log.warning("%s: dead letters of %s not measured", consumer.name, topic, exc_info=True)
            measured = False
        else:
            DLQ_PENDING.labels(consumer.name, topic).set(count)
    return measured


async def _discard(clients: DlqClients | None) -> None:
    if clients is not None:
        try:
            await clients.stop()
        except Exception as exc:  # a pair that failed may not stop cleanly either; it is dropped all the same
            log.debug("dead-letter gauge's Kafka clients not stopped cleanly: %s", exc)
