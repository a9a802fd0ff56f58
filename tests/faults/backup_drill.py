"""Backup and restore, end to end on the private stack: the demo data set loaded through the APIs,
`cds-platform backup`, the stack wiped (`scripts/stack.sh reset`), PostgreSQL and Kafka started empty,
`cds-platform restore`, the services started; then reporting's overview, trends and every export, and
each service's API, must answer exactly as before. Timed, for the README's RTO figure."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from demo.generator import generate
from demo.loader import Urls, load
from reporting.service_layer.export_tables import SPECS

from .audit import ConsumerInfo, wait_converged
from .stack import FaultStack

AS_OF = ("2024-12-31", "2025-06-30")


@dataclass
class Drill:
    scale: float
    events: int = 0
    size_mb: float = 0.0
    backup_s: float = 0.0
    restore_s: float = 0.0
    start_s: float = 0.0
    catch_up_s: float = 0.0
    compared: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def rto_s(self) -> float:
        """From an empty stack to every API answering as before: restore, start, consumers caught up."""
        return self.restore_s + self.start_s + self.catch_up_s


def _paths() -> dict[str, list[str]]:
    reporting = [f"/api/v1/overview?as_of={d}" for d in AS_OF]
    reporting += ["/api/v1/trends?from=2024-01&to=2025-06&as_of=2025-06-30", "/api/v1/freshness"]
    reporting += [f"/api/v1/exports/{t}.csv?as_of=2025-06-30&year=2024" for t in SPECS]
    return {
        "reporting": reporting,
        "personnel": [
            "/api/v1/units?as_of=2025-06-30",
            "/api/v1/units/tree?as_of=2024-12-31",
            "/api/v1/officers?limit=500&as_of=2025-06-30",
            "/api/v1/community-teams?limit=500",
        ],
        "training": ["/api/v1/programmes", "/api/v1/classes?limit=500", "/api/v1/plans/2024"],
        "recruitment": ["/api/v1/vacancies?limit=500", "/api/v1/hires", "/api/v1/staffing-plans?year=2025"],
    }


async def answers(stack: FaultStack) -> dict[str, tuple[int, str]]:
    token = mint_token(ServiceSettings(service_name="drill"), Role.PROVINCE_ADMIN, subject="drill")
    out: dict[str, tuple[int, str]] = {}
    async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        for service, paths in _paths().items():
            for path in paths:
                r = await client.get(stack.url(service) + path)
                out[f"{service}{path}"] = (r.status_code, r.text)
    return out


async def drill(stack: FaultStack, infos: list[ConsumerInfo], *, scale: float, seed: int = 2024) -> Drill:
    """Runs on a fresh, running stack; leaves it running on the restored data."""
    d = Drill(scale)
    urls = Urls(*(stack.url(s) for s in ("personnel", "training", "recruitment", "reporting")))
    token = mint_token(ServiceSettings(service_name="drill"), Role.PROVINCE_ADMIN, subject="drill-load")
    lines: list[str] = []
    assert await load(generate(seed=seed, scale=scale), urls, token, lines.append, timeout_s=600), lines
    await wait_converged(stack, infos)
    before = await answers(stack)

    folder = stack.run_dir / "backup"
    shutil.rmtree(folder, ignore_errors=True)
    began = time.monotonic()
    done = await asyncio.to_thread(stack.cli, "backup", str(folder))
    d.backup_s = time.monotonic() - began
    assert done.returncode == 0, done.stdout + done.stderr
    d.size_mb = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
    saved = stack.run_dir.parent / f"{stack.name}-backup"  # `reset` deletes the run folder
    shutil.rmtree(saved, ignore_errors=True)
    shutil.move(folder, saved)

    await asyncio.to_thread(stack.sh, "reset")
    await asyncio.to_thread(stack.sh, "infra")
    began = time.monotonic()
    done = await asyncio.to_thread(stack.cli, "restore", str(saved))
    d.restore_s = time.monotonic() - began
    assert done.returncode == 0, done.stdout + done.stderr
    d.events = int(next(w for w in done.stdout.split("topics:")[1].split(",")[1].split() if w.isdigit()))
    began = time.monotonic()
    await asyncio.to_thread(stack.sh, "up")
    d.start_s = time.monotonic() - began
    d.catch_up_s, _ = await wait_converged(stack, infos)

    after = await answers(stack)
    d.compared = len(before)
    d.differences = [k for k in before if before[k] != after.get(k)]
    d.differences += [f"{k}: {before[k][0]}" for k in before if before[k][0] != 200]
    return d


def summary(d: Drill) -> dict[str, Any]:
    return {
        "scale": d.scale,
        "events": d.events,
        "backup size": f"{d.size_mb:.1f} MB",
        "backup": f"{d.backup_s:.1f} s",
        "restore": f"{d.restore_s:.1f} s",
        "services up": f"{d.start_s:.1f} s",
        "caught up": f"{d.catch_up_s:.1f} s",
        "RTO": f"{d.rto_s:.1f} s",
        "answers compared": d.compared,
        "differences": len(d.differences),
    }
