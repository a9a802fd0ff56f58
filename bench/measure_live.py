"""The running services: (d) live catch-up, (e) freshness under load, (f) a bulk import, (i) the write side.

d. a reporting process started on topics already holding the backlog: events/s from its first applied
   batch to the last, read from its /api/v1/freshness;
e. personnel's HTTP API at a fixed rate (appointments, transfers, member joins), open loop; each command's
   event is found on the topic (its partition and offset) and is visible once reporting's freshness shows
   that offset applied: time from the 2xx to the first poll showing it (polled every 20 ms);
f. 15,000 officers through the import endpoint, until reporting's headcount shows all of them;
i. the highest rate personnel answers for `seconds` with p99 < 200 ms: short probes at rising rates, then
   the best confirmed for the full time while py-spy samples personnel.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg

from cds_plumbing.auth import Role

from . import profile
from .applied import Tail, Watch, applied, behind, end_offsets, wait_caught_up
from .live import LiveStack, import_rows, token
from .loadgen import Http, Sample, latency_stats, lateness, open_loop, quiet_collector
from .procs import CpuMeter, Service, backend_pids
from .topics import reporting_topics

WRITE_P99_MS = 200.0


async def catch_up(
    reporting: Service, database: str, bootstrap: str, topics: list[str], timeout_s: float
) -> dict[str, Any]:
    """`reporting` was just started on topics holding a backlog: how fast its consumer works through it,
    from the start of its first batch's transaction (processed_events.processed_at) until /api/v1/freshness
    shows everything applied (polled every 0.2 s)."""
    ends = await end_offsets(bootstrap, topics)
    http = Http(reporting.base, {"Authorization": f"Bearer {token(Role.VIEWER)}"}, 2)
    own, postgres = CpuMeter(), CpuMeter()
    name = database.rsplit("/", 1)[1]
    backends = await backend_pids(name)
    conn = await asyncpg.connect(database)
    deadline = time.monotonic() + timeout_s
    try:
        for n in itertools.count():
            reporting.sample_rss()
            own.sample([reporting.proc.pid])
            backends = await backend_pids(name) if n % 5 == 0 else backends
            postgres.sample(backends)
            if not behind(ends, await applied(http)):
                done_at = await conn.fetchval("SELECT clock_timestamp()")  # the database's clock, as processed_at's
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"reporting still {behind(ends, await applied(http)):,} events behind")
            await asyncio.sleep(0.2)
        reporting.sample_rss()
        row = await conn.fetchrow(
            """SELECT count(*) AS n, extract(epoch FROM $1 - min(processed_at))::float8 AS s,
                      count(DISTINCT processed_at) AS batches
               FROM processed_events WHERE consumer = 'reporting-projections'""",
            done_at,
        )
    finally:
        await http.close()
        await conn.close()
    assert row is not None
    seconds = max(row["s"], 1e-3)
    return {
        "events": row["n"],
        "batches": row["batches"],
        "seconds": seconds,
        "per_s": row["n"] / seconds,
        "peak_rss_mb": reporting.peak_rss,
        "client": own.totals(),  # the service's CPU from ready to caught up, and its PostgreSQL backends'
        "postgres": postgres.totals(),
    }


async def freshness(stack: LiveStack, bootstrap: str, rate: float, seconds: float) -> dict[str, Any]:
    with quiet_collector():  # the load and the polls that see each command become visible
        return await _freshness(stack, bootstrap, rate, seconds)


async def _freshness(stack: LiveStack, bootstrap: str, rate: float, seconds: float) -> dict[str, Any]:
    topics = [stack.prefix + t for t in ("personnel.officer", "personnel.community-team")]
    tail, watch = Tail(bootstrap, topics), Watch(stack.reader)
    await tail.start()
    watch.start()
    rng = random.Random(2024)
    lag: list[tuple[float, int]] = []

    async def send(i: int) -> tuple[int, Any]:
        method, path, body, ident = stack.command(i, rng)
        status, _ = await stack.writer.request(method, path, body)
        return status, ident

    async def sample_lag() -> None:
        while True:
            await asyncio.sleep(1.0)
            if watch.history and tail.ends:
                lag.append((time.monotonic(), behind(tail.ends, watch.history[-1][1])))

    sampler = asyncio.create_task(sample_lag())
    samples = await open_loop(rate, seconds, send)
    sampler.cancel()
    ok = [s for s in samples if 200 <= s.status < 300]
    try:  # everything acknowledged must become visible; give the tail and reporting time to get there
        await _until_found(tail, ok, 30)
        ends = dict(tail.ends)
        await wait_caught_up(stack.reader, ends, 60)
        await asyncio.sleep(0.1)
    finally:
        await watch.stop()
        await tail.stop()
    # Record timestamps are wall-clock (the producer's, at send); answers are monotonic: one offset maps them.
    to_epoch = time.time() - time.monotonic()
    delays, relayed, applied_after, missing = [], [], [], 0
    for s in ok:
        where = tail.where.get(s.tag)
        seen = None if where is None else watch.visible_at(where[0], where[1], s.answered - 0.1)
        if seen is None:
            missing += 1
            continue
        delays.append(max(0.0, seen - s.answered))
        if (produced := tail.produced.get(s.tag)) is not None:  # where the time went: relay, then consumer
            relayed.append(max(0.0, produced - (s.answered + to_epoch)))
            applied_after.append(max(0.0, seen + to_epoch - produced))
    return {
        "rate": rate,
        "seconds": seconds,
        "commands": len(samples),
        "errors": len(samples) - len(ok),
        "write": latency_stats([s.latency for s in samples]),
        "generator_late": lateness(samples),
        "freshness": latency_stats(delays),
        "to_kafka": latency_stats(relayed),  # 2xx → the relay's send (the record's timestamp)
        "kafka_to_visible": latency_stats(applied_after),  # the send → visible in reporting's API
        "not_visible": missing,
        "backlog": {
            "first": lag[0][1] if lag else None,
            "last": lag[-1][1] if lag else None,
            "max": max((b for _, b in lag), default=None),
        },
        "poll_ms": watch.every_s * 1000,
    }


async def _until_found(tail: Tail, samples: list[Sample], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while any(s.tag not in tail.where for s in samples) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)  # the tail is another task's loop: polling it is simplest


async def _headcount(stack: LiveStack) -> int:
    status, body = await stack.reader.request("GET", "/api/v1/officers/headcount")
    if status != 200:
        raise RuntimeError(f"headcount answered {status}")
    return int(json.loads(body)["totals"]["total"])


async def bulk_import(stack: LiveStack, bootstrap: str, officers: int, timeout_s: float) -> dict[str, Any]:
    await wait_caught_up(stack.reader, await end_offsets(bootstrap, reporting_topics(stack.prefix)), timeout_s)
    before = await _headcount(stack)
    rows = []
    for n in range(officers):
        officer = f"BENCH-IMPORT-{stack.prefix.strip('.')}-{n:06d}"
        unit = stack.units[n % len(stack.units)]
        rows.append(
            {"officer_id": officer, "full_name": f"Cán bộ nhập {n}", "unit_id": unit, "effective_date": "2026-05-01"}
            | {"employment_category": "civil_servant", "assignment": "concurrent", "functions": ["it_technical"]}
        )
    started = time.monotonic()
    await import_rows(stack, "officers", rows)
    answered = time.monotonic() - started
    while (seen := await _headcount(stack)) < before + officers:
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"reporting shows {seen - before:,} of {officers:,} imported officers")
        await asyncio.sleep(0.05)
    return {"officers": officers, "http_s": answered, "visible_s": time.monotonic() - started}


async def _idle_cpu(stack: LiveStack, seconds: float) -> dict[str, float]:
    """CPU ms per second personnel and its PostgreSQL backends spend with no command coming in."""
    own, postgres = CpuMeter(), CpuMeter()
    backends = await backend_pids("bench_live_personnel")
    own.sample([stack.personnel.proc.pid])
    postgres.sample(backends)
    await asyncio.sleep(seconds)
    own.sample([stack.personnel.proc.pid])
    postgres.sample(backends)
    return {
        "personnel": own.totals()["cpu_s"] * 1000 / seconds,
        "postgres": postgres.totals()["cpu_s"] * 1000 / seconds,
    }


async def write_side(
    stack: LiveStack,
    probes: list[float],
    probe_s: float,
    seconds: float,
    out: Path,
    profile_s: float,
    attempts: int = 3,
    *,
    rate: float | None = None,
) -> dict[str, Any]:
    """`rate` given: no search, that rate held for `seconds` after one probe's time of warm-up at it (a
    fixed load under which CPU per command compares from one change to the next)."""
    fixed = rate
    rng = random.Random(7)

    async def send(i: int) -> tuple[int, Any]:
        method, path, body, _ = stack.command(i, rng)
        status, answer = await stack.writer.request(method, path, body)
        return status, None if status < 300 else f"{method} {path}: {answer[:300]!r}"

    def judged(rate: float, samples: list[Sample]) -> dict[str, Any]:
        stats = latency_stats([s.latency for s in samples])
        errors = sum(not 200 <= s.status < 300 for s in samples)
        statuses = Counter(str(s.status) for s in samples)
        ok = stats["p99_ms"] < WRITE_P99_MS and errors == 0
        failed = [s.tag for s in samples if s.tag][:3]
        late = lateness(samples)["max_ms"]  # the generator's own delay, shown beside the server's latency
        return {"rate": rate, **stats, "errors": errors, "statuses": dict(statuses), "failed": failed, "ok": ok} | {
            "generator_late_ms": late
        }

    tried = []
    if rate is not None:  # warm up at that rate: the pools grow and the statements are prepared before measuring
        probes = [rate]
    for rate in probes:
        tried.append(judged(rate, await open_loop(rate, probe_s, send)))
        if not tried[-1]["ok"]:
            break
        await asyncio.sleep(probe_s / 5)  # let the outbox and reporting drain between probes
    passing = [t["rate"] for t in tried if t["ok"]]
    rate = fixed if fixed is not None else max(passing) if passing else probes[0] / 2
    confirmed: dict[str, Any] = {}
    held: list[dict[str, Any]] = []  # every attempt at the full time, the last one `confirmed`
    prof: profile.Profile | None = None
    idle = await _idle_cpu(stack, probe_s / 2)
    for _ in range(attempts):  # confirm for the full time; step down by a sixth when it does not hold
        profiling = asyncio.create_task(
            profile.record(stack.personnel.proc.pid, profile_s, "personnel", out / "profile-personnel")
        )
        own, postgres = CpuMeter(), CpuMeter()
        backends = await backend_pids("bench_live_personnel")
        own.sample([stack.personnel.proc.pid])
        postgres.sample(backends)
        began = time.monotonic()
        samples = await open_loop(rate, seconds, send)
        own.sample([stack.personnel.proc.pid])
        postgres.sample(backends)
        wall = time.monotonic() - began
        confirmed = judged(rate, samples)
        # CPU per command, whatever else the machine runs: personnel's process and its PostgreSQL backends;
        # also less what they spend idle (heartbeats, polls, probes), which a lower rate shares among fewer
        n = max(1, len(samples))
        confirmed["personnel_cpu_ms"] = own.totals()["cpu_s"] * 1000 / n
        confirmed["postgres_cpu_ms"] = postgres.totals()["cpu_s"] * 1000 / n
        confirmed["idle_cpu_ms_per_s"] = idle
        confirmed["personnel_cpu_ms_above_idle"] = (own.totals()["cpu_s"] - idle["personnel"] / 1000 * wall) * 1000 / n
        confirmed["postgres_cpu_ms_above_idle"] = (
            (postgres.totals()["cpu_s"] - idle["postgres"] / 1000 * wall) * 1000 / n
        )
        confirmed["runqueue_wait_s"] = own.totals()["runqueue_wait_s"]
        prof = await profiling
        held.append(confirmed)
        if confirmed["ok"]:
            break
        rate = round(rate * 5 / 6)
        await asyncio.sleep(probe_s / 2)
    return {
        "probes": tried,
        "attempts": held,
        "sustained": confirmed,
        "seconds": seconds,
        "profile": prof.as_dict() if prof else None,
    }
