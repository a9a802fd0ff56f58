from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from cds_plumbing.migrations import MigrationError, migrate

pytestmark = pytest.mark.integration


def _write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(sql)


async def test_pending_migrations_apply_once_in_order(database: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_create.sql", "CREATE TABLE things (id int PRIMARY KEY);")
    _write(tmp_path, "0002_seed.sql", "INSERT INTO things VALUES (1), (2);")
    conn = await asyncpg.connect(database)
    try:
        assert await migrate(conn, [("svc", tmp_path)]) == ["svc/0001_create.sql", "svc/0002_seed.sql"]
        assert await migrate(conn, [("svc", tmp_path)]) == []  # a second start changes nothing
        _write(tmp_path, "0003_more.sql", "INSERT INTO things VALUES (3);")
        assert await migrate(conn, [("svc", tmp_path)]) == ["svc/0003_more.sql"]
        assert await conn.fetchval("SELECT count(*) FROM things") == 3
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_behind(database: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_bad.sql", "CREATE TABLE half (id int); SELECT * FROM no_such_table;")
    conn = await asyncpg.connect(database)
    try:
        with pytest.raises(asyncpg.UndefinedTableError):
            await migrate(conn, [("svc", tmp_path)])
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE namespace = 'svc'") == 0
    finally:
        await conn.close()


async def test_an_applied_migration_may_not_be_edited(database: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_create.sql", "CREATE TABLE things (id int);")
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [("svc", tmp_path)])
        _write(tmp_path, "0001_create.sql", "CREATE TABLE things (id bigint);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, [("svc", tmp_path)])
    finally:
        await conn.close()


async def test_badly_named_files_are_refused(database: str, tmp_path: Path) -> None:
    _write(tmp_path, "create.sql", "SELECT 1;")
    conn = await asyncpg.connect(database)
    try:
        with pytest.raises(MigrationError, match="NNNN_description"):
            await migrate(conn, [("svc", tmp_path)])
    finally:
        await conn.close()


async def test_replicas_starting_together_apply_each_migration_once(database: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_create.sql", "CREATE TABLE things (id int); SELECT pg_sleep(0.3);")
    conns = [await asyncpg.connect(database) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c, [("svc", tmp_path)]) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, 1]
    finally:
        for c in conns:
            await c.close()


async def test_replicas_starting_together_migrate_once_where_the_migrations_say(database: str, tmp_path: Path) -> None:
    """Two replicas connect at the same time; the first one's migrations create a schema named like the
    role and set the database's search_path to public (as reporting's do); the second, connected before
    that, must still find the applied migrations and create nothing in that schema."""
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE first_table (id int);")
    (tmp_path / "0002_schema.sql").write_text(
        "SET search_path = public; CREATE SCHEMA IF NOT EXISTS postgres;"
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public', current_database()); END $$;"
    )
    (tmp_path / "0003_later.sql").write_text("CREATE TABLE later_table (id int);")
    first, second = await asyncpg.connect(database), await asyncpg.connect(database)  # "$user" = postgres
    try:
        applied = await asyncio.gather(migrate(first, [("svc", tmp_path)]), migrate(second, [("svc", tmp_path)]))
        assert sorted(map(len, applied)) == [0, 3], applied
        stray = await first.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'postgres'")
        assert stray == [], "tables created in the schema named like the role"
    finally:
        await first.close()
        await second.close()
