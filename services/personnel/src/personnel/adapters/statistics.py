"""Planner statistics after a bulk write.

Autovacuum analyses a table once a tenth of it changed, on its next round (a minute or more later): until
then a table that grew from hundreds of rows to tens of thousands in one import is planned as if it were
small, and every command after the import pays for it (`make bench PARTS=import,write`). ANALYZE in the
import's own transaction samples its new rows (PostgreSQL counts a transaction's own inserts as live)
and the statistics commit with them, or roll back with them."""

from __future__ import annotations

from collections.abc import Iterable

from cds_plumbing.db import Connection

# What each kind of bulk row writes (the repositories' INSERTs)
TABLES: dict[str, tuple[str, ...]] = {
    "units": ("org_units", "org_unit_versions"),
    "officers": ("officers", "officer_periods"),
    "teams": ("community_teams", "community_team_periods"),
    "members": ("community_team_members",),
    "response_teams": ("response_teams",),
    "response_members": ("response_team_members",),
}


async def refresh_statistics(conn: Connection, kinds: Iterable[str]) -> None:
    tables = sorted({table for kind in kinds for table in TABLES[kind]})
    if tables:
        await conn.execute(f"ANALYZE {', '.join(tables)}")  # names from TABLES above, never from input
