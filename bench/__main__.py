"""`python -m bench [--scale S] [--quick] [--keep] [--parts P,…] [--write-rate R]`: every measurement of
issue #15 in one run on the local stack (its own topics under `bench<run>.` and its own `bench_*`
databases; the demo's are never touched), the table printed, `.run/bench/report.json` and `report.md`
written.

Data sets, built from the demo generator's shapes and written straight onto the topics (bench/synth.py):
the rebuild's is `--scale` × the demo data set, as provinces of at most 13.4 × each (a national system
of several provinces; at the default 67, 5 provinces and about a million events); the catch-up and the
"10×" reads use one such province (about 200,000 events); the demo-scale reads use the demo data set
itself, whose figures reporting must then show exactly (checked). Personnel's side runs on a live stack
seeded through personnel's imports.

`--parts` runs only some measurements (`make bench PARTS=write,freshness`: the write side and freshness,
a few minutes, no large data set written); `--write-rate R` skips the write side's probes and holds R
commands/s for the sustained run, the fixed load under which personnel's CPU per command and profile
compare from one change to the next.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import math
import os
import platform
import sys
import time
import traceback
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cds_plumbing.settings import default_bootstrap
from demo.__main__ import summary_rows
from demo.dataset import DataSet
from demo.generator import generate

from . import live, measure_engines, measure_live, measure_reads, procs, report, topics
from .synth import events

PROVINCE_SCALE = 13.4  # one province of the big data set: ≥ 200,000 events, ≥ 10× the demo
# engines: a-c and h (raw consume and write, the rebuild); reads: d and g (catch-up, read latency);
# freshness: e; import: f; write: i (personnel's sustained rate and profile)
PARTS = ("engines", "reads", "freshness", "import", "write")


@dataclass(frozen=True)
class Plan:
    scale: float
    freshness_rate: float = 200
    freshness_s: float = 60
    import_officers: int = 15_000
    probes: tuple[float, ...] = (150, 250, 350, 450, 600)
    probe_s: float = 10
    sustain_s: float = 60
    read_s: float = 6
    profile_s: float = 20
    demo_scale: float = 1.0
    overlap: bool = False  # start every service at once (their start-ups overlap; figures then disturbed)
    attempts: int = 3  # tries to confirm the write side's best rate for the full time
    parts: tuple[str, ...] = PARTS
    write_rate: float | None = None  # hold this rate (no probes, one attempt) instead of searching for the best


QUICK = {
    "freshness_rate": 20,
    "freshness_s": 3,
    "import_officers": 300,
    "probes": (20, 40),
    "probe_s": 2,
    "sustain_s": 3,
    "read_s": 0.1,
    "profile_s": 2,
    "demo_scale": 0.05,
    "overlap": True,
    "attempts": 1,
}


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.node()}: {cpus} CPUs, {mem:.0f} GiB, Python {platform.python_version()}, load average {load}"


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


async def part(result: dict[str, Any], name: str, work: Awaitable[None]) -> None:
    """Run one measurement; a failure is reported (and fails the run) without losing the others."""
    try:
        await work
    except Exception as exc:
        say(f"{name} failed: {type(exc).__name__}: {exc}")
        traceback.print_exc()
        result["failed"].append(f"{name}: {type(exc).__name__}: {exc}")


async def run(plan: Plan, out: Path, keep: bool) -> dict[str, Any]:
    bootstrap = default_bootstrap()
    run_id = uuid.uuid4().hex[:6]
    prefixes = {k: f"{topics.PREFIX_ROOT}{run_id}.{k}." for k in ("big", "province", "demo", "live")}
    logs = out / "logs"
    result: dict[str, Any] = {"run": f"{dt.datetime.now():%Y-%m-%d %H:%M} ({run_id})", "machine": machine()}
    result |= {"plan": plan.__dict__, "notes": [], "failed": []}
    result["cpus"] = os.cpu_count()
    say(f"deleted {await topics.delete_all(bootstrap)} topics of earlier runs")
    await procs.drop_databases()
    try:
        ds_demo = await _write_data(plan, bootstrap, prefixes, result)
        reads = "reads" in plan.parts
        live_parts = {"freshness", "import", "write"} & set(plan.parts)
        demo = await _spawn_demo(prefixes["demo"], logs) if plan.overlap and reads else None
        spawned = await live.spawn(prefixes["live"], logs) if plan.overlap and live_parts else None
        if "engines" in plan.parts:
            await part(result, "a-c. engines and rebuild", _engines(plan, bootstrap, prefixes["big"], out, result))
        if reads:
            work = _catch_up_and_reads(plan, bootstrap, prefixes, ds_demo, logs, result, demo)
            await part(result, "d, g. catch-up and reads", work)
        if live_parts:
            await _live(plan, bootstrap, prefixes["live"], ds_demo, out, logs, result, spawned)
    finally:
        result["machine_after"] = machine()
        if not keep:
            await topics.delete_all(bootstrap)
            await procs.drop_databases()
    return result


async def _write_data(plan: Plan, bootstrap: str, prefixes: dict[str, str], result: dict[str, Any]) -> DataSet:
    provinces = max(1, math.ceil(plan.scale / PROVINCE_SCALE - 1e-9))
    scale = plan.scale / provinces
    big, reads = "engines" in plan.parts, "reads" in plan.parts
    ds_demo = generate(2024, plan.demo_scale, "")  # the live stack is seeded with it too
    for name in prefixes.values():
        await topics.create(bootstrap, name)
    started, total, province, demo = time.monotonic(), 0, [], []
    if big or reads:
        say(f"generating a province at {scale:g}× the demo ({provinces} of them make the rebuild's data set)")
        province = topics.serialize(events(generate(2024, scale, "P01-", expected=False)))
        demo = topics.serialize(events(ds_demo))
    for n in range(1, provinces + 1 if big else 1):
        counts = await topics.produce(bootstrap, prefixes["big"], province, ("P01-", f"P{n:02d}-"))
        total += sum(counts.values())
    if reads:
        await topics.produce(bootstrap, prefixes["province"], province)
        await topics.produce(bootstrap, prefixes["demo"], demo)
    say(f"wrote {total:,} + {len(province):,} + {len(demo):,} events in {time.monotonic() - started:.0f} s")
    result["data"] = {
        "rebuild": {"provinces": provinces, "scale_each": scale, "events": total},
        "province": {"scale": scale, "events": len(province)},
        "demo": {"scale": plan.demo_scale, "events": len(demo)},
    }
    return ds_demo


async def _engines(plan: Plan, bootstrap: str, prefix: str, out: Path, result: dict[str, Any]) -> None:
    names = topics.reporting_topics(prefix)
    result["raw_consume"] = await measure_engines.raw_consume(bootstrap, names)
    say(f"a. raw consume: {result['raw_consume']['per_s']:,.0f} events/s")
    result["consume_decode"] = await measure_engines.raw_consume(bootstrap, names, decode=True)
    say(f"a'. consume and decode: {result['consume_decode']['per_s']:,.0f} events/s")
    result["raw_write"] = await measure_engines.raw_write(result["raw_consume"]["events"])
    say(f"b. raw write: {result['raw_write']['per_s']:,.0f} rows/s")
    result["rebuild"] = await measure_engines.rebuild(bootstrap, names, out, profile_s=plan.profile_s)
    say(f"c. rebuild: {result['rebuild']['per_s']:,.0f} events/s, peak RSS {result['rebuild']['peak_rss_mb']:.0f} MiB")


async def _spawn_demo(prefix: str, logs: Path) -> tuple[str, procs.Service]:
    database = await procs.fresh_database("bench_demo")
    return database, procs.start_service("reporting", database, prefix, logs)


async def _catch_up_and_reads(
    plan: Plan,
    bootstrap: str,
    prefixes: dict[str, str],
    ds_demo: DataSet,
    logs: Path,
    result: dict[str, Any],
    demo: tuple[str, procs.Service] | None,
) -> None:
    scale = result["data"]["province"]["scale"]
    database = await procs.fresh_database("bench_province")
    reporting = procs.start_service("reporting", database, prefixes["province"], logs)
    try:
        await reporting.wait_ready()
        names = topics.reporting_topics(prefixes["province"])
        result["catch_up"] = await measure_live.catch_up(reporting, database, bootstrap, names, timeout_s=1800)
        say(f"d. catch-up: {result['catch_up']['per_s']:,.0f} events/s")
        result["reads"] = {f"{scale:g}× demo": await measure_reads.read_latency(reporting.base, "P01-PT", plan.read_s)}
    finally:
        reporting.stop()
    database, reporting = demo or await _spawn_demo(prefixes["demo"], logs)
    try:
        await reporting.wait_ready()
        names = topics.reporting_topics(prefixes["demo"])
        await measure_live.catch_up(reporting, database, bootstrap, names, timeout_s=600)
        result["figures"] = await asyncio.to_thread(summary_rows, ds_demo, reporting.base)
        wrong = [row for row in result["figures"] if row[1] != row[2]]
        if wrong:
            result["notes"].append(f"demo-scale figures differing from the generator's: {wrong}")
        say(f"figures check: {len(result['figures']) - len(wrong)} of {len(result['figures'])} equal")
        reads = await measure_reads.read_latency(reporting.base, ds_demo.successor_id, plan.read_s)
        result["reads"] = {f"{plan.demo_scale:g}× demo": reads, **result["reads"]}
        say("g. reads measured")
    finally:
        reporting.stop()


async def _live(
    plan: Plan,
    bootstrap: str,
    prefix: str,
    ds: DataSet,
    out: Path,
    logs: Path,
    result: dict[str, Any],
    spawned: tuple[procs.Service, procs.Service] | None,
) -> None:
    stack = await live.start(ds, prefix, bootstrap, logs, spawned)
    try:

        async def freshness() -> None:
            result["freshness"] = await measure_live.freshness(stack, bootstrap, plan.freshness_rate, plan.freshness_s)
            say(f"e. freshness p99 {result['freshness']['freshness']['p99_ms']:.0f} ms")

        async def bulk() -> None:
            result["import"] = await measure_live.bulk_import(stack, bootstrap, plan.import_officers, timeout_s=300)
            say(f"f. import visible in {result['import']['visible_s']:.1f} s")

        async def writes() -> None:
            fixed = plan.write_rate is not None
            result["write_side"] = await measure_live.write_side(
                stack,
                [] if fixed else list(plan.probes),
                plan.probe_s,
                plan.sustain_s,
                out,
                plan.profile_s,
                1 if fixed else plan.attempts,
                rate=plan.write_rate,
            )
            say(f"i. personnel sustains {result['write_side']['sustained']['rate']:,.0f} commands/s")

        for name, label, work in (("freshness", "e", freshness), ("import", "f", bulk), ("write", "i", writes)):
            if name in plan.parts:
                await part(result, f"{label}. {name}", work())
    finally:
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=67.0, help="the rebuild's data set, × the demo's (67: ~1 M)")
    parser.add_argument("--quick", action="store_true", help="seconds instead of minutes (the smoke test)")
    parser.add_argument("--keep", action="store_true", help="keep the bench's topics and databases")
    parser.add_argument("--out", type=Path, default=Path(".run/bench"))
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--write-rate", type=float, help="hold this many commands/s on personnel (no probes)")
    args = parser.parse_args(argv)
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        parser.error(f"--parts takes some of {', '.join(PARTS)}; unknown: {', '.join(unknown) or '(none given)'}")
    # aiokafka retries what a just-created topic answers at first (no leader yet): not worth a line each
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    options: dict[str, Any] = (dict(QUICK) if args.quick else {}) | {"parts": parts, "write_rate": args.write_rate}
    plan = Plan(args.scale, **options)
    args.out.mkdir(parents=True, exist_ok=True)
    result = asyncio.run(run(plan, args.out, args.keep))
    print(report.write(result, args.out))
    print(f"\nreport: {args.out / 'report.md'}, {args.out / 'report.json'}")
    for failure in result["failed"]:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
