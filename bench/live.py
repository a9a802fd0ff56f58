"""The live stack of the bench: personnel and reporting as processes on their own databases and topics,
personnel seeded through its bulk imports, and the commands the load generator sends (each unique, so its
event can be found on the topic: new officers, transfers of seeded officers, new community-team members)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from demo.dataset import DataSet

from .applied import end_offsets, wait_caught_up
from .loadgen import Http
from .procs import Service, fresh_database, start_service
from .topics import reporting_topics

TODAY = dt.date(2026, 6, 1)  # every command's effective day; transfers of one officer go a day later each time


def token(role: Role) -> str:
    return mint_token(ServiceSettings(service_name="bench"), role, subject=f"bench-{role.value}")


@dataclass
class LiveStack:
    prefix: str
    personnel: Service
    reporting: Service
    units: list[str]
    officer_unit: dict[str, str]
    teams: list[str]
    writer: Http = field(init=False)
    reader: Http = field(init=False)
    _serial: itertools.count[int] = field(default_factory=itertools.count)
    _moves: dict[str, int] = field(default_factory=dict)
    _movable: itertools.cycle[str] = field(init=False)

    def __post_init__(self) -> None:
        # Transfers go round the seeded officers (committed long ago), so two never race for one officer.
        seeded = sorted(self.officer_unit)
        random.Random(15).shuffle(seeded)
        self._movable = itertools.cycle(seeded)
        self.writer = Http(self.personnel.base, {"Authorization": f"Bearer {token(Role.PROVINCE_ADMIN)}"}, 256)
        self.reader = Http(self.reporting.base, {"Authorization": f"Bearer {token(Role.VIEWER)}"}, 8)

    def command(self, i: int, rng: random.Random) -> tuple[str, str, dict[str, Any], tuple[str, ...]]:
        """(method, path, body, the id of its event) of the i-th command: 40% appointments, 30% transfers,
        30% member joins."""
        n = next(self._serial)
        kind = i % 10
        if kind < 4:
            officer = f"BENCH-{self.prefix.strip('.')}-{n:07d}"
            self.officer_unit[officer] = unit = rng.choice(self.units)
            body: dict[str, Any] = {"officer_id": officer, "full_name": f"Cán bộ thử {n}", "unit_id": unit}
            body |= {"employment_category": "civil_servant", "assignment": "concurrent"}
            body |= {"functions": ["cds_network_member"], "effective_date": TODAY.isoformat()}
            return "POST", "/api/v1/officers", body, ("appointed", officer)
        if kind < 7:
            officer = next(self._movable)
            to = rng.choice([u for u in self.units if u != self.officer_unit[officer]])
            self.officer_unit[officer] = to
            self._moves[officer] = self._moves.get(officer, 0) + 1
            day = (TODAY + dt.timedelta(days=self._moves[officer])).isoformat()
            path = f"/api/v1/officers/{officer}/transfer"
            return "POST", path, {"to_unit_id": to, "effective_date": day}, ("transferred", officer, day)
        member = f"BENCH-TV-{self.prefix.strip('.')}-{n:07d}"
        body = {"member_id": member, "full_name": f"Thành viên thử {n}", "affiliation": "youth_union"}
        path = f"/api/v1/community-teams/{rng.choice(self.teams)}/members"
        return "POST", path, body | {"joined_on": TODAY.isoformat()}, ("joined", member)

    def stop(self) -> None:
        self.personnel.stop()
        self.reporting.stop()


async def spawn(prefix: str, logs: Path) -> tuple[Service, Service]:
    """Start personnel and reporting on fresh databases (not waiting for them)."""
    personnel = start_service("personnel", await fresh_database("bench_live_personnel"), prefix, logs)
    reporting = start_service("reporting", await fresh_database("bench_live_reporting"), prefix, logs)
    return personnel, reporting


async def start(
    ds: DataSet, prefix: str, bootstrap: str, logs: Path, spawned: tuple[Service, Service] | None = None
) -> LiveStack:
    """The live stack, seeded with the data set's units, officers and teams through personnel's imports,
    once the seed is on Kafka and applied by reporting."""
    personnel, reporting = spawned or await spawn(prefix, logs)
    await personnel.wait_ready()
    await reporting.wait_ready()
    stack = LiveStack(
        prefix,
        personnel,
        reporting,
        [u["unit_id"] for u in ds.units],
        {o["officer_id"]: o["unit_id"] for o in ds.officers},
        [t["team_id"] for t in ds.teams],
    )
    for kind, rows in (("units", ds.units), ("officers", ds.officers), ("teams", ds.teams)):
        await import_rows(stack, kind, rows)
    await settle(stack, bootstrap, timeout_s=300)
    return stack


async def settle(stack: LiveStack, bootstrap: str, timeout_s: float) -> None:
    """Wait until personnel's outbox is published and reporting has applied it. Measuring right after the
    seed would time the first seconds' commands behind the seed's thousands of events (the relay and
    reporting catching up, which the import measurement times on its own), not at the offered rate."""
    deadline = time.monotonic() + timeout_s
    conn = await asyncpg.connect(stack.personnel.database)
    try:
        while await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
            if time.monotonic() > deadline:
                raise TimeoutError("personnel's outbox still holds unpublished events of the seed")
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    ends = await end_offsets(bootstrap, reporting_topics(stack.prefix))
    await wait_caught_up(stack.reader, ends, max(1.0, deadline - time.monotonic()))


async def import_rows(stack: LiveStack, kind: str, rows: list[dict[str, Any]]) -> None:
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    status, answer = await stack.writer.request("POST", f"/api/v1/imports/{kind}", raw=body)
    if status != 201:
        raise RuntimeError(f"import of {kind} refused: {status} {answer[:500]!r}")
