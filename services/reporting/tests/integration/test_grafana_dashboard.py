"""The provisioned Grafana dashboard (deploy/grafana) runs against the real BI views.

Grafana itself is not run here (no Docker engine); what can break is ours: a panel's SQL naming a view or
column that doesn't exist, or a panel pointing at a data source that isn't provisioned."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.reporting.tests.integration.scenario import Feeder, history, reorganisation

pytestmark = pytest.mark.integration
GRAFANA = Path(__file__).resolve().parents[4] / "deploy" / "grafana"


def _dashboard() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((GRAFANA / "dashboards" / "cds-workforce.json").read_text(encoding="utf-8"))
    return body


def _panel_sql() -> dict[str, str]:
    return {p["title"]: t["rawSql"] for p in _dashboard()["panels"] for t in p["targets"]}


def test_panels_use_the_provisioned_data_source() -> None:
    provisioned = (GRAFANA / "provisioning" / "datasources" / "reporting.yaml").read_text(encoding="utf-8")
    uid = re.search(r"^\s+uid:\s*(\S+)", provisioned, re.M)
    assert uid is not None
    used = {p["datasource"]["uid"] for p in _dashboard()["panels"]}
    used |= {t["datasource"]["uid"] for p in _dashboard()["panels"] for t in p["targets"]}
    assert used == {uid.group(1)}


async def test_every_panel_query_runs_on_the_bi_views(feeder: Feeder, rpool: asyncpg.Pool) -> None:
    await feeder.feed(history() + reorganisation())
    views = {
        r["table_name"]
        for r in await rpool.fetch("SELECT table_name FROM information_schema.views WHERE table_schema = 'reporting'")
    }
    results: dict[str, list[asyncpg.Record]] = {}
    for title, sql in _panel_sql().items():
        assert set(re.findall(r"reporting\.(v_\w+)", sql)) <= views, title
        assert not re.search(r"\bproj_\d+\b", sql), f"{title}: query the views, not a projection schema"
        # Grafana's login may only read: run each query the way it would, in a read-only transaction
        async with rpool.acquire() as conn, conn.transaction(readonly=True):
            results[title] = list(await conn.fetch(sql))
    # Today (after the 2025 reorganisation) O1-O5, O7 and O8 serve; O6 left in 2025
    assert results["Cán bộ CĐS hôm nay (CĐS officers today)"][0]["officers"] == 7
    by_reason = results["Nghỉ việc theo tháng và lý do (departures per month by reason)"]
    assert [(r["metric"], r["value"]) for r in by_reason] == [("private_sector", 1)]
