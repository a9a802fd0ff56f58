"""`reporting-rebuild` on real Kafka topics: replay into proj_2 while the live consumer runs and readers
read, swap, and the live consumer carries on in the new schema without applying anything twice."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import asyncpg
import pytest
from prometheus_client import Counter

from cds_contracts import Registry, TopicSpec
from cds_contracts.personnel_officers import OfficerAppointed
from cds_plumbing.consumer import run_consumer
from cds_plumbing.db import create_pool
from cds_plumbing.deadletter import DeadLetterPublisher
from cds_plumbing.metrics import DEAD_LETTERS, EVENTS_APPLIED
from reporting.adapters.projection_schema import use_active_schema
from reporting.entrypoints.cli.rebuild import rebuild
from reporting.entrypoints.events.subscribers import make_consumer
from reporting.service_layer import officer_views as views
from services.reporting.tests.integration.scenario import REORG, correction, history, produce, reorganisation

pytestmark = pytest.mark.integration


async def _wait_applied(pool: asyncpg.Pool, consumer: str, n: int) -> int:
    count = 0
    for _ in range(600):
        count = await pool.fetchval("SELECT count(*) FROM processed_events WHERE consumer = $1", consumer)
        if count >= n:
            break
        await asyncio.sleep(0.1)
    return count


def _metric(counter: Counter, consumer: str) -> float:
    samples = [s for m in counter.collect() for s in m.samples if s.name.endswith("_total")]
    return sum(s.value for s in samples if s.labels.get("consumer") == consumer)


def _own(body: dict[str, Any]) -> dict[str, int]:
    return {u["unit_id"]: u["own"]["total"] for u in body["units"]}


async def test_rebuild_replays_real_topics_into_a_new_schema_and_swaps_it_in(
    reporting_db: str, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]]
) -> None:
    registry, topics = personnel_topics
    pool = await create_pool(reporting_db, 1, 6)
    live = make_consumer(f"reporting-live-{uuid.uuid4().hex[:8]}", before_batch=use_active_schema, registry=registry)
    dead_letters = DeadLetterPublisher(bootstrap, live.name)
    await dead_letters.start()
    live.bind(pool, dead_letters)
    stop = asyncio.Event()
    consuming = asyncio.create_task(run_consumer(live, bootstrap, stop, max_records=10))
    ctx = views.ViewContext(pool, live.name, ())
    reads: list[int] = []
    reading = True

    async def read_throughout() -> None:
        while reading:
            reads.append((await views.headcount(ctx, REORG, None))["totals"]["total"])
            await asyncio.sleep(0.005)

    try:
        first = await produce(bootstrap, registry, history() + reorganisation())
        assert await _wait_applied(pool, live.name, first) == first
        assert _own(await views.headcount(ctx, REORG, "C3")) == {"C3": 1}  # before the correction

        reader = asyncio.create_task(read_throughout())
        second = await produce(bootstrap, registry, correction())  # the live consumer races the rebuild for it
        out = io.StringIO()
        result = await rebuild(
            reporting_db, bootstrap, tuple(t.name for t in topics), live_consumer=live.name, max_records=7, out=out
        )
        reading = False
        await reader

        assert (result.schema, result.replaced) == ("proj_2", "proj_1")
        assert result.applied == first + second
        assert out.getvalue().startswith("\r[") and out.getvalue().endswith(
            f"100% {first + second}/{first + second} events\n"
        )
        assert await pool.fetchval("SELECT active_schema FROM projection_state") == "proj_2"
        assert not await pool.fetchval("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'proj_1')")
        assert (
            await pool.fetchval("SELECT count(*) FROM processed_events WHERE consumer LIKE 'reporting-rebuild-%'") == 0
        )
        assert reads and set(reads) <= {7, 8}  # reads went on throughout, before and after the correction
        # It went live with planner statistics (reltuples -1: never analysed), not waiting for autovacuum.
        unanalysed = await pool.fetch(
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'proj_2' AND c.relkind = 'r' AND c.reltuples < 0"""
        )
        assert [r["relname"] for r in unanalysed] == []

        # The live consumer carries on in proj_2: skips what the rebuild applied, applies what is new.
        await produce(
            bootstrap,
            registry,
            [
                OfficerAppointed(
                    officer_id="O9",
                    unit_id="C12",
                    employment_category="public_employee",
                    assignment="dedicated",
                    functions=("information_security",),
                    effective_date=REORG,
                )
            ],
        )
        assert await _wait_applied(pool, live.name, first + second + 1) == first + second + 1
        for _ in range(100):
            if _own(await views.headcount(ctx, REORG, "C12")) == {"C12": 3}:
                break
            await asyncio.sleep(0.1)
        after = await views.headcount(ctx, REORG, None)
        assert _own(after) == {"P": 1, "P.SKHCN": 2, "P.HTH": 1, "C12": 3, "C3": 2}
        assert after["totals"]["total"] == 9
        assert await pool.fetchval("SELECT count(*) FROM proj_2.officer_periods WHERE officer_id = 'O9'") == 1
        # Nothing failed, and the live consumer applied only what the rebuild had not (the correction at most).
        assert _metric(DEAD_LETTERS, live.name) == 0 and _metric(DEAD_LETTERS, "reporting-rebuild-2") == 0
        assert _metric(EVENTS_APPLIED, "reporting-rebuild-2") == first + second
        assert _metric(EVENTS_APPLIED, live.name) in (first + 1, first + second + 1)
    finally:
        reading = False
        stop.set()
        await consuming
        await dead_letters.stop()
        await pool.close()
