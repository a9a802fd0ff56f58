"""Personal fields and the access log on a real service app (create_service_app, real PostgreSQL): who sees
a person's fields, one append-only log row per response that showed any, the audit endpoint's filters,
and no personal data at all when the log cannot be written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import asyncpg
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.personal import PersonalRecord, personal
from cds_plumbing.runtime import create_service_app
from cds_plumbing.settings import ServiceSettings

pytestmark = pytest.mark.integration
TREE = {"PROVINCE": None, "DEPT": "PROVINCE", "DEPT.OFFICE": "DEPT", "COMMUNE": "PROVINCE"}


class Person(PersonalRecord):
    subject_kind: ClassVar[str] = "officer"
    subject_id_field: ClassVar[str] = "person_id"

    person_id: str
    unit_id: str
    full_name: str | None = personal("Name.", "name")


class People(BaseModel):
    items: list[Person]


router = APIRouter(prefix="/api/v1/people")


@router.get("", response_model=People)
async def people() -> dict[str, Any]:
    rows = [("P1", "DEPT.OFFICE", "Nguyễn Thị Hoa"), ("P2", "COMMUNE", "Lê Văn Bình")]
    return {"items": [{"person_id": i, "unit_id": u, "full_name": n, "scope_unit": u} for i, u, n in rows]}


async def subtree(unit: str) -> frozenset[str]:
    return frozenset(u for u in TREE if _under(u, unit))


def _under(unit: str | None, root: str) -> bool:
    while unit is not None:
        if unit == root:
            return True
        unit = TREE[unit]
    return False


@pytest.fixture
def client(database: str, bootstrap: str) -> Iterator[tuple[TestClient, ServiceSettings]]:
    settings = ServiceSettings(
        service_name=f"svc{uuid.uuid4().hex[:6]}", database_url=database, kafka_bootstrap_servers=bootstrap
    )
    app = create_service_app(settings, title="People", routers=[router], unit_subtree=subtree)
    with TestClient(app) as c:
        yield c, settings


def as_(settings: ServiceSettings, role: Role, unit: str | None = None, who: str = "u") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, role, unit=unit, subject=who)}"}


async def log_rows(database: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(database)
    try:
        return [dict(r) for r in await conn.fetch("SELECT * FROM personal_data_access ORDER BY id")]
    finally:
        await conn.close()


def names(c: TestClient, headers: dict[str, str]) -> dict[str, str | None]:
    r = c.get("/api/v1/people", headers=headers)
    assert r.status_code == 200, r.text
    return {p["person_id"]: p["full_name"] for p in r.json()["items"]}


def test_who_sees_whom_and_one_log_row_per_response(client: tuple[TestClient, ServiceSettings], database: str) -> None:
    c, s = client
    assert c.get("/api/v1/people").status_code == 401
    assert names(c, as_(s, Role.VIEWER, who="viewer-1")) == {"P1": None, "P2": None}
    assert names(c, as_(s, Role.UNIT_EDITOR, "DEPT", "dept-editor")) == {"P1": "Nguyễn Thị Hoa", "P2": None}
    assert names(c, as_(s, Role.UNIT_EDITOR, "COMMUNE", "commune-editor")) == {"P1": None, "P2": "Lê Văn Bình"}
    both = {"P1": "Nguyễn Thị Hoa", "P2": "Lê Văn Bình"}
    assert names(c, as_(s, Role.PROVINCE_ADMIN, who="admin-1")) == both
    assert "scope_unit" not in c.get("/api/v1/people", headers=as_(s, Role.PROVINCE_ADMIN)).json()["items"][0]

    rows = c.portal.call(log_rows, database)  # type: ignore[union-attr]
    # The viewer saw nothing personal: no row. Each other response: one row naming exactly whom it showed.
    assert [(r["actor"], r["role"], r["subject_ids"]) for r in rows] == [
        ("dept-editor", "unit_editor", ["P1"]),
        ("commune-editor", "unit_editor", ["P2"]),
        ("admin-1", "province_admin", ["P1", "P2"]),
        ("u", "province_admin", ["P1", "P2"]),
    ]
    assert rows[0]["operation"] == "GET /api/v1/people" and rows[0]["subject_kinds"] == ["officer"]


def test_the_log_is_append_only_and_the_audit_endpoint_filters_it(
    client: tuple[TestClient, ServiceSettings], database: str
) -> None:
    c, s = client
    start = dt.datetime.now(dt.UTC)
    names(c, as_(s, Role.UNIT_EDITOR, "DEPT", "dept-editor"))
    names(c, as_(s, Role.PROVINCE_ADMIN, who="admin-1"))
    audit = "/api/v1/audit/personal-data-access"
    assert c.get(audit, headers=as_(s, Role.VIEWER)).status_code == 403
    assert c.get(audit, headers=as_(s, Role.UNIT_EDITOR, "DEPT")).status_code == 403
    admin = as_(s, Role.PROVINCE_ADMIN, who="auditor")

    def actors(**params: str) -> list[str]:
        r = c.get(audit, params=params, headers=admin)
        assert r.status_code == 200, r.text
        return [e["actor"] for e in r.json()["items"]]

    assert actors() == ["admin-1", "dept-editor"]  # newest first; reading the log shows nobody's fields
    assert actors(subject="P2") == ["admin-1"]
    assert actors(actor="dept-editor") == ["dept-editor"]
    assert actors(since=start.isoformat(), until=(start + dt.timedelta(hours=1)).isoformat()) == [
        "admin-1",
        "dept-editor",
    ]
    assert actors(until=start.isoformat()) == []

    async def tamper() -> list[str]:
        conn = await asyncpg.connect(database)
        refused = []
        try:
            for sql in (
                "UPDATE personal_data_access SET actor = 'nobody'",
                "DELETE FROM personal_data_access",
                "TRUNCATE personal_data_access",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                    await conn.execute(sql)
                refused.append(sql.split()[0])
        finally:
            await conn.close()
        return refused

    assert c.portal.call(tamper) == ["UPDATE", "DELETE", "TRUNCATE"]  # type: ignore[union-attr]
    assert len(c.portal.call(log_rows, database)) == 2  # type: ignore[union-attr]


def test_no_record_no_personal_data(client: tuple[TestClient, ServiceSettings], database: str) -> None:
    c, s = client

    async def break_the_log() -> None:
        conn = await asyncpg.connect(database)
        try:
            await conn.execute("ALTER TABLE personal_data_access RENAME TO personal_data_access_away")
        finally:
            await conn.close()

    c.portal.call(break_the_log)  # type: ignore[union-attr]
    r = c.get("/api/v1/people", headers=as_(s, Role.PROVINCE_ADMIN))
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert "Nguyễn" not in r.text and "recorded" in r.json()["detail"]
    assert names(c, as_(s, Role.VIEWER)) == {"P1": None, "P2": None}  # nothing personal: nothing to record
