"""The set-based writers give exactly what the per-event writers give: the same event stream applied both
ways (per event; set-based in large batches; set-based in small odd batches) into three projection
schemas, and every table compared row by row, dated history included. The stream is the demo data set as
the services publish it (bench/synth.py) plus a tail of awkward cases in one batch: several changes of
one officer or membership, a change replacing one of the same day, a departure and a re-appointment,
a corrected departure, merges read before their units, duplicates, and changes that must be refused
(dead-lettered on both paths)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any, TypeAlias

import asyncpg
import pytest
from aiokafka import ConsumerRecord, TopicPartition

from bench.synth import Emitted, events
from cds_contracts import REGISTRY, Envelope, Event
from cds_contracts import training as t
from cds_contracts.personnel_officers import OfficerAssignmentChanged, OfficerCorrected, OfficerDeparted
from cds_contracts.personnel_officers import OfficerTransferred as Moved
from cds_contracts.personnel_org_units import OrgUnitRenamed, OrgUnitsMerged
from cds_contracts.personnel_teams import CommunityTeamMemberJoined, CommunityTeamMemberLeft
from cds_plumbing.consumer import in_order
from cds_plumbing.db import Connection
from cds_plumbing.deadletter import DeadLetterPublisher
from demo.generator import generate
from reporting.adapters.projection_schema import create_schema, use_schema
from reporting.entrypoints.events.subscribers import make_consumer
from services.reporting.tests.integration.scenario import _officer, _unit

pytestmark = pytest.mark.integration
D = dt.date
Record: TypeAlias = ConsumerRecord[bytes, bytes]


class Collecting(DeadLetterPublisher):
    def __init__(self) -> None:  # no producer: the test only needs to know what was dead-lettered
        self.dead: list[tuple[str, int, int, str]] = []

    async def send(self, record: Any, error: BaseException, **_: object) -> None:
        self.dead.append((record.topic, record.partition, record.offset, type(error).__name__))


def awkward() -> list[Emitted]:
    def p(e: Event) -> Emitted:
        return "/personnel", e

    joined = CommunityTeamMemberJoined(
        team_id="T-X", member_id="m1", affiliation="police", role="member", joined_on=D(2024, 1, 1)
    )
    return [
        p(_unit("X", "Xã Thử", "peoples_committee", "commune", None)),
        # a merge read before the registration of the unit it ends (another key)
        p(OrgUnitsMerged(successor_id="Y", predecessor_ids=("Z", "Y"), effective_date=D(2025, 7, 1))),
        p(_unit("Z", "Xã Cũ", "peoples_committee", "commune", None)),
        p(_unit("Y", "Xã Mới", "peoples_committee", "commune", None)),
        p(OrgUnitRenamed(unit_id="X", name_vi="Xã Thử Mới", effective_date=D(2020, 1, 1))),  # same day: replaces
        p(_officer("OX", "X", "concurrent", ("it_technical",), D(2022, 1, 1))),
        p(Moved(officer_id="OX", from_unit_id="X", to_unit_id="Y", effective_date=D(2023, 1, 1), reason="transfer")),
        p(
            OfficerAssignmentChanged(
                officer_id="OX", assignment="dedicated", functions=(), effective_date=D(2023, 1, 1)
            )
        ),
        p(Moved(officer_id="OX", from_unit_id="Y", to_unit_id="Z", effective_date=D(2024, 3, 1), reason="transfer")),
        p(OfficerDeparted(officer_id="OX", unit_id="Z", effective_date=D(2024, 9, 1), reason="retirement")),
        p(_officer("OX", "X", "concurrent", ("it_leader",), D(2025, 2, 1))),  # re-appointed
        p(OfficerCorrected(officer_id="OX", full_name="OX", employment_category="cadre", note="typo")),
        p(Moved(officer_id="OX", from_unit_id="X", to_unit_id="Y", effective_date=D(2024, 1, 1), reason="transfer")),
        p(
            Moved(
                officer_id="NOBODY", from_unit_id="X", to_unit_id="Y", effective_date=D(2024, 1, 1), reason="transfer"
            )
        ),
        p(joined),
        p(CommunityTeamMemberLeft(team_id="T-X", member_id="m1", left_on=D(2024, 6, 1))),
        p(joined.model_copy(update={"joined_on": D(2024, 9, 1), "affiliation": "teachers"})),
        p(CommunityTeamMemberLeft(team_id="T-X", member_id="nobody", left_on=D(2024, 6, 1))),
        (
            "/training",
            t.TraineeEnrolled(class_id="C-X", officer_id="OX", unit_id="X", level="commune", enrolled_on=D(2025, 3, 1)),
        ),
        ("/training", t.EnrolmentWithdrawn(class_id="C-X", officer_id="OX", withdrawn_on=D(2025, 3, 2))),
    ]


def records(stream: list[Emitted]) -> list[Record]:
    """Kafka-like records in stream order: key = aggregate id, 3 partitions per topic; the event at index 2
    of the awkward tail is delivered twice."""
    offsets: dict[tuple[str, int], int] = defaultdict(int)
    out = []
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n, (source, event) in enumerate(stream):
        spec = REGISTRY.spec_for(type(event))
        key = str(getattr(event, spec.key_field))
        env = Envelope(type=spec.type, version=spec.version, source=source, subject=key, event_id=uuid.uuid4())
        env = env.model_copy(update={"occurred_at": at + dt.timedelta(seconds=n)})
        tp = (spec.topic.name, hash(key) % 3)
        value = event.model_dump_json().encode()
        for _ in range(2 if n == len(stream) - 18 else 1):
            out.append(
                ConsumerRecord(
                    tp[0], tp[1], offsets[tp], 0, 0, key.encode(), value, None, len(key), len(value), env.to_headers()
                )
            )
            offsets[tp] += 1
    return out


def batches(all_records: list[Record], size: int) -> list[list[Record]]:
    """Consecutive slices, each ordered partition by partition as a fetch returns them."""
    out = []
    for i in range(0, len(all_records), size):
        chunk: dict[TopicPartition, list[Record]] = defaultdict(list)
        for r in all_records[i : i + size]:
            chunk[TopicPartition(r.topic, r.partition)].append(r)
        out.append(in_order(chunk))
    return out


async def apply(pool: asyncpg.Pool, schema: str, recs: list[Record], *, set_based: bool, size: int) -> list[Any]:
    async with pool.acquire() as conn:
        await create_schema(conn, schema)
    consumer = make_consumer(f"equal-{schema}", before_batch=use_schema(schema), set_based=set_based)
    dead = Collecting()
    consumer.bind(pool, dead)
    for batch in batches(recs, size):
        await consumer.process_batch(batch)
    return sorted(dead.dead)


async def tables(conn: Connection, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    names = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)
    out = {}
    for (name,) in names:
        # a delta summed back to 0 may stay as a row on one path and never be written on the other
        zeros = " WHERE members <> 0" if name.startswith("team_member_") else ""
        rows = await conn.fetch(f'SELECT * FROM "{schema}"."{name}"{zeros}')
        out[name] = sorted((tuple(r.values()) for r in rows), key=repr)
    return out


async def test_set_based_writers_equal_the_per_event_writers_table_by_table(
    reporting_db: str, rpool: asyncpg.Pool
) -> None:
    stream = list(events(generate(2024, 0.3, "EQ-", today=D(2026, 6, 1), expected=False))) + awkward()
    recs = records(stream)
    per_event = await apply(rpool, "proj_101", recs, set_based=False, size=500)
    large = await apply(rpool, "proj_102", recs, set_based=True, size=5000)
    small = await apply(rpool, "proj_103", recs, set_based=True, size=7)
    async with rpool.acquire() as conn:
        reference = await tables(conn, "proj_101")
        assert sum(len(rows) for rows in reference.values()) > 5000, "the stream filled the projections"
        assert reference["officer_periods"] and reference["team_memberships"] and reference["officer_month_deltas"]
        for schema in ("proj_102", "proj_103"):
            got = await tables(conn, schema)
            assert got.keys() == reference.keys()
            for table, rows in reference.items():
                assert got[table] == rows, f"{schema}.{table} differs from the per-event writers'"
    refused = {kind for *_, kind in per_event}
    assert {"OutOfOrderChangeError", "MissingPeriodError"} <= refused, per_event
    assert large == per_event and small == per_event, "the same events refused both ways"
