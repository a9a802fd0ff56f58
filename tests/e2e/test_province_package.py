"""A province package end to end (`make up`): zip of CSV files with Vietnamese headers -> personnel (dry run,
then 202 and the import record's progress) -> one transaction and the outbox -> Kafka -> reporting's
headcount and community teams. Codes carry a random prefix, so runs on a long-lived stack stay apart."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings, default_bootstrap
from tests.support import province_package as pp
from tests.support.e2e import eventually, ok
from tests.support.wire_kafka import end_offsets, read_since

pytestmark = pytest.mark.e2e
PERSONNEL = f"http://127.0.0.1:{os.environ.get('PERSONNEL_HTTP_PORT', '8001')}"
REPORTING = f"http://127.0.0.1:{os.environ.get('REPORTING_HTTP_PORT', '8004')}"
ON = "2024-06-01"


def client(base: str, role: Role) -> httpx.Client:
    token = mint_token(ServiceSettings(service_name="e2e"), role, subject="e2e-packages")
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with client(PERSONNEL, Role.PROVINCE_ADMIN) as p, client(REPORTING, Role.VIEWER) as r:
        yield p, r


def follow(p: httpx.Client, location: str) -> dict[str, Any]:
    """Poll the import record as an operator's client does, printing each phase it sees."""
    seen = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        record: dict[str, Any] = ok(p.get(location))
        if (record["phase"], record["rows_done"]) != seen:
            seen = (record["phase"], record["rows_done"])
            print(f"import {record['import_id']}: {record['phase']} {record['rows_done']}/{record['rows_total']}")
        if record["status"] != "running":
            return record
        time.sleep(0.2)
    raise AssertionError("the import never finished")


def test_a_good_package_lands_with_its_events_on_kafka_and_in_reporting(
    clients: tuple[httpx.Client, httpx.Client],
) -> None:
    p, r = clients
    x = f"PK{uuid.uuid4().hex[:6].upper()}"
    package = pp.files(x, communes=4, officers_per_unit=3)
    body = pp.as_zip(package)
    headers = {"content-type": "application/zip"}
    dry = ok(
        p.post("/api/v1/packages", params={"dry_run": "true", "file_name": f"{x}.zip"}, content=body, headers=headers)
    )
    assert dry["valid"] and dry["counts"] == pp.counts(package)

    since = end_offsets(default_bootstrap())
    answer = p.post("/api/v1/packages", params={"file_name": f"{x}.zip"}, content=body, headers=headers)
    ok(answer, 202)
    record = follow(p, answer.headers["location"])
    assert record["status"] == "succeeded", record
    assert record["counts"] == {
        "units": 6,
        "officers": 18,
        "teams": 4,
        "members": 8,
        "response_teams": 1,
        "response_members": 1,
    }

    # On Kafka: every unit and every appointment of the package, keyed by its code, correlated to the import.
    topics = ["personnel.org-unit", "personnel.officer", "personnel.community-team"]
    records = [m for m in read_since(default_bootstrap(), topics, since) if (m.key or b"").startswith(x.encode())]
    by_topic = {t: [m for m in records if m.topic == t] for t in topics}
    assert len(by_topic["personnel.org-unit"]) == 6
    assert len({m.key for m in by_topic["personnel.officer"]}) == 18
    assert len(by_topic["personnel.community-team"]) == 4 + 8
    correlations = {dict(m.headers).get("ce_correlationid") for m in records}
    assert correlations == {record["import_id"].encode()}, correlations

    def in_reporting() -> bool:
        res = r.get("/api/v1/officers/headcount", params={"as_of": ON, "unit_id": x})
        if res.status_code != 200:
            return False
        units = {u["unit_id"]: u for u in res.json()["units"]}
        return bool(units.get(x, {}).get("rolled_up", {}).get("total") == 18)

    eventually(in_reporting, "the package's 18 officers under its province")
