"""(a) the engines' raw rates next to (c) reporting's rebuild and (h) its peak memory, on the same topics.

a. raw consume: aiokafka reads every record of reporting's topics, nothing else (the consumer's fetch
   settings, so the comparison is like for like), in a process set up as the rebuild's (bench/consume.py);
a'. consume and decode: the same read, and every record decoded as the rebuild decodes it (headers to
   the envelope, the payload validated by its contract model), nothing written: the most one Python
   process that validates each event can apply;
b. raw write: asyncpg's COPY of as many rows shaped like officer_periods (same columns and primary key);
c. the real `reporting-rebuild` command into a fresh database, sampled by py-spy for part of the run;
h. the rebuild process's peak resident memory (VmHWM, sampled every 0.2 s).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

from cds_plumbing.migrations import PLUMBING_MIGRATIONS, migrate
from reporting.entrypoints.app import MIGRATIONS

from . import profile
from .procs import ROOT, VENV, CpuMeter, backend_pids, fresh_database, peak_rss_mb


async def raw_consume(bootstrap: str, topics: list[str], *, decode: bool = False) -> dict[str, Any]:
    """(a), or (a') with `decode`, in a process of its own (bench/consume.py)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.consume",
        bootstrap,
        *topics,
        *(["--decode"] if decode else []),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"bench.consume failed ({proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    result: dict[str, Any] = json.loads(out)
    return result


_PERIODS = """CREATE TABLE officer_periods (
    officer_id text NOT NULL, valid_from date NOT NULL, valid_to date, unit_id text NOT NULL,
    assignment text NOT NULL, functions text[] NOT NULL, PRIMARY KEY (officer_id, valid_from))"""


async def raw_write(rows: int, chunk: int = 100_000) -> dict[str, Any]:
    conn = await asyncpg.connect(await fresh_database("bench_raw_write"))
    meter = CpuMeter()
    try:
        await conn.execute(_PERIODS)
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        meter.sample([backend])
        seconds, written, day = 0.0, 0, dt.date(2024, 1, 1)
        while written < rows:
            n = min(chunk, rows - written)  # rows are made before the clock starts: only the write is timed
            batch = [
                (f"CB-{written + i:08d}", day, None, f"VP-U{i % 171:03d}", "concurrent", ["cds_network_member"])
                for i in range(n)
            ]
            started = time.perf_counter()
            await conn.copy_records_to_table("officer_periods", records=batch)
            seconds += time.perf_counter() - started
            written += n
        meter.sample([backend])
    finally:
        await conn.close()
    return {"rows": written, "seconds": seconds, "per_s": written / seconds, "postgres": meter.totals()}


_RESULT = re.compile(r"rebuilt (?P<schema>proj_\d+): (?P<events>[\d,]+) events applied")


async def rebuild(
    bootstrap: str, topics: list[str], out: Path, *, profile_s: float, max_records: int | None = None
) -> dict[str, Any]:
    database = await fresh_database("bench_rebuild")
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [("plumbing", PLUMBING_MIGRATIONS), ("reporting", MIGRATIONS)])
    finally:
        await conn.close()
    args = ["--dsn", database, "--bootstrap", bootstrap, "--topics", ",".join(topics), "--live-consumer", "bench"]
    if max_records:
        args += ["--max-records", str(max_records)]
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        str(VENV / "reporting-rebuild"), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    peak, own, postgres, backends = 0.0, CpuMeter(), CpuMeter(), []

    async def sample_rss() -> None:
        nonlocal peak, backends
        for n in itertools.count():
            if proc.returncode is not None:
                return
            peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
            own.sample([proc.pid])
            if n % 5 == 0:
                backends = await backend_pids("bench_rebuild")
            postgres.sample(backends)
            await asyncio.sleep(0.2)

    async def profile_later() -> profile.Profile:
        await asyncio.sleep(2.0)  # past the imports: the profile is of the replay
        return await profile.record(proc.pid, profile_s, "reporting-rebuild", out / "profile-rebuild")

    sampler = asyncio.create_task(sample_rss())
    profiling = asyncio.create_task(profile_later())
    output, _ = await proc.communicate()
    seconds = time.perf_counter() - started
    sampler.cancel()
    text = output.decode(errors="replace")
    (out / "rebuild.log").write_text(text)
    match = _RESULT.search(text)
    if proc.returncode != 0 or match is None:
        profiling.cancel()
        raise RuntimeError(f"reporting-rebuild failed ({proc.returncode}):\n{text[-2000:]}")
    events = int(match["events"].replace(",", ""))
    timing = re.search(r"replay (?P<replay>[\d.]+) s, swap (?P<swap>[\d.]+) s", text)
    return {
        "events": events,
        "seconds": seconds,
        "per_s": events / seconds,
        "replay_s": float(timing["replay"]) if timing else None,
        "swap_s": float(timing["swap"]) if timing else None,
        "peak_rss_mb": peak,
        # CPU of the command (start-up included; last sample before it exited) and of its PostgreSQL server
        # processes, and how long each waited for a CPU while runnable (other work on the machine)
        "client": own.totals(),
        "postgres": postgres.totals(),
        "profile": (await profiling).as_dict(),
    }
