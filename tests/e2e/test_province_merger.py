"""The 2025 reform end to end (`make up`): three provinces onboarded as packages, each with a district of
communes, merged into one successor on 2025-07-01 by one request (districts dissolved, communes under the
successor); reporting's tree on the day has every commune under the successor, and its headcount on the
day equals the three provinces' on the day before. Codes carry a random prefix."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from demo.package_loader import PackageError
from tests.support import province_package as pp
from tests.support.e2e import eventually, ok

pytestmark = pytest.mark.e2e
PERSONNEL = f"http://127.0.0.1:{os.environ.get('PERSONNEL_HTTP_PORT', '8001')}"
REPORTING = f"http://127.0.0.1:{os.environ.get('REPORTING_HTTP_PORT', '8004')}"
DAY, BEFORE = "2025-07-01", "2025-06-30"


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[httpx.Client, httpx.Client]]:
    settings = ServiceSettings(service_name="e2e")
    admin = {"Authorization": f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN, subject='e2e-merger')}"}
    viewer = {"Authorization": f"Bearer {mint_token(settings, Role.VIEWER, subject='e2e-merger')}"}
    with (
        httpx.Client(base_url=PERSONNEL, headers=admin, timeout=60) as p,
        httpx.Client(base_url=REPORTING, headers=viewer, timeout=30) as r,
    ):
        yield p, r


def load(p: httpx.Client, files: pp.Files) -> None:
    answer = p.post("/api/v1/packages", content=pp.as_zip(files), headers={"content-type": "application/zip"})
    location = ok(answer, 202) and answer.headers["location"]

    def done() -> bool:
        record = ok(p.get(location))
        if record["status"] == "failed":
            raise PackageError(record["error"])
        return bool(record["status"] == "succeeded")

    eventually(done, "the package imported", timeout_s=60)


def rolled_up(r: httpx.Client, as_of: str, unit_id: str) -> int | None:
    res = r.get("/api/v1/officers/headcount", params={"as_of": as_of, "unit_id": unit_id})
    if res.status_code != 200:
        return None
    units = {u["unit_id"]: u for u in res.json()["units"]}
    total = units.get(unit_id, {}).get("rolled_up", {}).get("total")
    return None if total is None else int(total)


def test_three_provinces_merge_into_one_in_reporting(clients: tuple[httpx.Client, httpx.Client]) -> None:
    p, r = clients
    x = f"M{uuid.uuid4().hex[:6].upper()}"
    roots = [f"{x}{name}" for name in ("VP", "PT", "HB")]
    packages = {root: pp.files(root, communes=3, district=True) for root in roots}
    for files in packages.values():
        load(p, files)
    # Each: root, department, district, three communes; two officers in each.
    eventually(lambda: all(rolled_up(r, BEFORE, root) == 12 for root in roots), "the three provinces")

    successor = f"{x}-PHU-THO"
    body = {"unit_id": successor, "name_vi": "Tỉnh Phú Thọ (mới)", "kind": "peoples_committee", "level": "province"}
    ok(p.post("/api/v1/units", json=body | {"valid_from": DAY}), 201)
    merge = {"successor_id": successor, "predecessor_ids": roots, "effective_date": DAY, "dissolve_districts": True}
    ok(p.post("/api/v1/units/merge", json=merge))

    eventually(lambda: rolled_up(r, DAY, successor) == 3 * 12, "the successor's headcount")
    assert [rolled_up(r, BEFORE, root) for root in roots] == [12, 12, 12]  # the day before stands as it was

    def children(as_of: str, unit_id: str) -> set[str]:
        units: list[dict[str, Any]] = ok(r.get("/api/v1/units/tree", params={"as_of": as_of}))["units"]
        node = next(u for u in units if u["unit_id"] == unit_id)
        return {c["unit_id"] for c in node["children"]}

    communes = {f"{root}-X{i}" for root in roots for i in (1, 2, 3)}
    assert children(DAY, successor) == communes | {f"{root}-SO" for root in roots}
    assert children(BEFORE, roots[0]) == {f"{roots[0]}-SO", f"{roots[0]}-H"}
