"""Loads a demo data set into the running services, only through their public HTTP APIs.

Bulk rows go through personnel's imports (JSON Lines); everything else is one call per change. Before
writing to training or recruitment the loader waits until they have learnt the units and officers it
needs from personnel's events, and at the end until reporting shows the expected head counts. Loading is
skipped when the data set's root unit already exists in personnel.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from .dataset import FIGURES_DAY, Application, Call, DataSet, Row

Progress = Callable[[str], None]
STAGES = 9
PARALLEL = 16
IMPORT_ROWS = 40_000  # rows per import call: personnel takes at most 50,000 (each call all-or-nothing)


class LoadError(RuntimeError):
    """A service refused a call, or did not catch up in time."""


@dataclass(frozen=True)
class Urls:
    personnel: str
    training: str
    recruitment: str
    reporting: str

    @classmethod
    def local(cls) -> Urls:
        """The local stack's services (ports from the environment, as scripts/env.sh sets them)."""

        def url(service: str, port: int) -> str:
            return f"http://127.0.0.1:{os.environ.get(f'{service.upper()}_HTTP_PORT', str(port))}"

        return cls(url("personnel", 8001), url("training", 8002), url("recruitment", 8003), url("reporting", 8004))


class _Api:
    def __init__(self, client: httpx.AsyncClient, urls: Urls, progress: Progress, timeout_s: float) -> None:
        self.client, self.urls, self.progress, self.timeout_s = client, urls, progress, timeout_s
        self.limit = asyncio.Semaphore(PARALLEL)

    def base(self, service: str) -> str:
        return str(getattr(self.urls, service))

    async def send(self, call: Call) -> Any:
        async with self.limit:
            response = await self.client.request(call.method, self.base(call.service) + call.path, json=call.body)
        if response.status_code >= 300:
            raise LoadError(f"{call.method} {call.service}{call.path}: {response.status_code} {response.text[:800]}")
        return response.json()

    async def get(self, service: str, path: str, **params: Any) -> httpx.Response:
        async with self.limit:
            return await self.client.get(self.base(service) + path, params=params)

    async def run(self, calls: Iterable[Call], parallel: Callable[[Call], bool] = lambda _: False) -> int:
        """Send in order; consecutive calls that `parallel` accepts go out together."""
        batch: list[Call] = []
        sent = 0
        for call in [*calls, None]:
            if call is not None and parallel(call):
                batch.append(call)
                continue
            if batch:
                await asyncio.gather(*(self.send(c) for c in batch))
                sent, batch = sent + len(batch), []
            if call is not None:
                await self.send(call)
                sent += 1
        return sent

    async def run_phases(self, calls: Iterable[Call]) -> None:
        """Send in order; consecutive calls of one phase (`Call.phase`, every transfer) go out together."""

        def key(call: Call) -> object:
            return call.phase or ("transfer" if call.path.endswith("/transfer") else id(call))

        for _, group in itertools.groupby(calls, key):
            await asyncio.gather(*(self.send(c) for c in group))

    async def import_rows(self, kind: str, rows: list[Row]) -> int:
        imported = 0
        for start in range(0, len(rows), IMPORT_ROWS):
            chunk = rows[start : start + IMPORT_ROWS]
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in chunk).encode()
            headers = {"content-type": "application/x-ndjson"}
            url = f"{self.urls.personnel}/api/v1/imports/{kind}"
            response = await self.client.post(url, content=body, headers=headers)
            if response.status_code != 201:
                raise LoadError(f"import of {kind} refused: {response.status_code} {response.text[:1500]}")
            imported += int(response.json()["imported"])
        return imported

    async def until(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        deadline = time.monotonic() + self.timeout_s
        while not await check():
            if time.monotonic() > deadline:
                raise LoadError(f"timed out after {self.timeout_s:.0f} s waiting for {what}")
            await asyncio.sleep(0.5)

    async def known(self, service: str, path: str, ids: Iterable[str], what: str) -> None:
        """Wait until GET `path`.format(id) answers 200 for every id (a service learnt them through Kafka)."""
        missing = sorted(set(ids))

        async def check() -> bool:
            nonlocal missing
            answers = await asyncio.gather(*(self.get(service, path.format(i)) for i in missing))
            missing = [i for i, r in zip(missing, answers, strict=True) if r.status_code != 200]
            return not missing

        await self.until(check, f"{service} to know {len(missing)} {what}")


async def load(ds: DataSet, urls: Urls, token: str, progress: Progress = print, *, timeout_s: float = 600) -> bool:
    """Load `ds`; False (and nothing written) when its root unit already exists in personnel. The calls made
    are `api_calls(ds)` plus the reads that wait for the services to catch up."""
    headers = {"Authorization": f"Bearer {token}"}
    # Idle connections are dropped well before uvicorn's 5 s keep-alive ends: at httpx's default (also 5 s) a
    # POST could go out on a connection the server was closing at that moment (a ReadError, seen under load).
    limits = httpx.Limits(keepalive_expiry=1.0)
    async with httpx.AsyncClient(headers=headers, timeout=120, limits=limits) as client:
        api = _Api(client, urls, progress, timeout_s)
        if (await api.get("personnel", f"/api/v1/units/{ds.root_id}")).status_code == 200:
            progress(f"Unit {ds.root_id} already exists in personnel: the demo is loaded, nothing to do.")
            missing = [
                r for r in ds.former_roots if (await api.get("personnel", f"/api/v1/units/{r}")).status_code != 200
            ]
            if missing:  # loaded by an older demo, before the former provinces joined it
                progress(f"  (former provinces {', '.join(missing)} are not loaded: `make demo RESET=1` loads them)")
            return False
        started = time.monotonic()

        def stage(n: int, text: str) -> None:
            progress(f"[{n}/{STAGES}] {text} ({time.monotonic() - started:,.1f} s)")

        if ds.former_roots:
            progress(f"      with the SYNTHETIC former provinces {', '.join(ds.former_roots)} (demo/former.py)")
        stage(1, f"units: {await api.import_rows('units', ds.units):,} imported")
        stage(2, f"officers: {await api.import_rows('officers', ds.officers):,} imported")
        teams, members = await api.import_rows("teams", ds.teams), await api.import_rows("members", ds.members)
        stage(3, f"community teams: {teams:,} and {members:,} members imported")
        await api.run(await _response_team_scope(api, ds))
        stage(4, f"incident-response team, rota and incidents: {len(ds.personnel):,} calls")
        await api.run(ds.departures, lambda _: True)
        stage(5, f"departures: {len(ds.departures):,} recorded")
        await _training(api, ds)
        stage(6, f"training: {len(ds.training) + 2 * len(ds.findings):,} calls (plan, classes, results, drills)")
        hires = await _recruitment(api, ds)
        stage(7, f"recruitment: policy, staffing plans, vacancies, {len(ds.applications)} applications, {hires} hires")
        await api.run_phases(ds.reorganisation)
        stage(8, f"reorganisation of {ds.reorganisation_day}: {len(ds.reorganisation):,} calls")
        await _reporting(api, ds)
        stage(9, "reporting has applied everything")
        return True


async def _response_team_scope(api: _Api, ds: DataSet) -> list[Call]:
    """The personnel calls; the team is formed with scope `unit` when the province already has its team."""
    calls = list(ds.personnel)
    for i, call in enumerate(calls):
        if call.path == "/api/v1/response-teams" and call.body["scope"] == "provincial":
            existing = (await api.get("personnel", "/api/v1/response-teams", scope="provincial")).json()
            if existing["total"]:
                api.progress(f"      the province already has its team ({existing['items'][0]['team_id']}): scope unit")
                calls[i] = Call(call.service, call.path, call.body | {"scope": "unit"})
    return calls


async def _training(api: _Api, ds: DataSet) -> None:
    officers, units = set(), set()
    for call in ds.training:
        body = call.body
        officers |= {body["officer_id"]} if call.path.endswith("/enrolments") else set(body.get("officer_ids", []))
        units |= set(body.get("unit_ids", [])) | ({body["organiser_unit_id"]} if "organiser_unit_id" in body else set())
    units |= {f.body["owner_unit_id"] for f in ds.findings}
    await api.known("training", "/api/v1/units/{}", units, "units")
    await api.known("training", "/api/v1/officers/{}", officers, "officers")
    calls = []
    for call in ds.training:
        if call.path == "/api/v1/plans":
            year = call.body["year"]
            if (await api.get("training", f"/api/v1/plans/{year}")).status_code == 200:
                api.progress(f"      a {year} training plan already exists in training: kept, not adopted again")
                continue
        calls.append(call)
    await api.run(calls, lambda c: c.path.endswith("/enrolments"))
    for finding in ds.findings:
        made = await api.send(Call("training", f"/api/v1/drills/{finding.drill_id}/findings", finding.body))
        if finding.closed_on:
            path = f"/api/v1/drills/{finding.drill_id}/findings/{made['finding_id']}/close"
            await api.send(Call("training", path, {"closed_on": finding.closed_on}))


async def _recruitment(api: _Api, ds: DataSet) -> int:
    units = {c.body["unit_id"] for c in ds.recruitment if "unit_id" in c.body}
    units |= {c.path.split("/")[4] for c in ds.recruitment if c.path.startswith("/api/v1/staffing-plans/")}
    await api.known("recruitment", "/api/v1/org-units/{}", units, "units")
    await api.run(ds.recruitment)
    submitted: list[tuple[Application, str]] = []
    for app in ds.applications:  # every application first: a vacancy stops taking them once filled
        body = {"vacancy_id": app.vacancy_id, "candidate": app.candidate}
        made = await api.send(Call("recruitment", "/api/v1/applications", body))
        submitted.append((app, str(made["application_id"])))
    for app, application_id in submitted:
        for stage in app.stages:
            reason = app.reason if stage in ("rejected", "declined") else None
            path = f"/api/v1/applications/{application_id}/stage"
            await api.send(Call("recruitment", path, {"to_stage": stage, "reason": reason}))
    hired = [(app, a) for app, a in submitted if app.hire]
    for app, application_id in hired:
        assert app.hire is not None
        await api.send(Call("recruitment", f"/api/v1/applications/{application_id}/hire", app.hire))

    async def appointed() -> bool:
        answers = [(await api.get("recruitment", f"/api/v1/applications/{a}")).json() for _, a in hired]
        refused = [a for a in answers if a.get("hire_status") == "refused"]
        if refused:
            raise LoadError(f"personnel refused hires: {refused}")
        return all(a.get("hire_status") == "appointed" for a in answers)

    await api.until(appointed, "personnel to appoint the hired candidates")
    departed = [c.body["officer_id"] for c in ds.exit_interviews]
    await api.known("recruitment", "/api/v1/departures/{}", departed, "departures")
    await api.run(ds.exit_interviews, lambda _: True)
    return len(hired)


async def _rolled_up(api: _Api, day: str, unit: str) -> int | None:
    response = await api.get("reporting", "/api/v1/officers/headcount", as_of=day, unit_id=unit)
    if response.status_code != 200:
        return None
    row = next((u for u in response.json()["units"] if u["unit_id"] == unit), None)
    return None if row is None else int(row["rolled_up"]["total"])


async def _reporting(api: _Api, ds: DataSet) -> None:
    expected = ds.expected
    today = ds.today.isoformat()

    async def caught_up() -> bool:
        before = await _rolled_up(api, FIGURES_DAY.isoformat(), ds.root_id)
        after = await _rolled_up(api, today, ds.successor_id)
        teams = await api.get("reporting", "/api/v1/community-teams", as_of=today, unit_id=ds.successor_id)
        members = teams.json()["totals"]["members"] if teams.status_code == 200 else None
        return (before, after, members) == (
            expected["officers"]["2024-12-31"]["total"],
            expected["officers"]["today"]["total"],
            expected["community_teams"]["today"]["members"],
        )

    await api.until(caught_up, "reporting's head counts and community teams to match the data set")


def api_calls(ds: DataSet) -> dict[str, int]:
    """Writes the loader sends for `ds` (imports by call, rows imported, other calls), for the demo's report."""
    imports = sum(-(-len(rows) // IMPORT_ROWS) for rows in (ds.units, ds.officers, ds.teams, ds.members))
    rows = len(ds.units) + len(ds.officers) + len(ds.teams) + len(ds.members)
    findings = len(ds.findings) + sum(f.closed_on is not None for f in ds.findings)
    applications = sum(1 + len(a.stages) + (a.hire is not None) for a in ds.applications)
    calls = len(ds.personnel) + len(ds.departures) + len(ds.training) + findings + len(ds.recruitment)
    calls += applications + len(ds.exit_interviews) + len(ds.reorganisation)
    return {"import_calls": imports, "rows_imported": rows, "other_calls": calls}
