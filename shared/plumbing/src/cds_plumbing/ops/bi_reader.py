"""A read-only login for BI tools (Grafana, Metabase) over reporting's `reporting.v_*` views.

Provisioning runs before reporting's first migration, so the schema is created here, owned by the
service role, with default privileges: every view the service role later creates or replaces there is
readable by the reader, and nothing else in the database is (views read their tables with their
owner's rights, so the reader needs no grant on the projection schemas)."""

from __future__ import annotations

import asyncpg

BI_SCHEMA = "reporting"


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing odd identifier {name!r}")
    return f'"{name}"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def ensure_bi_reader(admin_url: str, database: str, owner: str, reader: str, password: str) -> None:
    """Idempotent. `admin_url` must reach the cluster as a superuser; `database` is reporting's database."""
    db, own, rd = _ident(database), _ident(owner), _ident(reader)
    conn = await asyncpg.connect(admin_url)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", reader):
            await conn.execute(f"ALTER ROLE {rd} LOGIN PASSWORD {_literal(password)}")
        else:
            await conn.execute(f"CREATE ROLE {rd} LOGIN PASSWORD {_literal(password)}")
        await conn.execute(f"GRANT CONNECT ON DATABASE {db} TO {rd}")
    finally:
        await conn.close()
    conn = await asyncpg.connect(admin_url.rsplit("/", 1)[0] + "/" + database)
    try:
        async with conn.transaction():
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {BI_SCHEMA} AUTHORIZATION {own}")
            await conn.execute(f"GRANT USAGE ON SCHEMA {BI_SCHEMA} TO {rd}")
            await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {BI_SCHEMA} TO {rd}")
            await conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {BI_SCHEMA} GRANT SELECT ON TABLES TO {rd}"
            )
    finally:
        await conn.close()
