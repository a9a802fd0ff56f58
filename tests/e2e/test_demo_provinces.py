"""The three-province demo at reduced scale, loaded through the loader and the services' public APIs: Vĩnh
Phúc's 31/12/2024 figures and every other headline figure equal the generator's, the merged province today
included; each former province on 31/12/2024 is its own unit slice. Codes carry a random prefix.

The second test reads reporting's lineage slice (`former_province=<former root>`): the merged province's
overview today equals the sum of the three former provinces' overviews, and a former province on the
merger day equals its own figures the day before."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from functools import cache
from typing import Any

import httpx
import pytest

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from demo.__main__ import viewer_token
from demo.dataset import REORGANISATION_DAY, DataSet
from demo.generator import generate
from demo.loader import Urls, load
from demo.shares import LINEAGE, lineage_supported
from tests.support.e2e import settled_summary

pytestmark = pytest.mark.e2e
ADDITIVE = (
    ("officers", "total"),
    ("officers", "dedicated"),
    ("officers", "concurrent"),
    ("information_security", "officers"),
    ("community_teams", "teams"),
    ("community_teams", "members"),
)


@cache
def loaded() -> DataSet:
    ds = generate(seed=11, scale=0.05, prefix=f"P{uuid.uuid4().hex[:5].upper()}-", former=True)
    token = mint_token(ServiceSettings(service_name="e2e"), Role.PROVINCE_ADMIN, subject="e2e-demo-provinces")
    lines: list[str] = []
    assert asyncio.run(load(ds, Urls.local(), token, lines.append, timeout_s=300)) is True, lines
    return ds


def reporting() -> httpx.Client:
    headers = {"Authorization": f"Bearer {viewer_token()}"}
    return httpx.Client(base_url=Urls.local().reporting, headers=headers, timeout=30)


def cards(client: httpx.Client, day: dt.date, **slice_: str) -> dict[str, Any]:
    response = client.get("/api/v1/overview", params={"as_of": day.isoformat(), **slice_})
    assert response.status_code == 200, response.text
    return dict(response.json()["cards"])


def test_three_provinces_load_with_vinh_phuc_2024_unchanged_and_the_merged_province_today() -> None:
    ds = loaded()
    rows = settled_summary(ds, Urls.local().reporting)
    mismatches = [row for row in rows if row[1] != row[2]]
    assert not mismatches, mismatches
    labels = [r[0] for r in rows]
    assert sum("[SYNTHETIC]" in label for label in labels) >= 2  # the two synthetic provinces, named as such
    today = next(r for r in rows if r[0].startswith(f"Cán bộ CĐS {ds.today.strftime('%d/%m/%Y')}"))
    vinh_phuc_only = ds.expected["former"][ds.root_id]["officers"]["today"]["total"]
    assert today[1] > vinh_phuc_only  # the merged province is more than former Vĩnh Phúc


def test_the_merged_province_is_the_sum_of_the_three_former_provinces() -> None:
    with reporting() as client:
        assert lineage_supported(client), f"reporting's overview does not document `{LINEAGE}`"
        ds = loaded()
        roots = (ds.root_id, *ds.former_roots)
        merged = cards(client, ds.today, unit_id=ds.successor_id)
        parts = [cards(client, ds.today, **{LINEAGE: r}) for r in roots]
        for card, field in ADDITIVE:
            assert merged[card][field] == sum(p[card][field] for p in parts), (card, field, merged, parts)
        assert all(p["officers"]["total"] > 0 for p in parts)
        eve = REORGANISATION_DAY - dt.timedelta(days=1)
        for root in roots:  # nothing but the reorganisation happened on the merger day
            on_the_day, before = cards(client, REORGANISATION_DAY, **{LINEAGE: root}), cards(client, eve, unit_id=root)
            for card, field in ADDITIVE:
                assert on_the_day[card][field] == before[card][field], (root, card, field)
