"""Which exceptions are outages (a 503) and which are not (a 500), with the drivers' own errors: a refused
connection from asyncpg and aiokafka, PostgreSQL's "not accepting connections" answers, wrapped causes;
and the failure-streak logging of the relay: one warning per outage, not one per retry."""

from __future__ import annotations

import logging

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from cds_plumbing.outages import Dependency, FailureStreak, classify, describe
from cds_plumbing.outbox import UnacknowledgedError


async def test_a_refused_database_connection_is_a_database_outage() -> None:
    with pytest.raises(OSError) as refused:
        await asyncpg.connect("postgresql://nobody@127.0.0.1:1/none", timeout=2)
    assert classify(refused.value) is Dependency.DATABASE
    assert describe(refused.value).startswith(type(refused.value).__name__)


async def test_a_refused_broker_connection_is_a_kafka_outage() -> None:
    producer = AIOKafkaProducer(bootstrap_servers="127.0.0.1:1", request_timeout_ms=1000)
    with pytest.raises(KafkaConnectionError) as refused:
        await producer.start()
    await producer.stop()
    assert classify(refused.value) is Dependency.KAFKA


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.CannotConnectNowError("the database system is not yet accepting connections"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection has been released back to the pool"),
    ],
)
def test_postgresql_refusing_or_dropping_us_is_a_database_outage(error: Exception) -> None:
    assert classify(error) is Dependency.DATABASE


def test_the_cause_of_a_wrapper_counts_and_a_plain_bug_does_not() -> None:
    try:
        try:
            raise asyncpg.CannotConnectNowError("consistent recovery state has not been yet reached")
        except asyncpg.PostgresError as exc:
            raise RuntimeError("could not load the unit tree") from exc
    except RuntimeError as wrapped:
        assert classify(wrapped) is Dependency.DATABASE
        assert describe(wrapped).startswith("CannotConnectNowError: consistent recovery")
    assert classify(ValueError("bad input")) is None
    assert classify(asyncpg.UniqueViolationError("duplicate key")) is None
    assert classify(asyncpg.InterfaceError("another operation is in progress")) is None
    assert classify(FileNotFoundError("exports/x.csv")) is None, "an OSError outside the drivers is a bug"
    assert classify(UnacknowledgedError("Kafka did not acknowledge")) is Dependency.KAFKA


def test_a_failure_streak_warns_once_summarises_and_says_when_it_is_over(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.streak")
    streak = FailureStreak(log, "outbox relay", summary_every_s=3600)
    refused = ConnectionRefusedError(111, "Connect call failed")
    with caplog.at_level(logging.DEBUG, logger="test.streak"):
        for _ in range(20):
            streak.failed(UnacknowledgedError("Kafka did not acknowledge 5 record(s) within 10 s"), 1.0)
        streak.failed(refused, 2.0)  # another cause: worth a new warning
        streak.succeeded()
        streak.succeeded()  # nothing to say twice
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("outbox relay failed: kafka unavailable (UnacknowledgedError: Kafka did not")
    assert "ConnectionRefusedError" in warnings[1]
    assert len(infos) == 1 and "and 21 failed attempts" in infos[0], infos
