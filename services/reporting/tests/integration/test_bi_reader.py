"""The BI login made by `cds-platform provision-databases` reads the reporting.v_* views and nothing else,
also after a rebuild swapped the projection schema (real PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from cds_plumbing.migrations import migrate
from cds_plumbing.ops.bi_reader import ensure_bi_reader
from cds_plumbing.settings import admin_database_url
from reporting.entrypoints.app import MIGRATIONS

pytestmark = pytest.mark.integration


@pytest.fixture
async def reader(database: str) -> AsyncIterator[tuple[str, str]]:
    """(reader role, DSN of the reader) on a fresh database provisioned like reporting's, then migrated."""
    role = f"bi_test_{uuid.uuid4().hex[:8]}"
    admin = admin_database_url()
    name = database.rsplit("/", 1)[1]
    conn = await asyncpg.connect(database)
    owner: str = await conn.fetchval("SELECT current_user")  # the role that runs the migrations
    await conn.close()
    await ensure_bi_reader(admin, name, owner, role, "secret")
    await ensure_bi_reader(admin, name, owner, role, "secret")  # provisioning runs on every start: idempotent
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [("reporting", MIGRATIONS)])
    finally:
        await conn.close()
    base = database.split("://", 1)[1].split("@", 1)[1]
    yield role, f"postgresql://{role}:secret@{base}"
    conn = await asyncpg.connect(database)
    try:
        await conn.execute(f'DROP OWNED BY "{role}"')
        await conn.execute(f'DROP ROLE "{role}"')
    finally:
        await conn.close()


async def test_reads_the_views_only(reader: tuple[str, str], database: str) -> None:
    _, dsn = reader
    conn = await asyncpg.connect(dsn)
    try:
        views = [
            r["table_name"]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.views WHERE table_schema = 'reporting' ORDER BY 1"
            )
        ]
        assert "v_units" in views and "v_officer_assignments" in views
        for view in views:
            await conn.fetch(f"SELECT * FROM reporting.{view} LIMIT 1")  # every view is readable
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM proj_1.unit_versions")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM projection_state")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE reporting.mine (x int)")
    finally:
        await conn.close()

    owner = await asyncpg.connect(database)  # a rebuild swaps in proj_2 and re-points the views
    try:
        await owner.execute("SELECT reporting_create_projection_schema('proj_2')")
        await owner.execute("SELECT reporting_create_bi_views('proj_2')")
        await owner.execute("DROP SCHEMA proj_1 CASCADE")
    finally:
        await owner.close()
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM reporting.v_units") == 0
    finally:
        await conn.close()
