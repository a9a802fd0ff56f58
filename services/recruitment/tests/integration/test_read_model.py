"""Recruitment's read model of personnel's org units, fed straight into the consumer's process_batch on the
real PostgreSQL (a fresh database): events of different keys may arrive in any order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

import asyncpg
import pytest
from aiokafka import ConsumerRecord

from cds_contracts import REGISTRY, Envelope, Event
from cds_contracts.personnel_org_units import OrgUnitDissolved, OrgUnitRegistered, OrgUnitsMerged, OrgUnitSplit
from cds_plumbing.consumer import BatchResult, IdempotentConsumer
from cds_plumbing.db import create_pool
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.migrations import migrate
from recruitment.entrypoints.app import MIGRATIONS
from recruitment.entrypoints.subscribers import make_consumer

pytestmark = pytest.mark.integration


class RaisingDeadLetters(DeadLetterPublisher):
    """Every event must apply: a dead letter fails the test with its cause."""

    def __init__(self) -> None:
        pass

    async def send(self, record: ConsumerRecord[bytes, bytes], error: BaseException, **_: object) -> None:
        raise AssertionError(f"{record.topic}@{record.offset} was dead-lettered: {error!r}")


class Feeder:
    """Hands events to the consumer as Kafka records (one partition per topic, consecutive offsets)."""

    def __init__(self, consumer: IdempotentConsumer, pool: asyncpg.Pool) -> None:
        self.consumer, self.pool = consumer, pool
        self.offsets: dict[str, int] = defaultdict(int)

    async def feed(self, *events: Event) -> BatchResult:
        records: list[Any] = []
        for event in events:
            spec = REGISTRY.spec_for(type(event))
            key = str(getattr(event, spec.key_field)).encode()
            value = event.model_dump_json().encode()
            envelope = Envelope(type=spec.type, version=spec.version, source="/personnel", subject=key.decode())
            topic = spec.topic.name
            records.append(
                ConsumerRecord(
                    topic, 0, self.offsets[topic], 0, 0, key, value, None, len(key), len(value), envelope.to_headers()
                )
            )
            self.offsets[topic] += 1
        return await self.consumer.process_batch(records)

    async def units(self, ids: Iterable[str]) -> dict[str, tuple[dt.date | None, str | None]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT unit_id, ceased_on, successor_id FROM org_units WHERE unit_id = ANY($1::text[])", list(ids)
            )
        return {r["unit_id"]: (r["ceased_on"], r["successor_id"]) for r in rows}


@pytest.fixture
async def feeder(database: str) -> AsyncIterator[Feeder]:
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [("recruitment", MIGRATIONS)])
    finally:
        await conn.close()
    pool = await create_pool(database, 1, 4)
    consumer = make_consumer()
    consumer.bind(pool, RaisingDeadLetters())
    try:
        yield Feeder(consumer, pool)
    finally:
        await pool.close()


def unit(unit_id: str, parent: str | None = "VP") -> OrgUnitRegistered:
    return OrgUnitRegistered(
        unit_id=unit_id,
        name_vi=f"Đơn vị {unit_id}",
        kind="peoples_committee",
        level="commune" if parent else "province",
        parent_id=parent,
        valid_from=dt.date(2020, 1, 1),
    )


D = dt.date(2025, 7, 1)


async def test_a_cessation_consumed_before_the_registration_still_ends_the_unit(feeder: Feeder) -> None:
    # The cessations are keyed by other units (successor, split unit), so they can overtake the
    # registrations of the units they end; each is a batch of its own, as from separate partitions.
    await feeder.feed(OrgUnitsMerged(successor_id="X-NEW", predecessor_ids=("X-A", "X-B", "X-NEW"), effective_date=D))
    await feeder.feed(OrgUnitSplit(unit_id="S", successor_ids=("S-1", "S-2"), effective_date=D))
    await feeder.feed(OrgUnitDissolved(unit_id="GONE", effective_date=D))
    assert await feeder.units(["X-A", "X-B", "S", "GONE"]) == {}  # nothing registered yet

    result = await feeder.feed(unit("VP", None), unit("X-A"), unit("X-B"), unit("X-NEW"), unit("S"), unit("GONE"))
    assert result.applied == 6 and result.dead_lettered == 0
    assert await feeder.units(["X-A", "X-B", "X-NEW", "S", "GONE", "VP"]) == {
        "X-A": (D, "X-NEW"),
        "X-B": (D, "X-NEW"),
        "X-NEW": (None, None),  # the continuing successor of a merge does not cease
        "S": (D, None),
        "GONE": (D, None),
        "VP": (None, None),
    }


async def test_the_usual_order_and_a_replayed_registration_keep_the_unit_ended(feeder: Feeder) -> None:
    await feeder.feed(unit("VP", None), unit("GONE"))
    await feeder.feed(OrgUnitDissolved(unit_id="GONE", effective_date=D))
    assert (await feeder.units(["GONE"]))["GONE"] == (D, None)
    # A later registration of the same unit (e.g. a republished snapshot) does not bring it back to life,
    # and of two cessations the earlier day wins.
    await feeder.feed(unit("GONE"), OrgUnitDissolved(unit_id="GONE", effective_date=dt.date(2025, 3, 1)))
    await feeder.feed(OrgUnitDissolved(unit_id="GONE", effective_date=dt.date(2025, 9, 1)))
    assert (await feeder.units(["GONE"]))["GONE"] == (dt.date(2025, 3, 1), None)
