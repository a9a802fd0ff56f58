"""Writes through the services' public APIs while faults happen, spread over both replicas of each service,
each one remembered with its outcome, so the audit can tell what was acknowledged, refused or in doubt.

Operations (client-chosen ids, so a refused write can be looked for and must be found nowhere):
personnel appoints officers and transfers them (one officer's transfers alternate between the two
personnel replicas, with increasing dates); training schedules classes; recruitment opens vacancies.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings

from .stack import FaultStack

YEAR = 2025
ROOT_UNIT = "CHAOS-TINH"


@dataclass
class Write:
    service: str
    op: str  # appoint | transfer | class | vacancy
    key: str  # the aggregate id: officer, class or vacancy id
    replica: int
    status: int | None = None  # None: sent but no answer (reset, timeout): in doubt; 0: not sent (refused connection)
    retry_after: str | None = None
    outcome: str | None = None  # "unknown" in a 503 whose commit was under way when the database went away
    error: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        return self.status is not None and not self.acknowledged and not self.in_doubt

    @property
    def in_doubt(self) -> bool:
        return self.status is None or self.outcome == "unknown"


class Load:
    def __init__(self, stack: FaultStack, seed: int = 17) -> None:
        self.stack = stack
        self.rng = random.Random(seed)
        token = mint_token(ServiceSettings(service_name="chaos"), Role.PROVINCE_ADMIN, subject="chaos-load")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.writes: list[Write] = []
        self.units = [f"CHAOS-U{i}" for i in range(6)]
        self.officers: list[str] = []  # acknowledged appointments: transfer candidates
        self._dates: dict[str, dt.date] = {}
        self._units: dict[str, str] = {}
        self._replica = itertools.count()
        self.client = httpx.AsyncClient(timeout=10.0, headers=self.headers)

    async def close(self) -> None:
        await self.client.aclose()

    async def _post(self, service: str, path: str, body: dict[str, Any], *, replica: int) -> httpx.Response:
        return await self.client.post(self.stack.url(service, replica) + path, json=body)

    async def setup(self) -> None:
        """The unit tree and a programme; waits until training and recruitment know the units."""
        day = f"{YEAR - 1}-01-01"
        units = [(ROOT_UNIT, None, "province")] + [(u, ROOT_UNIT, "district") for u in self.units]
        for unit, parent, level in units:
            body = {"unit_id": unit, "name_vi": f"Đơn vị {unit}", "kind": "state_agency", "level": level,
                    "parent_id": parent, "valid_from": day}  # fmt: skip
            r = await self._post("personnel", "/api/v1/units", body, replica=1)
            assert r.status_code in (201, 409), r.text
        r = await self._post("training", "/api/v1/programmes", {
            "programme_id": "CHAOS-P1", "name_vi": "Bồi dưỡng CNTT", "kind": "it_upgrade", "level": "basic",
            "hours": 40, "provider": "Sở KH&CN", "issues_certificate": False}, replica=1)  # fmt: skip
        assert r.status_code in (201, 409), r.text
        for service, table in (("training", "known_units"), ("recruitment", "org_units")):
            sql = f"SELECT count(*) FROM {table} WHERE unit_id LIKE 'CHAOS-%'"
            await _until_rows(self.stack.db_url(service), sql, len(units))

    # One write of each kind; each records its Write.
    async def appoint(self) -> str | None:
        officer = f"CHAOS-O-{uuid.uuid4().hex[:10].upper()}"
        unit = self.rng.choice(self.units)
        body = {"officer_id": officer, "full_name": "Nguyễn Văn Thử", "unit_id": unit,
                "employment_category": "civil_servant", "assignment": "dedicated", "functions": ["it_technical"],
                "effective_date": f"{YEAR}-01-01"}  # fmt: skip
        if not await self._send("personnel", "appoint", officer, "/api/v1/officers", body):
            return None
        self.officers.append(officer)
        self._dates[officer] = dt.date(YEAR, 1, 1)
        self._units[officer] = unit
        return officer

    async def transfer(self, officer: str, replica: int) -> None:
        self._dates[officer] += dt.timedelta(days=1)
        unit = self.rng.choice([u for u in self.units if u != self._units[officer]])  # a move to where it is is a 422
        body = {"to_unit_id": unit, "effective_date": self._dates[officer].isoformat()}
        if await self._send("personnel", "transfer", officer, f"/api/v1/officers/{officer}/transfer", body, replica):
            self._units[officer] = unit

    async def schedule_class(self) -> None:
        class_id = f"CHAOS-C-{uuid.uuid4().hex[:10].upper()}"
        body = {"class_id": class_id, "programme_id": "CHAOS-P1", "plan_year": YEAR, "title": "Lớp thử",
                "starts_on": f"{YEAR}-03-01", "ends_on": f"{YEAR}-03-05",
                "organiser_unit_id": self.rng.choice(self.units), "capacity": 30}  # fmt: skip
        await self._send("training", "class", class_id, "/api/v1/classes", body)

    async def open_vacancy(self) -> None:
        vacancy = f"CHAOS-V-{uuid.uuid4().hex[:10].upper()}"
        body = {"vacancy_id": vacancy, "unit_id": self.rng.choice(self.units), "function": "it_technical",
                "positions": 1, "opened_on": f"{YEAR}-02-01"}  # fmt: skip
        await self._send("recruitment", "vacancy", vacancy, "/api/v1/vacancies", body)

    async def _send(
        self, service: str, op: str, key: str, path: str, body: dict[str, Any], replica: int | None = None
    ) -> bool:
        n = replica or 1 + next(self._replica) % self.stack.replicas
        w = Write(service, op, key, n)
        self.writes.append(w)
        try:
            r = await self.client.post(self.stack.url(service, n) + path, json=body)
        except httpx.ConnectError as exc:  # nothing was sent: the replica is down
            w.status, w.error = 0, f"not sent: {exc}"
            return False
        except httpx.HTTPError as exc:  # sent, no answer: it may or may not have been stored
            w.error = f"{type(exc).__name__}: {exc}"
            return False
        w.status, w.retry_after = r.status_code, r.headers.get("Retry-After")
        if not w.acknowledged:
            w.error = r.text[:300]
            if r.headers.get("content-type", "").startswith("application/problem+json"):
                w.outcome = r.json().get("outcome")
        return w.acknowledged

    async def run(self, stop: asyncio.Event, *, workers: int = 4, pause_s: float = 0.02) -> None:
        """Write until `stop` is set: each worker appoints, transfers one of its own officers on alternating
        replicas, schedules a class or opens a vacancy."""

        async def worker(n: int) -> None:
            mine: list[str] = []
            turn = 0
            while not stop.is_set():
                roll = self.rng.random()
                if roll < 0.3 or not mine:
                    if officer := await self.appoint():
                        mine.append(officer)
                elif roll < 0.75:
                    turn += 1
                    await self.transfer(self.rng.choice(mine), 1 + turn % self.stack.replicas)
                elif roll < 0.88:
                    await self.schedule_class()
                else:
                    await self.open_vacancy()
                await asyncio.sleep(pause_s)

        await asyncio.gather(*(worker(n) for n in range(workers)))

    async def write_for(self, seconds: float, **kwargs: Any) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop, **kwargs))
        await asyncio.sleep(seconds)
        stop.set()
        await task


async def _until_rows(dsn: str, sql: str, expected: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        conn = await asyncpg.connect(dsn)
        try:
            if await conn.fetchval(sql) >= expected:
                return
        finally:
            await conn.close()
        await asyncio.sleep(0.3)
    raise TimeoutError(f"{sql}: fewer than {expected} rows after {timeout_s} s")
