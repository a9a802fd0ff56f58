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

from cds_contracts import dlq_topic

from .consumer import IdempotentConsumer
from .metrics import DLQ_PENDING
from .ops.dlq import plan_replay
from .outbox import wait_any

log = logging.getLogger(__name__)


async def watch_dead_letters(
    consumer: IdempotentConsumer, bootstrap_servers: str, stop: asyncio.Event, *, prefix: str = "", every_s: float = 60
) -> None:
    """Measure until `stop` is set; a failed measurement (broker down) keeps the last value and says why
    at DEBUG only, since the outage itself is reported elsewhere."""
    while not stop.is_set():
        for topic in consumer.topics:
            try:
                plan = await plan_replay(
                    bootstrap_servers, dlq_topic(prefix + topic), consumer=consumer.name, group_prefix=prefix
                )
            except Exception as exc:
                log.debug("%s: dead letters of %s not measured: %s", consumer.name, topic, exc)
                continue
            DLQ_PENDING.labels(consumer.name, topic).set(len(plan.to_publish))
        await wait_any(stop, timeout=every_s)
