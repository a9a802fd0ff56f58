"""Which failures are the infrastructure's (retry the whole batch) and which are the event's (dead-letter it)."""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka import errors as kafka_errors
from aiokafka.errors import KafkaError

# Failures of the infrastructure, not of the event: retry the whole batch instead of dead-lettering.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
)
# Kafka errors no retry in place can fix (credentials, permissions, settings, versions). Every other
# KafkaError (timeouts, lost connections, leader changes, a missing topic) is a broker blip: retried.
# A fatal one ends the task; the runtime's supervisor restarts it with backoff and logs why.
FATAL_KAFKA_ERRORS: tuple[type[BaseException], ...] = (
    kafka_errors.AuthenticationFailedError,
    kafka_errors.AuthenticationMethodNotSupported,
    kafka_errors.SaslAuthenticationFailed,
    kafka_errors.ClusterAuthorizationFailedError,
    kafka_errors.GroupAuthorizationFailedError,
    kafka_errors.TopicAuthorizationFailedError,
    kafka_errors.KafkaConfigurationError,
    kafka_errors.IncompatibleBrokerVersion,
    kafka_errors.UnrecognizedBrokerVersion,
    kafka_errors.UnsupportedVersionError,
)


def is_transient(exc: BaseException) -> bool:
    """An infrastructure failure, not the event's fault: retry the whole batch instead of dead-lettering."""
    if isinstance(exc, TRANSIENT_ERRORS):
        return True
    return isinstance(exc, KafkaError) and not isinstance(exc, FATAL_KAFKA_ERRORS)


class UndecodableRecordError(ValueError):
    """The record's value or headers cannot be read as an event of a registered type."""
