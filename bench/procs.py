"""The bench's own databases and service processes on the local stack (never the demo's).

Databases are named `bench_<what>` and dropped before each use; services are started with `cds-serve`
as `make up` starts them, each with its database, the bench's topic prefix and a free port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from cds_plumbing.settings import admin_database_url

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
APPS = {svc: f"{svc}.entrypoints.app:app" for svc in ("personnel", "training", "recruitment", "reporting")}


def dsn(database: str) -> str:
    return f"{admin_database_url().rsplit('/', 1)[0]}/{database}"


async def fresh_database(name: str) -> str:
    admin = await asyncpg.connect(admin_database_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return dsn(name)


async def drop_databases(prefix: str = "bench_") -> None:
    admin = await asyncpg.connect(admin_database_url())
    try:
        for row in await admin.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"):
            await admin.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await admin.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set size so far (VmHWM), in MiB; None once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def schedstat(pid: int) -> tuple[float, float] | None:
    """(seconds on a CPU, seconds runnable but waiting for one) of a process so far; None once it exited.
    On a machine shared with other work the second says how much of a run's wall time was not its own."""
    try:
        on_cpu, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu) / 1e9, int(waiting) / 1e9


class CpuMeter:
    """Sums schedstat over processes sampled while they run (each keeps its last sample once it has exited)."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[float, float]] = {}
        self.base: dict[int, tuple[float, float]] = {}

    def sample(self, pids: list[int]) -> None:
        for pid in pids:
            stat = schedstat(pid)
            if stat is not None:
                self.base.setdefault(pid, stat)
                self.last[pid] = stat

    def totals(self) -> dict[str, float]:
        cpu = sum(self.last[p][0] - self.base[p][0] for p in self.last)
        wait = sum(self.last[p][1] - self.base[p][1] for p in self.last)
        return {"cpu_s": cpu, "runqueue_wait_s": wait}


async def backend_pids(database: str) -> list[int]:
    """PostgreSQL server processes serving `database` now (they run on this machine: the local stack)."""
    admin = await asyncpg.connect(admin_database_url())
    try:
        rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await admin.close()
    return [r["pid"] for r in rows]


@dataclass
class Service:
    name: str
    base: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    database: str = ""  # its database's URL
    peak_rss: float = field(default=0.0)

    def sample_rss(self) -> None:
        rss = peak_rss_mb(self.proc.pid)
        if rss is not None:
            self.peak_rss = max(self.peak_rss, rss)

    async def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited; see {self.log_path}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health/ready")).status_code == 200:
                        return
                await asyncio.sleep(0.3)
        raise TimeoutError(f"{self.name} not ready within {timeout_s:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.sample_rss()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_service(svc: str, database_url: str, prefix: str, logs: Path, **env: str) -> Service:
    port = free_port()
    p = svc.upper()
    environ = os.environ | {
        f"{p}_DATABASE_URL": database_url,
        f"{p}_HTTP_PORT": str(port),
        "KAFKA_TOPIC_PREFIX": prefix,
        "PYTHONUNBUFFERED": "1",
        # the bench's services run on the local stack only, which signs tokens with the development secret
        "AUTH_ALLOW_DEV_SECRET": os.environ.get("AUTH_ALLOW_DEV_SECRET", "1"),
    }
    environ |= env
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{svc}-{prefix.strip('.')}.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603  # our own venv's cds-serve, fixed arguments
            [str(VENV / "cds-serve"), APPS[svc]], cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT
        )
    return Service(svc, f"http://127.0.0.1:{port}", proc, log_path, database_url)
