"""First end-to-end path with both services running as processes (`make up`): HTTP commands to personnel
-> PostgreSQL + outbox -> Kafka -> reporting's projections -> reporting's HTTP answers.

A province with a district of three communes in 2024; on 2025-07-01 (recorded afterwards, so dated in
the past) the province merges into a new one, two communes merge, the district is dissolved. Reporting
must answer the 2024 tree for a 2024 date and today's tree for today. Codes carry a random prefix so
runs against a long-lived stack never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from tests.support.clock import province_today
from tests.support.e2e import caught_up, eventually, ok

pytestmark = pytest.mark.e2e
PERSONNEL = f"http://127.0.0.1:{os.environ.get('PERSONNEL_HTTP_PORT', '8001')}"
REPORTING = f"http://127.0.0.1:{os.environ.get('REPORTING_HTTP_PORT', '8004')}"
OLD, NEW = "2024-12-31", province_today().isoformat()


@pytest.fixture(scope="module")
def p() -> Iterator[httpx.Client]:
    token = mint_token(ServiceSettings(service_name="e2e"), Role.PROVINCE_ADMIN, subject="e2e")
    with httpx.Client(base_url=PERSONNEL, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def r() -> Iterator[httpx.Client]:
    token = mint_token(ServiceSettings(service_name="e2e"), Role.VIEWER, subject="e2e-viewer")
    with httpx.Client(base_url=REPORTING, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def world(p: httpx.Client, r: httpx.Client) -> dict[str, str]:
    """Builds the scenario once through personnel's API; returns code names to real codes."""
    x = f"E{uuid.uuid4().hex[:6].upper()}"
    c = {k: f"{x}-{k}" for k in ("VP", "SO", "DANG", "IMP", "TD", "A", "B", "C", "PT", "AB")}

    def unit(
        key: str, level: str, parent: str | None, kind: str = "peoples_committee", since: str = "2020-01-01"
    ) -> None:
        body = {
            "unit_id": c[key],
            "name_vi": f"Đơn vị {key}",
            "kind": kind,
            "level": level,
            "parent_id": c[parent] if parent else None,
            "valid_from": since,
        }
        ok(p.post("/api/v1/units", json=body), 201)

    unit("VP", "province", None)
    unit("SO", "province", "VP", "state_agency")
    unit("DANG", "province", "VP", "party_agency")
    unit("IMP", "province", "VP", "public_service_unit")
    unit("TD", "district", "VP")
    for commune in ("A", "B", "C"):
        unit(commune, "commune", "TD")

    def appoint(key: str, assignment: str, functions: list[str]) -> str:
        body = {
            "full_name": "Nguyễn Văn A",
            "unit_id": c[key],
            "employment_category": "civil_servant",
            "assignment": assignment,
            "functions": functions,
            "effective_date": "2024-01-15",
        }
        return str(ok(p.post("/api/v1/officers", json=body), 201)["officer_id"])

    appoint("SO", "dedicated", ["it_leader"])
    appoint("SO", "dedicated", ["it_technical", "information_security"])
    appoint("DANG", "concurrent", ["it_technical"])
    appoint("A", "concurrent", ["it_leader", "it_technical"])
    appoint("B", "concurrent", ["cds_network_member"])
    leaver = appoint("C", "dedicated", ["information_security"])
    ok(
        p.post(
            f"/api/v1/officers/{leaver}/departure",
            json={"effective_date": "2025-03-01", "reason": "private_sector", "destination": "Viettel"},
        )
    )

    team_a = ok(p.post("/api/v1/community-teams", json={"commune_id": c["A"], "established_on": "2023-05-01"}), 201)
    team_c = ok(p.post("/api/v1/community-teams", json={"commune_id": c["C"], "established_on": "2023-06-01"}), 201)
    for team, affiliation, role in (
        (team_a, "youth_union", "leader"),
        (team_a, "womens_union", "member"),
        (team_c, "farmers_association", "leader"),
    ):
        ok(
            p.post(
                f"/api/v1/community-teams/{team['team_id']}/members",
                json={"full_name": "Trần Thị B", "affiliation": affiliation, "role": role, "joined_on": "2023-07-01"},
            ),
            201,
        )

    # The 2025-07-01 reorganisation, recorded now.
    unit("PT", "province", None, since="2025-07-01")
    ok(
        p.post(
            "/api/v1/units/merge",
            json={"successor_id": c["PT"], "predecessor_ids": [c["VP"]], "effective_date": "2025-07-01"},
        )
    )
    unit("AB", "commune", "TD", since="2025-07-01")
    ok(
        p.post(
            "/api/v1/units/merge",
            json={"successor_id": c["AB"], "predecessor_ids": [c["A"], c["B"]], "effective_date": "2025-07-01"},
        )
    )
    for commune in ("AB", "C"):
        ok(p.post(f"/api/v1/units/{c[commune]}/move", json={"parent_id": c["PT"], "effective_date": "2025-07-01"}))
    ok(p.post(f"/api/v1/units/{c['TD']}/dissolve", json={"effective_date": "2025-07-01"}))

    # Bulk import: 5,000 officers, JSON Lines, events through the outbox like any other change.
    rows = [
        f'{{"full_name": "Cán bộ {i}", "unit_id": "{c["IMP"]}", "employment_category": "public_employee", '
        f'"assignment": "concurrent", "functions": ["cds_network_member"], "effective_date": "2024-02-01"}}'
        for i in range(5_000)
    ]
    imported = ok(
        p.post(
            "/api/v1/imports/officers",
            content="\n".join(rows).encode(),
            headers={"content-type": "application/x-ndjson"},
        ),
        201,
    )
    assert imported["imported"] == 5_000

    def scenario_applied() -> bool:
        res = r.get("/api/v1/officers/headcount", params={"as_of": NEW, "unit_id": c["PT"]})
        if res.status_code != 200:
            return False
        totals = {u["unit_id"]: u for u in res.json()["units"]}
        return totals.get(c["PT"], {}).get("rolled_up", {}).get("total") == 5_005 and c["AB"] in totals

    # the figures waited for need neither the moves nor the dissolution of other units and teams
    caught_up(r)
    eventually(scenario_applied, "every event of the scenario")
    return c


def counts(r: httpx.Client, as_of: str, unit_id: str) -> dict[str, Any]:
    body = ok(r.get("/api/v1/officers/headcount", params={"as_of": as_of, "unit_id": unit_id}))
    return {u["unit_id"]: u for u in body["units"]}


def test_2024_headcount_uses_the_2024_tree(r: httpx.Client, world: dict[str, str]) -> None:
    units = counts(r, OLD, world["VP"])
    assert units[world["VP"]]["rolled_up"] == {
        "total": 5_006,
        "dedicated": 3,
        "concurrent": 5_003,
        "information_security": 2,
        "it_technical": 3,
        "it_leader": 2,
    }
    assert units[world["TD"]]["rolled_up"] == {
        "total": 3,
        "dedicated": 1,
        "concurrent": 2,
        "information_security": 1,
        "it_technical": 1,
        "it_leader": 1,
    }
    assert units[world["A"]]["own"]["total"] == 1 and units[world["IMP"]]["own"]["total"] == 5_000
    assert world["PT"] not in units and world["AB"] not in units


def test_todays_headcount_uses_todays_tree_and_leaves_out_the_departed(r: httpx.Client, world: dict[str, str]) -> None:
    units = counts(r, NEW, world["PT"])
    assert units[world["PT"]]["rolled_up"] == {
        "total": 5_005,
        "dedicated": 2,
        "concurrent": 5_003,
        "information_security": 1,
        "it_technical": 3,
        "it_leader": 2,
    }
    assert units[world["AB"]]["own"]["total"] == 2  # carried from the merged communes A and B
    assert units[world["C"]]["own"]["total"] == 0  # its only officer left for the private sector
    assert {world[k] for k in ("VP", "TD", "A", "B")}.isdisjoint(units)
    assert r.get("/api/v1/officers/headcount", params={"as_of": NEW, "unit_id": world["TD"]}).status_code == 404


def test_coverage_rule_lists_the_failing_agencies_on_each_date(r: httpx.Client, world: dict[str, str]) -> None:
    def failing(as_of: str) -> set[str]:
        root = world["VP"] if as_of == OLD else world["PT"]
        body = ok(r.get("/api/v1/officers/coverage", params={"as_of": as_of, "unit_id": root}))
        return {a["unit_id"] for a in body["failing"]}

    mine = {k: v for k, v in world.items()}
    assert failing(OLD) == {mine[k] for k in ("VP", "DANG", "IMP", "TD", "B", "C")}
    assert failing(NEW) == {mine[k] for k in ("PT", "DANG", "IMP", "C")}


def test_community_teams_follow_their_communes(r: httpx.Client, world: dict[str, str]) -> None:
    def by_commune(as_of: str) -> dict[str, tuple[int, int]]:
        root = world["VP"] if as_of == OLD else world["PT"]
        body = ok(r.get("/api/v1/community-teams", params={"as_of": as_of, "unit_id": root}))
        assert body["totals"] == {"teams": 2, "members": 3}
        return {row["commune_id"]: (row["teams"], row["members"]) for row in body["by_commune"]}

    assert by_commune(OLD) == {world["A"]: (1, 2), world["C"]: (1, 1)}
    assert by_commune(NEW) == {world["AB"]: (1, 2), world["C"]: (1, 1)}


def test_the_unit_tree_and_freshness(r: httpx.Client, world: dict[str, str]) -> None:
    def subtree(as_of: str, root: str) -> dict[str, Any]:
        units = ok(r.get("/api/v1/units/tree", params={"as_of": as_of}))["units"]
        node = next(u for u in units if u["unit_id"] == world[root])

        def ids(n: dict[str, Any]) -> dict[str, Any]:
            return {n["unit_id"].split("-", 1)[1]: {k: v for ch in n["children"] for k, v in ids(ch).items()}}

        return ids(node)

    assert subtree(OLD, "VP") == {"VP": {"SO": {}, "DANG": {}, "IMP": {}, "TD": {"A": {}, "B": {}, "C": {}}}}
    assert subtree(NEW, "PT") == {"PT": {"SO": {}, "DANG": {}, "IMP": {}, "AB": {}, "C": {}}}
    fresh = ok(r.get("/api/v1/freshness"))
    by_topic = {t["topic"]: t for t in fresh["topics"]}
    assert by_topic["personnel.officer"]["event_time"] is not None
    assert fresh["current_to"] is not None
