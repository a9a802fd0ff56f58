"""A province package's run that died with its process: the record must not show its last progress forever."""

from __future__ import annotations

import uuid

import asyncpg
from fastapi.testclient import TestClient

from personnel.adapters import package_imports_repo as records
from tests.support import province_package as pp

from .support import ok

ZIP = {"content-type": "application/zip"}


async def test_a_run_whose_process_died_reads_failed_while_a_live_one_stays_running(
    api: TestClient, database: str
) -> None:
    # Found in review: personnel killed (-9) while writing; the transaction rolled back, but after the restart
    # the record still said running, 'writing officers', 20000 of 150000, and would say so forever.
    pool = await asyncpg.create_pool(database, min_size=2, max_size=3)
    try:
        dead, alive = uuid.uuid4(), uuid.uuid4()
        async with pool.acquire() as conn:
            for import_id in (dead, alive):
                await records.create(conn, import_id, "t", "p.zip", "0" * 64, 1, {"officers": 1})
                await records.progress(conn, import_id, "writing officers", 0)
            await conn.execute("UPDATE package_imports SET updated_at = updated_at - interval '1 hour'")
        async with pool.acquire() as run:
            await records.hold(run, alive)  # as a live run does for its whole duration
            listed = ok(api.get("/api/v1/packages"))["items"]
            one = ok(api.get(f"/api/v1/packages/{dead}"))
            still = ok(api.get(f"/api/v1/packages/{alive}"))
            await records.release(run, alive)
        after = ok(api.get(f"/api/v1/packages/{alive}"))  # its run gone too: failed now
    finally:
        await pool.close()
    status = {i["import_id"]: i["status"] for i in listed}
    assert status == {str(dead): "failed", str(alive): "running"}
    assert one["status"] == "failed" and one["rows_done"] == 0 and "send the package again" in one["error"]
    assert still["status"] == "running" and still["phase"] == "writing officers"
    assert after["status"] == "failed"


async def test_the_records_counts_are_a_json_object_in_the_table(api: TestClient, database: str) -> None:
    # Found in review: through the pool's JSON codec the json.dumps'd counts were encoded twice, a jsonb
    # string, so an operator's `counts->>'units'` was null.
    ok(api.post("/api/v1/packages", content=pp.as_zip(pp.files("JS", communes=1)), headers=ZIP), 202)
    conn = await asyncpg.connect(database)
    try:
        row = await conn.fetchrow("SELECT jsonb_typeof(counts) AS kind, counts->>'units' AS units FROM package_imports")
    finally:
        await conn.close()
    assert row is not None and (row["kind"], row["units"]) == ("object", "3")
