"""Idempotent, batch-transactional Kafka consumer with dead-lettering.

- idempotent.py: `IdempotentConsumer` (handlers per event with `on`, per step with `on_batch`), decoding,
  one PostgreSQL transaction per batch with the checkpoints and the dead letters;
- apply.py: the set-based apply (one inbox statement, handlers step by step) and the isolation of a
  failing event by bisecting the batch in savepoints;
- plan.py: the steps, keeping each key's order;
- loop.py: `run_consumer`, the Kafka side (fetch, explicit commits, rewind, lag);
- failures.py: which failures are retried and which dead-letter the event.
"""

from .apply import BatchHandler, Handler, Record
from .failures import FATAL_KAFKA_ERRORS, TRANSIENT_ERRORS, UndecodableRecordError, is_transient
from .idempotent import BatchHook, BatchResult, Decoded, IdempotentConsumer
from .loop import DEFAULT_FETCH, Prefetch, in_order, kafka_consumer, run_consumer, seek_back

__all__ = [
    "DEFAULT_FETCH",
    "FATAL_KAFKA_ERRORS",
    "TRANSIENT_ERRORS",
    "BatchHandler",
    "BatchHook",
    "BatchResult",
    "Decoded",
    "Handler",
    "IdempotentConsumer",
    "Prefetch",
    "Record",
    "UndecodableRecordError",
    "in_order",
    "is_transient",
    "kafka_consumer",
    "run_consumer",
    "seek_back",
]
