"""The consumer in another language (examples/consumer-node: kafkajs, the CloudEvents SDK, ajv with the
committed JSON Schemas, none of the platform's code) reads personnel.officer from the beginning, finds every
record valid and counts officers per unit as of today: exactly what reporting counts, unit by unit.

Marked `after_everything`: it runs last in `make test`, when the end-to-end tests have produced officer events
(and reporting has applied them)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from cds_contracts import REGISTRY
from cds_contracts.personnel_officers import OfficerAppointed
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from tests.support.e2e import caught_up, ok
from tests.support.wire_kafka import end_offsets

pytestmark = [pytest.mark.e2e, pytest.mark.after_everything]
ROOT = Path(__file__).resolve().parents[2]
CONSUMER = ROOT / "examples" / "consumer-node" / "consumer.js"
REPORTING = f"http://127.0.0.1:{os.environ.get('REPORTING_HTTP_PORT', '8004')}"
TOPIC = REGISTRY.spec_for(OfficerAppointed).topic.name


@pytest.fixture(scope="module")
def reporting() -> httpx.Client:
    token = mint_token(ServiceSettings(service_name="e2e"), Role.VIEWER, subject="e2e-node")
    return httpx.Client(base_url=REPORTING, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_the_node_consumer_counts_the_officers_of_each_unit_as_reporting_does(
    bootstrap: str, reporting: httpx.Client
) -> None:
    ends = {p: end for (topic, p), end in (end_offsets(bootstrap) or {}).items() if topic == TOPIC}
    assert sum(ends.values()) > 0, "no officer events on the stack: run after the end-to-end tests"
    caught_up(reporting, timeout_s=120)
    as_of = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()

    node = subprocess.run(
        ["node", str(CONSUMER), "--until-caught-up", "--as-of", as_of, "--group", f"e2e-node-{uuid.uuid4().hex[:8]}"],
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert node.returncode == 0, f"exit {node.returncode}\n{node.stdout[-3000:]}\n{node.stderr[-3000:]}"
    counted = json.loads(node.stdout)
    assert counted["invalid"] == [] and counted["records"] >= sum(ends.values())
    assert counted["applied"] > 0 and counted["as_of"] == as_of

    answer = ok(reporting.get("/api/v1/officers/headcount", params={"as_of": as_of}))
    by_unit = {u["unit_id"]: u["own"]["total"] for u in answer["units"] if u["own"]["total"]}
    assert counted["units"] == by_unit, "the Node consumer's headcount per unit differs from reporting's"
    assert counted["total"] == answer["totals"]["total"]
    print(f"\nNode consumer: {counted['records']} records, {counted['total']} officers in {len(by_unit)} units")
