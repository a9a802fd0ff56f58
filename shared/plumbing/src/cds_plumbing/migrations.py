"""Forward-only SQL migrations, applied at service start-up.

No maintained migration tool speaks asyncpg (yoyo, alembic and sqitch use other drivers), so this is a
small runner: files named `NNNN_description.sql` in a folder, each applied once in its own transaction
and recorded with a checksum. An advisory lock lets several replicas start at once safely; editing an
applied file is refused, since other databases already ran the old text.

Each package ships its folder as package data (plumbing's `sql/`, each service's `migrations/`) and it is
found with importlib.resources, so a regular (non-editable) install or a wheel works as well as a checkout.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from .db import Connection


def packaged_migrations(package: str, folder: str = "migrations") -> Traversable:
    """The SQL folder shipped inside `package` (declared as package data in its pyproject.toml)."""
    return files(package) / folder


PLUMBING_MIGRATIONS = packaged_migrations("cds_plumbing", "sql")
_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x43445353  # "CDSS": one lock id for every service's migrations


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    namespace: str
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(namespace: str, directory: Traversable) -> list[Migration]:
    if not directory.is_dir():  # a package built without its package data must not start on an empty schema
        raise MigrationError(f"{directory}: no such migrations folder (is it declared as package data?)")
    found = []
    for path in sorted((p for p in directory.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name):
        m = _FILE.match(path.name)
        if not m:
            raise MigrationError(f"{path}: migration files are named NNNN_description.sql")
        found.append(Migration(namespace, m.group(1), path.name, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{directory}: two migrations share a version number")
    return found


async def migrate(conn: Connection, sources: Sequence[tuple[str, Traversable]]) -> list[str]:
    """Apply pending migrations of each (namespace, folder) in order; returns the names applied."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        # Another replica may have migrated while this one waited, and a migration may have changed the
        # database's search_path (reporting's 0006 does: its role's name is also a schema). A session takes
        # that default only when it connects: take it now, or this one creates its tables elsewhere.
        await conn.execute(
            """SELECT set_config('search_path', substring(c FROM 'search_path=(.*)'), false)
               FROM pg_db_role_setting, unnest(setconfig) AS c
               WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
                 AND setrole = 0 AND c LIKE 'search_path=%'"""
        )
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                 namespace text NOT NULL, version text NOT NULL, name text NOT NULL,
                 checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
                 PRIMARY KEY (namespace, version))"""
        )
        for namespace, directory in sources:
            rows = await conn.fetch("SELECT version, checksum FROM schema_migrations WHERE namespace = $1", namespace)
            done = {r["version"]: r["checksum"] for r in rows}
            for mig in discover(namespace, directory):
                if mig.version in done:
                    if done[mig.version] != mig.checksum:
                        raise MigrationError(f"{namespace}/{mig.name} changed after it was applied; add a new file")
                    continue
                async with conn.transaction():
                    await conn.execute(mig.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (namespace, version, name, checksum) VALUES ($1,$2,$3,$4)",
                        namespace,
                        mig.version,
                        mig.name,
                        mig.checksum,
                    )
                applied_now.append(f"{namespace}/{mig.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
