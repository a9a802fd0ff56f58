"""Province packages on a real database: all or nothing, every error named by file, row and column, a dry
run that writes nothing, and one import record with its counts."""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_plumbing.auth import Role, mint_token
from personnel.adapters import package_imports_repo as records
from personnel.config import Settings
from personnel.entrypoints.app import create_app
from personnel.service_layer import packages
from personnel.service_layer.package_files import Limits
from tests.support import province_package as pp

from .support import ok, outbox_rows, unit

ZIP = {"content-type": "application/zip"}


def wait_for(api: TestClient, import_id: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        record = ok(api.get(f"/api/v1/packages/{import_id}"))
        if record["status"] != "running" or time.monotonic() > deadline:
            return record
        time.sleep(0.1)


async def written(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        tables = ("org_unit_versions", "officers", "community_teams", "community_team_members", "response_teams")
        out = {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in tables}
        out["outbox"] = int(await conn.fetchval("SELECT count(*) FROM outbox"))
        out["records"] = int(await conn.fetchval("SELECT count(*) FROM package_imports"))
        return out
    finally:
        await conn.close()


def nothing(counts: dict[str, int]) -> bool:
    return all(n == 0 for n in counts.values())


async def test_a_good_package_lands_whole_with_its_events_and_one_record(api: TestClient, database: str) -> None:
    package = pp.files("PK", communes=3)
    dry = ok(api.post("/api/v1/packages?dry_run=true&file_name=pk.zip", content=pp.as_zip(package), headers=ZIP))
    assert dry["valid"] and dry["errors"] == [] and dry["counts"] == pp.counts(package)
    assert nothing(await written(database)), "a dry run writes nothing"

    answer = api.post("/api/v1/packages?file_name=pk.zip", content=pp.as_zip(package), headers=ZIP)
    started = ok(answer, 202)
    assert answer.headers["location"] == f"/api/v1/packages/{started['import_id']}"
    record = wait_for(api, started["import_id"])
    assert record["status"] == "succeeded", record
    assert record["counts"] == {
        "units": 5,
        "officers": 10,
        "teams": 3,
        "members": 6,
        "response_teams": 1,
        "response_members": 1,
    }
    assert record["rows_done"] == record["rows_total"] == 26 and record["actor"] == "admin"
    assert record["file_name"] == "pk.zip" and len(record["sha256"]) == 64

    tree = ok(api.get("/api/v1/units/tree?as_of=2024-06-01"))
    assert "PK-X3" in str(tree)
    officer = ok(api.get("/api/v1/officers?unit_id=PK-SO&as_of=2024-06-01"))
    assert officer["total"] == 2
    rows = await outbox_rows(database)
    assert len(rows) == dry["events"] == 5 + 20 + 3 + 6 + 1 + 1
    assert {r["headers"]["correlation_id"] for r in rows} == {record["import_id"]}
    listed = ok(api.get("/api/v1/packages"))
    assert [i["import_id"] for i in listed["items"]] == [record["import_id"]]


async def test_one_bad_row_writes_nothing_and_names_file_row_and_column(api: TestClient, database: str) -> None:
    package = pp.files("PB")
    package["can_bo.csv"][3]["Ngày bổ nhiệm"] = "31/02/2024"  # line 5 of can_bo.csv: no such day
    r = api.post("/api/v1/packages", content=pp.as_zip(package), headers=ZIP)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error_count"] == 1
    assert body["errors"][0] | {"message": ""} == {
        "file": "can_bo.csv",
        "row": 5,
        "field": "effective_date",
        "message": "",
    }
    assert nothing(await written(database))

    # The dry run names the same row and still writes nothing (no record either).
    report = ok(api.post("/api/v1/packages?dry_run=true", content=pp.as_zip(package), headers=ZIP))
    assert not report["valid"] and report["errors"] == body["errors"]
    assert report["counts"]["officers"] == 10
    assert nothing(await written(database))


async def test_references_across_files_and_the_database_are_checked_before_writing(
    api: TestClient, database: str
) -> None:
    unit(api, "DB", "province", None)
    unit(api, "DB-X", "commune", "DB")
    package = pp.files("PC", parent="DB")  # under a stored unit: fine for the root...
    package["don_vi.csv"][0]["Cấp"] = "Tỉnh"
    package["don_vi.csv"][1]["Mã đơn vị cha"] = "DB-X"  # ...an agency under a stored commune is not
    package["thanh_vien_to.csv"][0]["Mã tổ"] = "PC-NO-SUCH-TEAM"
    package["to_cong_nghe.csv"][1]["Mã xã"] = "PC-SO"  # a team in an agency of the package
    package["can_bo.csv"].append(copy.deepcopy(package["can_bo.csv"][0]))  # a duplicate officer code
    package["thanh_vien_doi.csv"][0]["Mã cán bộ"] = "DB-NOBODY"
    before = await written(database)
    report = ok(api.post("/api/v1/packages?dry_run=true", content=pp.as_jsonl(package)))
    found = {(e["file"], e["row"], e["field"]) for e in report["errors"]}
    assert found == {
        ("package.jsonl", 2, "level"),
        ("package.jsonl", 16, "officer_id"),
        ("package.jsonl", 18, "commune_id"),
        ("package.jsonl", 20, "team_id"),
        ("package.jsonl", 27, "officer_id"),
    }, report["errors"]
    assert "commune-level DB-X" in str(report["errors"])
    r = api.post("/api/v1/packages", content=pp.as_jsonl(package), headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 422 and r.json()["error_count"] == 5
    assert await written(database) == before


@pytest.fixture
def small(database: str, bootstrap: str, topic_prefix: str) -> Iterator[TestClient]:
    """The app with small package limits, to reach them cheaply."""
    settings = Settings(
        database_url=database,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=topic_prefix,
        package_max_bytes=200_000,
        package_max_uncompressed_bytes=1_000_000,
    )
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN, subject='admin')}"
    with client:
        yield client


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"PK\x03\x04 not really a zip", 422, "not a readable zip"),
        (pp.zip_of({"nhan_su.csv": b"a,b\n1,2\n"}), 422, "unknown file 'nhan_su.csv'"),
        (pp.zip_of({"don_vi.csv": "Mã đơn vị\nHÀ\n".encode("utf-16")}), 422, "don_vi.csv is not UTF-8"),
        (
            pp.zip_of({"don_vi.csv": b"\n" * 2_000_000}),
            413,
            "unpack to 2000000 bytes",
        ),  # 2 MB of newlines: a few KB zipped
        (pp.zip_of({f"d{i}/don_vi.csv": b"x\n" for i in range(20)}), 413, "20 entries"),
        (pp.zip_of({"a/don_vi.csv": b"x\n1\n", "b/don_vi.csv": b"x\n1\n"}), 422, "two files for units"),
        (b"\xff\xfe{", 422, "not UTF-8"),
        (b'{"kind": "cats"}\n', 422, "kind must be one of"),
        (b"", 422, "empty"),
        (b"x" * 300_000, 413, ""),
    ],
)
async def test_unreadable_packages_are_4xx_with_the_reason_and_write_nothing(
    small: TestClient, database: str, body: bytes, status: int, says: str
) -> None:
    r = small.post("/api/v1/packages", content=body, headers=ZIP)
    assert r.status_code == status, r.text
    assert says in r.json()["detail"] + str(r.json().get("errors"))
    assert nothing(await written(database))


def test_packages_are_for_province_admins_only(api: TestClient) -> None:
    settings = Settings()
    for role, unit_id in ((Role.VIEWER, None), (Role.UNIT_EDITOR, "X")):
        token = mint_token(settings, role, unit=unit_id, subject="someone")
        headers = {"Authorization": f"Bearer {token}"}
        assert api.post("/api/v1/packages", content=b"{}", headers=headers).status_code == 403
        assert api.get("/api/v1/packages", headers=headers).status_code == 403
    assert api.get("/api/v1/packages/00000000-0000-0000-0000-000000000000").status_code == 404


async def test_two_packages_racing_for_the_same_codes_write_one_and_nothing_of_the_other(
    api: TestClient, database: str
) -> None:
    first, second = pp.files("RACE"), pp.files("RACE")
    second["don_vi.csv"][0]["Tên đơn vị"] = "Tỉnh thứ hai"  # another file, the same codes
    a = ok(api.post("/api/v1/packages", content=pp.as_zip(first), headers=ZIP), 202)
    b = api.post("/api/v1/packages", content=pp.as_zip(second), headers=ZIP)
    assert wait_for(api, a["import_id"])["status"] == "succeeded"
    if b.status_code == 202:  # checked before the first committed: its own run finds the codes taken
        failed = wait_for(api, b.json()["import_id"])
        assert failed["status"] == "failed" and failed["rows_done"] == 0
        assert "already used" in failed["error"] or "taken meanwhile" in failed["error"], failed["error"]
    else:
        assert b.status_code == 422 and "already used" in b.text
    tree = ok(api.get("/api/v1/units/RACE"))
    assert tree["versions"][0]["name_vi"] == "Tỉnh RACE (tổng hợp)"
    assert (await written(database))["officers"] == 10


async def test_a_run_that_fails_or_is_stopped_writes_nothing_and_says_why(api: TestClient, database: str) -> None:
    """The background run on its own: its in-transaction check finds a code taken since the route checked;
    a run told to stop gives up between chunks. Both roll back and leave the record failed with the reason."""
    package = packages.read(pp.as_zip(pp.files("RUN")), "run.zip", Limits())
    unit(api, "RUN-SO", "province", None)  # taken after the package was checked
    before = await written(database)
    pool = await asyncpg.create_pool(database, min_size=1, max_size=3)
    try:
        for stop, says in ((asyncio.Event(), "unit code RUN-SO is already used"), (_set(), "the service stopped")):
            import_id = uuid.uuid4()
            async with pool.acquire() as conn:
                await records.create(conn, import_id, "t", "run.zip", package.sha256, 1, package.counts)
            await packages.run(pool, stop, import_id, package, "t")
            async with pool.acquire() as conn:
                record = await records.get(conn, import_id)
            assert record is not None and record["status"] == "failed" and record["rows_done"] == 0
            assert says in record["error"], record["error"]
    finally:
        await pool.close()
    assert await written(database) == before | {"records": 2}


def _set() -> asyncio.Event:
    stop = asyncio.Event()
    stop.set()
    return stop


async def test_a_retry_with_the_same_idempotency_key_gets_the_same_import(api: TestClient, database: str) -> None:
    body, headers = pp.as_zip(pp.files("IDEM")), ZIP | {"Idempotency-Key": "package-1"}
    first = api.post("/api/v1/packages", content=body, headers=headers)
    started = ok(first, 202)
    again = api.post("/api/v1/packages", content=body, headers=headers)
    assert again.status_code == 202 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["import_id"] == started["import_id"]
    assert again.headers["location"] == first.headers["location"]
    assert wait_for(api, started["import_id"])["status"] == "succeeded"
    assert (await written(database))["records"] == 1


def test_a_cycle_of_parent_links_names_each_row_on_it(api: TestClient) -> None:
    # Found in review: the cycle was one error on row 0, naming neither the rows nor the units.
    header = "Mã đơn vị,Tên đơn vị,Loại hình,Cấp,Mã đơn vị cha,Hiệu lực từ\n"
    rows = "".join(
        f"{u},T,Ủy ban nhân dân,Tỉnh,{p},01/01/2020\n" for u, p in (("OK1", ""), ("CY1", "CY2"), ("CY2", "CY1"))
    )
    report = ok(api.post("/api/v1/packages?dry_run=true", content=pp.zip_of({"don_vi.csv": (header + rows).encode()})))
    assert not report["valid"]
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "parent_id"), (4, "parent_id")]
    assert all("cycle (among CY1, CY2)" in e["message"] for e in report["errors"])
