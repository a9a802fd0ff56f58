"""An open-loop load generator: requests start on a fixed schedule whatever the answers, and latency counts
from the scheduled start (so a server falling behind shows as latency, not as a lower offered rate).

The HTTP/1.1 client is a few lines over asyncio streams with keep-alive connections: a general client
(httpx) costs the load generator ~10x more CPU per request, and it shares the 2 cores with the server.

The generator's own pauses would count as the server's latency: the bench process holds the data sets it
wrote, and a full collection of that heap took 70-150 ms, once or twice a minute, inside the measured
windows (seen with gc.callbacks, 2026-12-05). While measuring, that heap is frozen out of the collector's
walks (`quiet_collector`), and each sample records how late the generator started it (`late`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

KEEP_ALIVE_S = 4.0  # uvicorn closes a connection idle for 5 s: older idle ones are not reused


class Http:
    def __init__(self, base: str, headers: dict[str, str], connections: int = 64) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(connections)

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bool]:
        while self._idle:
            reader, writer, used = self._idle.pop()
            if time.monotonic() - used < KEEP_ALIVE_S:
                return reader, writer, True
            writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return reader, writer, False

    async def request(self, method: str, path: str, body: Any = None, raw: bytes | None = None) -> tuple[int, bytes]:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        kind = "application/x-ndjson" if raw is not None else "application/json"
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self._headers}"
        head += f"Content-Type: {kind}\r\nContent-Length: {len(data)}\r\n\r\n"
        async with self._slots:
            for attempt in (1, 2):
                reader, writer, reused = await self._connection()
                try:
                    writer.write(head.encode() + data)
                    status, payload, keep = await _response(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    writer.close()
                    # The server closed a kept-alive connection before reading the request: send it again
                    # on a new connection (the request never reached the application).
                    if reused and attempt == 1 and not getattr(exc, "partial", b""):
                        self._idle.clear()
                        continue
                    raise
                except BaseException:
                    writer.close()
                    raise
                if keep:
                    self._idle.append((reader, writer, time.monotonic()))
                else:
                    writer.close()
                return status, payload
            raise AssertionError("unreachable")

    async def close(self) -> None:
        for _, writer, _ in self._idle:
            writer.close()
        self._idle.clear()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
    if headers.get("transfer-encoding") == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        payload = b"".join(chunks)
    else:
        payload = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, payload, headers.get("connection") != "close"


@dataclass(frozen=True)
class Sample:
    started: float  # scheduled start (monotonic clock)
    latency: float  # from the scheduled start to the end of the answer
    status: int
    answered: float  # monotonic time of the answer
    tag: Any = None
    late: float = 0.0  # how long after `started` the generator began sending it: its own delay (reading the
    # answer late is not in it, so this is a lower bound of the generator's share of `latency`)


_QUIET = [0]  # depth of nested quiet_collector blocks: only the outermost one unfreezes


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Objects alive now are left out of the garbage collector's walks until the block ends (gc.freeze):
    a full collection then walks only what the measurement allocates, not the generator's data sets."""
    gc.freeze()
    _QUIET[0] += 1
    try:
        yield
    finally:
        _QUIET[0] -= 1
        if not _QUIET[0]:
            gc.unfreeze()


async def open_loop(
    rate: float, seconds: float, send: Callable[[int], Awaitable[tuple[int, Any]]], *, spin_up: int = 0
) -> list[Sample]:
    """Start request i at i / rate seconds; `send(i)` returns (status, tag)."""
    samples: list[Sample] = []
    start = time.monotonic() + 0.05

    async def one(i: int, at: float) -> None:
        late = time.monotonic() - at
        try:
            status, tag = await send(i + spin_up)
        except (OSError, asyncio.IncompleteReadError) as exc:
            status, tag = 599, repr(exc)
        now = time.monotonic()
        samples.append(Sample(at, now - at, status, now, tag, late))

    tasks = []
    with quiet_collector():
        for i in range(int(rate * seconds)):
            at = start + i / rate
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, at)))
        await asyncio.gather(*tasks)
    return samples


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def lateness(samples: list[Sample]) -> dict[str, float]:
    """How late the generator itself started requests (ms): large values mean the figures include its own
    delays (CPU starvation of the bench process), not only the server's."""
    late = [s.late for s in samples]
    return {"p99_ms": percentile(late, 99) * 1000, "max_ms": max(late, default=float("nan")) * 1000}


def latency_stats(latencies: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds."""
    return {
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
        "count": float(len(latencies)),
    }
