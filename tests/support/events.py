"""A test-only event, registered per test on that test's own topic, and the projection it feeds."""

from __future__ import annotations

from pydantic import Field

from cds_contracts import Envelope, Event, Registry, TopicSpec
from cds_plumbing.db import Connection

TEST_EVENT_TYPE = "vn.cds.test.counter.incremented"


class CounterIncremented(Event):
    """A counter went up by `amount`; `seq` numbers the counter's events from 1."""

    counter_id: str = Field(description="Aggregate id.")
    amount: int = Field(description="How much was added.")
    seq: int = Field(description="Position of this event among the counter's events.")


class CounterFailed(Event):
    """An event whose handler always raises, to exercise dead-lettering of handler failures."""

    counter_id: str = Field(description="Aggregate id.")


def register_test_events(registry: Registry, topic: TopicSpec) -> Registry:
    registry.register(TEST_EVENT_TYPE, 1, topic, key="counter_id")(CounterIncremented)
    registry.register("vn.cds.test.counter.failed", 1, topic, key="counter_id")(CounterFailed)
    return registry


async def on_counter_incremented(conn: Connection, event: CounterIncremented, envelope: Envelope) -> None:
    """Projection whose totals expose a double application: `applied` counts handler runs."""
    await conn.execute(
        """INSERT INTO counters (counter_id, total, applied) VALUES ($1, $2, 1)
           ON CONFLICT (counter_id) DO UPDATE SET total = counters.total + $2, applied = counters.applied + 1""",
        event.counter_id,
        event.amount,
    )


async def on_counter_failed(conn: Connection, event: CounterFailed, envelope: Envelope) -> None:
    raise ValueError(f"counter {event.counter_id} cannot be failed")
