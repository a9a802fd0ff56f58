"""The fault scenarios, each a real fault on the private stack while the load writes, followed by the
audit once everything has converged. `make chaos` runs them at full length (tests/faults/__main__.py),
`make test` a shorter version of most (tests/faults/test_faults.py)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from cds_contracts import Envelope
from cds_plumbing.ops.outbox import outbox_backlogs

from .audit import Audit, ConsumerInfo, audit, wait_converged
from .load import Load, Write
from .stack import ROOT, SERVICES, FaultStack


@dataclass
class Outcome:
    name: str
    writes: list[Write]
    converge_s: float
    audit: Audit
    notes: dict[str, str] = field(default_factory=dict)


Body = Callable[[dict[str, str]], Awaitable[None]]


class Chaos:
    def __init__(self, stack: FaultStack, load: Load, infos: list[ConsumerInfo], *, full: bool) -> None:
        self.stack, self.load, self.infos, self.full = stack, load, infos, full
        self.outcomes: list[Outcome] = []

    async def run(self, name: str, body: Body) -> Outcome:
        """Run `body` (the fault, while writing; it notes what it measured), wait until the stack has
        converged, audit. Convergence is timed from the moment `body` returns: the fault is over."""
        first = len(self.load.writes)
        marks = self._log_marks()
        notes: dict[str, str] = {}
        await body(notes)
        converge_s, snap = await wait_converged(self.stack, self.infos)
        writes = self.load.writes[first:]
        result = audit(snap, self.infos, writes, self.load.writes)
        notes["log lines"] = self._log_lines(marks)
        outcome = Outcome(name, writes, converge_s, result, notes)
        self.outcomes.append(outcome)
        return outcome

    # Building blocks
    async def writing(self, seconds: float) -> None:
        await self.load.write_for(seconds)

    def background(self) -> tuple[asyncio.Event, asyncio.Task[None]]:
        stop = asyncio.Event()
        return stop, asyncio.create_task(self.load.run(stop))

    async def takeover(self, consumer: str, service: str) -> float:
        """Appoint 12 officers now (every partition gets some) and time until `consumer` applied them all."""
        began = time.monotonic()
        officers = [o for o in await asyncio.gather(*(self.load.appoint() for _ in range(12))) if o]
        personnel = await asyncpg.connect(self.stack.db_url("personnel"))
        applier = await asyncpg.connect(self.stack.db_url(service))
        try:
            while True:
                # The officers' events (their profile records share the key, and go to other consumers)
                ids = await personnel.fetch(
                    "SELECT event_id FROM outbox WHERE key = ANY($1) AND topic = 'personnel.officer'", officers
                )
                done = await applier.fetchval(
                    "SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = ANY($2)",
                    consumer,
                    [r[0] for r in ids],
                )
                if len(ids) == len(officers) and done == len(ids):
                    return time.monotonic() - began
                if time.monotonic() - began > 120:
                    raise AssertionError(f"{consumer} never applied the markers")
                await asyncio.sleep(0.05)
        finally:
            await personnel.close()
            await applier.close()

    def _log_marks(self) -> dict[str, int]:
        files = self.stack.run_dir.glob("logs/*.log")
        return {f.name: f.stat().st_size for f in files}

    def _log_lines(self, marks: dict[str, int]) -> str:
        per_service: dict[str, list[int]] = {}
        for f in sorted(self.stack.run_dir.glob("logs/*.log")):
            with f.open("rb") as fh:
                fh.seek(marks.get(f.name, 0))
                text = fh.read().decode(errors="replace")
            service = re.sub(r"-\d+$", "", f.stem)
            counts = per_service.setdefault(service, [0, 0])
            counts[0] += len(re.findall(r'"level": "(?:WARNING|ERROR|CRITICAL)"', text))
            counts[1] += text.count('"exc_info"')
        return ", ".join(f"{s} {w} ({t} tb)" for s, (w, t) in per_service.items())


# The scenarios. Each takes the Chaos and returns its Outcome.


async def kill_reporting(chaos: Chaos) -> Outcome:
    """kill -9 of one of two reporting replicas while writes go on; the other takes its partitions over."""

    async def body(notes: dict[str, str]) -> None:
        stop, task = chaos.background()
        await asyncio.sleep(3)
        chaos.stack.signal("reporting", signal.SIGKILL)
        notes["takeover"] = f"{await chaos.takeover('reporting-projections', 'reporting'):.1f} s"
        await asyncio.sleep(4 if chaos.full else 1)
        await asyncio.to_thread(chaos.stack.sh, "start-services")
        await asyncio.sleep(2)
        stop.set()
        await task

    return await chaos.run("kill -9 reporting", body)


async def kill_broker(chaos: Chaos) -> Outcome:
    """kill -9 of the broker with writes going on; restarted after the outage."""
    outage_s = 20 if chaos.full else 14  # longer than the relay's 10 s acknowledgement timeout

    async def body(notes: dict[str, str]) -> None:
        stop, task = chaos.background()
        await asyncio.sleep(2)
        chaos.stack.signal("kafka", signal.SIGKILL)
        killed = time.monotonic()
        command = asyncio.create_task(_time_backlog_command(chaos.stack, killed + outage_s))
        shown_after, queries = None, 0.0
        urls = [chaos.stack.db_url(s) for s in SERVICES]
        while time.monotonic() - killed < outage_s:
            asked = time.monotonic()  # what the command does, without starting an interpreter
            personnel = (await outbox_backlogs(urls))[0]
            queries = max(queries, time.monotonic() - asked)
            failing = not isinstance(personnel, BaseException) and personnel.relay_failing_for is not None
            if shown_after is None and failing:
                shown_after = time.monotonic() - killed
            await asyncio.sleep(0.25)
        notes["backlog shows the outage after"] = f"{shown_after:.1f} s" if shown_after else "never"
        notes["backlog queries answered within"] = f"{queries:.1f} s"
        notes["backlog command answered within"] = f"{await command:.1f} s"
        await asyncio.to_thread(chaos.stack.sh, "start-kafka")
        await asyncio.to_thread(chaos.stack.cli, "wait-kafka", "--timeout", "120")
        await asyncio.sleep(3)
        stop.set()
        await task

    return await chaos.run(f"kill -9 broker ({outage_s} s)", body)


async def _time_backlog_command(stack: FaultStack, until: float) -> float:
    """The slowest `cds-platform outbox backlog` (a new interpreter each time) until `until`."""
    slowest = 0.0
    while time.monotonic() < until:
        asked = time.monotonic()
        await asyncio.to_thread(stack.cli, "outbox", "backlog")
        slowest = max(slowest, time.monotonic() - asked)
    return slowest


async def stop_postgres(chaos: Chaos) -> Outcome:
    """PostgreSQL stopped abruptly (immediate shutdown: a crash, recovery at start) with writes going on."""
    outage_s = 10 if chaos.full else 5

    async def body(notes: dict[str, str]) -> None:
        first = len(chaos.load.writes)
        stop, task = chaos.background()
        await asyncio.sleep(2)
        await asyncio.to_thread(chaos.stack.sh, "stop-postgres", "immediate")
        await asyncio.sleep(outage_s)
        await asyncio.to_thread(chaos.stack.sh, "start-postgres")
        await asyncio.sleep(3)
        stop.set()
        await task
        refused = [w for w in chaos.load.writes[first:] if w.refused]
        statuses = sorted({str(w.status) for w in refused})
        notes["refused"] = f"{len(refused)} ({', '.join(statuses) or '-'})"
        notes["503 with Retry-After"] = f"{sum(w.status == 503 and w.retry_after is not None for w in refused)}"
        unknown = [w for w in chaos.load.writes[first:] if w.outcome == "unknown"]
        notes["503 with outcome unknown (commit under way)"] = str(len(unknown))

    return await chaos.run(f"PostgreSQL stopped {outage_s} s", body)


async def poison(chaos: Chaos) -> Outcome:
    """Undecodable records and a byte-identical duplicate on personnel.officer while writes go on."""

    async def body(notes: dict[str, str]) -> None:
        stop, task = chaos.background()
        topic = chaos.stack.prefix + "personnel.officer"
        good = Envelope(type="vn.cds.personnel.officer.appointed", version=1, source="/chaos", subject="CHAOS-X")
        unknown = Envelope(type="vn.cds.personnel.officer.levitated", version=1, source="/chaos", subject="CHAOS-X")
        bad = [
            (b"{not json", good.to_headers()),
            (b"{}", []),  # no CloudEvents headers at all
            (b'{"officer_id": "CHAOS-X"}', unknown.to_headers()),
            (b"{}", [*good.to_headers()[:-1], ("ce_actor", b"\xff\xfe")]),  # a header that is not UTF-8
        ]
        producer = AIOKafkaProducer(bootstrap_servers=chaos.stack.bootstrap)
        await producer.start()
        try:
            for value, headers in bad:
                await producer.send_and_wait(topic, value, key=b"CHAOS-X", headers=headers)
            original = await _some_record(chaos.stack.bootstrap, topic)
            await producer.send_and_wait(
                topic, original.value, key=original.key, headers=list(original.headers), partition=original.partition
            )
        finally:
            await producer.stop()
        notes["injected"] = f"{len(bad)} poison + 1 duplicate of {topic}[{original.partition}]@{original.offset}"
        await asyncio.sleep(3)
        stop.set()
        await task

    return await chaos.run("poison + duplicate", body)


async def _some_record(bootstrap: str, topic: str) -> ConsumerRecord[bytes, bytes]:
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await kafka.start()
    try:
        tp = TopicPartition(topic, 0)
        kafka.assign([tp])
        await kafka.seek_to_beginning(tp)
        batch = await kafka.getmany(tp, timeout_ms=5000, max_records=1)
        return batch[tp][0]
    finally:
        await kafka.stop()


async def kill_replicas(chaos: Chaos) -> Outcome:
    """Two replicas of every service; one of each killed with SIGKILL mid-load, restarted later. Writes go
    to both replicas (one officer's transfers alternate between them)."""

    async def body(notes: dict[str, str]) -> None:
        stop, task = chaos.background()
        await asyncio.sleep(3)
        for service in SERVICES:
            chaos.stack.signal(chaos.stack.replica_name(service, 2), signal.SIGKILL)
        took = await asyncio.gather(
            chaos.takeover("reporting-projections", "reporting"), chaos.takeover("training-officers", "training")
        )
        notes["takeover"] = f"reporting {took[0]:.1f} s, training {took[1]:.1f} s"
        await asyncio.sleep(5 if chaos.full else 1)
        await asyncio.to_thread(chaos.stack.sh, "start-services")
        await asyncio.sleep(3)
        stop.set()
        await task

    return await chaos.run("kill -9 one replica of each", body)


async def sigterm(chaos: Chaos) -> Outcome:
    """SIGTERM to a reporting replica in the middle of the load: it finishes its batch and exits 0."""

    async def body(notes: dict[str, str]) -> None:
        stop, task = chaos.background()
        proc, log, url = _extra_reporting(chaos.stack)
        try:
            await _ready(url)
            await asyncio.sleep(3)
            began = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(proc.wait, 60)
        finally:
            if proc.poll() is None:
                proc.kill()
        text = log.read_text(errors="replace")
        notes["exit"] = f"{code} after {time.monotonic() - began:.1f} s"
        notes["shutdown complete"] = str("Application shutdown complete" in text)
        await asyncio.sleep(2)
        stop.set()
        await task

    return await chaos.run("SIGTERM mid-load", body)


async def rolling_restart(chaos: Chaos) -> Outcome:
    """`scripts/stack.sh restart reporting` (both replicas in turn) while writes go on; the partitions each
    replica owns are sampled from its /metrics (cds_consumer_lag) throughout."""

    async def body(notes: dict[str, str]) -> None:
        stop, task = chaos.background()
        sampling = asyncio.Event()
        owners: list[dict[str, int]] = []
        sampler = asyncio.create_task(_sample_owners(chaos.stack, sampling, owners))
        await asyncio.sleep(3)
        await asyncio.to_thread(chaos.stack.sh, "restart", "reporting")
        await asyncio.sleep(3)
        sampling.set()
        await sampler
        stop.set()
        await task
        moves = _moves(owners)
        notes["partitions moved to the other replica"] = str(sum(moves.values()))
        notes["samples"] = str(len(owners))

    return await chaos.run("rolling restart of reporting", body)


async def _sample_owners(stack: FaultStack, stop: asyncio.Event, out: list[dict[str, int]]) -> None:
    pattern = re.compile(r'cds_consumer_lag\{consumer="reporting-projections",partition="(\d+)",topic="([^"]+)"\}')
    async with httpx.AsyncClient(timeout=2) as client:
        while not stop.is_set():
            sample: dict[str, int] = {}
            for replica in (1, 2):
                try:
                    text = (await client.get(stack.url("reporting", replica) + "/metrics")).text
                except httpx.HTTPError:
                    continue
                for partition, topic in pattern.findall(text):
                    sample[f"{topic}[{partition}]"] = replica
            out.append(sample)
            await asyncio.sleep(0.2)


def _moves(samples: list[dict[str, int]]) -> dict[str, int]:
    """Per partition, how often its owning replica changed (samples where nobody owned it are skipped)."""
    last: dict[str, int] = {}
    moves: dict[str, int] = {}
    for sample in samples:
        for tp, replica in sample.items():
            if tp in last and last[tp] != replica:
                moves[tp] = moves.get(tp, 0) + 1
            last[tp] = replica
    return moves


def _extra_reporting(stack: FaultStack) -> tuple[subprocess.Popen[bytes], Path, str]:
    """A third reporting replica started by this process, so its exit code can be read. Its port is any
    free one: a fixed port in the ephemeral range may be taken by an outgoing connection by then."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = Path(stack.run_dir / "logs" / "reporting-3.log")
    env = {**stack.env, "INSTANCE_ID": "3", "PYTHONUNBUFFERED": "1"}
    cmd = [str(ROOT / ".venv/bin/cds-serve"), "reporting.entrypoints.app:app", "--port", str(port), "--reuse-port"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    return proc, log, f"http://127.0.0.1:{port}"


async def _ready(url: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url + "/health/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError(f"{url} not ready")


def table(outcomes: list[Outcome]) -> str:
    """The report: one row per scenario, then what each measured."""
    head = (
        "| scenario | acknowledged | stored | reported | lost | duplicated | refused (stored) "
        "| in doubt (stored) | copies skipped | out of order | converged in |"
    )
    rows = [head, "|" + "---|" * 11]
    for o in outcomes:
        a = o.audit
        rows.append(
            f"| {o.name} | {a.acknowledged} | {a.stored} | {a.reported} | {a.lost} | {a.duplicated} "
            f"| {a.refused} ({a.refused_stored}) | {a.in_doubt} ({a.in_doubt_stored}) | {a.copies_skipped} "
            f"| {a.out_of_order} | {o.converge_s:.1f} s |"
        )
    rows.append("")
    for o in outcomes:
        details = "; ".join(f"{k}: {v}" for k, v in o.notes.items())
        letters = ", ".join(f"{c} {n}" for c, n in o.audit.dead_lettered.items() if n)
        rows.append(f"- **{o.name}**: {details}" + (f"; dead letters so far: {letters}" if letters else ""))
        rows += [f"  - PROBLEM: {p}" for p in o.audit.problems[:20]]
    return "\n".join(rows)


def to_json(outcomes: list[Outcome]) -> str:
    return json.dumps(
        [
            {
                "scenario": o.name,
                "converge_s": round(o.converge_s, 2),
                "notes": o.notes,
                **{k: v for k, v in vars(o.audit).items() if k not in ("problems", "dead_lettered")},
                "dead_lettered": dict(o.audit.dead_lettered),
                "problems": o.audit.problems,
            }
            for o in outcomes
        ],
        indent=2,
        ensure_ascii=False,
    )
