"""(g) read latency of every reporting view: 4 clients asking the same view back to back for a while,
on a reporting process whose projections hold the demo data set at some scale."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from cds_plumbing.auth import Role

from .live import token
from .loadgen import Http, latency_stats, quiet_collector

CLIENTS = 4
READ_P99_MS = 300.0


def views(root: str) -> dict[str, str]:
    """The views a dashboard opens (whole province, today, unless said), and an XLSX export."""
    return {
        "overview": "/api/v1/overview",
        "trends (24 months)": "/api/v1/trends",
        "trends (24 months, root unit)": f"/api/v1/trends?unit_id={root}",
        "headcount": "/api/v1/officers/headcount",
        "coverage": "/api/v1/officers/coverage",
        "community teams": "/api/v1/community-teams",
        "attrition": "/api/v1/attrition?as_of=2024-12-31",
        "readiness": "/api/v1/response-teams/readiness",
        "training attainment": "/api/v1/training/attainment?year=2024",
        "trained share": "/api/v1/training/trained-share",
        "recruitment vacancies": "/api/v1/recruitment/vacancies",
        "recruitment pipeline": "/api/v1/recruitment/pipeline?year=2024",
        "unit tree": "/api/v1/units/tree",
        "export headcount.xlsx": "/api/v1/exports/headcount.xlsx",
    }


async def _client(http: Http, path: str, until: float, latencies: list[float]) -> int:
    """Ask `path` back to back until `until`; returns how many answers were not 200."""
    errors = 0
    while time.monotonic() < until:
        started = time.monotonic()
        status, _ = await http.request("GET", path)
        latencies.append(time.monotonic() - started)
        errors += status != 200
    return errors


async def read_latency(base: str, root: str, seconds_per_view: float) -> dict[str, Any]:
    http = Http(base, {"Authorization": f"Bearer {token(Role.VIEWER)}"}, CLIENTS)
    results: dict[str, Any] = {}
    try:
        for name, path in views(root).items():
            status, _ = await http.request("GET", path)  # warm: the first answer also fills caches
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            latencies: list[float] = []
            with quiet_collector():  # the generator's own collections must not count as the view's latency
                statuses = await asyncio.gather(
                    *(_client(http, path, time.monotonic() + seconds_per_view, latencies) for _ in range(CLIENTS))
                )
            results[name] = {"path": path, **latency_stats(latencies), "errors": sum(statuses)}
    finally:
        await http.close()
    return results
