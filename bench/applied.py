"""What reporting has applied, read through its own API (/api/v1/freshness: the live consumer's checkpoints,
committed in the same transaction as the projections, so an offset it shows is visible in every view)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer

from .loadgen import Http
from .topics import partitions

Offsets = dict[tuple[str, int], int]  # (topic, partition) -> next offset to apply


async def applied(http: Http) -> Offsets:
    status, body = await http.request("GET", "/api/v1/freshness")
    if status != 200:
        raise RuntimeError(f"/api/v1/freshness answered {status}: {body[:300]!r}")
    return {(t["topic"], o["partition"]): o["next_offset"] for t in json.loads(body)["topics"] for o in t["offsets"]}


async def end_offsets(bootstrap: str, topics: list[str]) -> Offsets:
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await kafka.start()
    try:
        parts = await partitions(kafka, topics)
        return {(tp.topic, tp.partition): off for tp, off in (await kafka.end_offsets(parts)).items()}
    finally:
        await kafka.stop()


def behind(ends: Offsets, done: Offsets) -> int:
    return sum(max(0, end - done.get(tp, 0)) for tp, end in ends.items())


async def wait_caught_up(http: Http, ends: Offsets, timeout_s: float) -> float:
    """Seconds until reporting applied everything up to `ends`."""
    started = time.monotonic()
    while behind(ends, await applied(http)):
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"reporting still {behind(ends, await applied(http)):,} events behind")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


@dataclass
class Watch:
    """Polls reporting's applied offsets every `every_s`: when each offset became visible, and the lag."""

    http: Http
    every_s: float = 0.02
    history: list[tuple[float, Offsets]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.monotonic()
            done = await applied(self.http)
            self.history.append((time.monotonic(), done))
            await asyncio.sleep(max(0.0, self.every_s - (time.monotonic() - started)))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def visible_at(self, tp: tuple[str, int], offset: int, after: float) -> float | None:
        """The first poll (answered after `after`) showing `offset` applied."""
        for at, done in self.history:
            if at >= after and done.get(tp, 0) > offset:
                return at
        return None


class Tail:
    """Reads the new records of some topics as they arrive: which (partition, offset) each event got."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self._kafka = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=10
        )
        self._topics = topics
        self.where: dict[tuple[str, ...], tuple[tuple[str, int], int]] = {}
        self.produced: dict[tuple[str, ...], float] = {}  # the record's timestamp (the relay's send), epoch s
        self.ends: Offsets = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._kafka.start()
        parts = await partitions(self._kafka, self._topics)
        self._kafka.assign(parts)
        await self._kafka.seek_to_end(*parts)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for tp, records in (await self._kafka.getmany(timeout_ms=100)).items():
                for r in records:
                    headers = {k: bytes(v).decode() for k, v in r.headers}
                    ident = identify(headers, r.value or b"{}")
                    self.where[ident] = ((tp.topic, tp.partition), r.offset)
                    self.produced[ident] = r.timestamp / 1000
                    self.ends[(tp.topic, tp.partition)] = r.offset + 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._kafka.stop()


def identify(headers: dict[str, str], value: bytes) -> tuple[str, ...]:
    """The bench's name for the command an event answers (each command of the load is unique)."""
    kind = headers.get("ce_type", "").split(".")[-2]
    data = json.loads(value)
    if kind == "member_joined":
        return ("joined", data["member_id"])
    if kind == "transferred":
        return ("transferred", data["officer_id"], data["effective_date"])
    return (kind, headers.get("ce_subject", ""))
