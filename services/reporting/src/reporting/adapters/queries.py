"""Read queries on the projection tables (the caller sets search_path: see projection_schema.read_snapshot)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from cds_plumbing.db import Connection
from reporting.adapters.scope import AS_OF, valid_on
from reporting.domain.officers import AGENCY_KINDS

_COUNTS = f"""
    SELECT unit_id,
           count(*) AS total,
           count(*) FILTER (WHERE assignment = 'dedicated') AS dedicated,
           count(*) FILTER (WHERE assignment = 'concurrent') AS concurrent,
           count(*) FILTER (WHERE 'information_security' = ANY (functions)) AS information_security,
           count(*) FILTER (WHERE 'it_technical' = ANY (functions)) AS it_technical,
           count(*) FILTER (WHERE 'it_leader' = ANY (functions)) AS it_leader
    FROM officer_periods WHERE {AS_OF} GROUP BY unit_id"""
COUNT_FIELDS = ("total", "dedicated", "concurrent", "information_security", "it_technical", "it_leader")


async def units_as_of(conn: Connection, as_of: dt.date) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"SELECT unit_id, name_vi, name_en, kind, level, parent_id FROM unit_versions WHERE {AS_OF}", as_of
        )
    )


async def unit_exists_on(conn: Connection, unit_id: str, as_of: dt.date) -> bool:
    found = await conn.fetchval(f"SELECT true FROM unit_versions WHERE unit_id = $2 AND {AS_OF}", as_of, unit_id)
    return bool(found)


async def unit_versions(conn: Connection, unit_id: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT valid_from, valid_to, name_vi, name_en, kind, level, parent_id
               FROM unit_versions WHERE unit_id = $1 ORDER BY valid_from""",
            unit_id,
        )
    )


async def unit_lineage(conn: Connection, unit_id: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT predecessor_id, successor_id, kind, effective_date FROM unit_lineage
               WHERE predecessor_id = $1 OR successor_id = $1 ORDER BY effective_date, predecessor_id, successor_id""",
            unit_id,
        )
    )


async def headcount(
    conn: Connection, as_of: dt.date, root_id: str | None, units: list[str] | None = None
) -> list[asyncpg.Record]:
    """Per unit valid on as_of: own counts and counts rolled up over its subtree in the as-of tree.

    `closure` pairs every unit with itself and each descendant (the path guards against parent cycles);
    with `root_id`, only that unit's subtree is returned. With `units` (a slice), only those units are
    returned and only descendants among them are rolled up: "Party agencies only" sums Party agencies."""
    own = ", ".join(f"coalesce(o.{f}, 0) AS own_{f}" for f in COUNT_FIELDS)
    rolled = ", ".join(f"coalesce(sum(d.{f}), 0)::bigint AS rolled_{f}" for f in COUNT_FIELDS)
    return list(
        await conn.fetch(
            f"""WITH RECURSIVE
                  units AS (SELECT unit_id, parent_id, name_vi, kind, level FROM unit_versions WHERE {AS_OF}),
                  own AS ({_COUNTS}),
                  closure AS (
                    SELECT unit_id AS ancestor_id, unit_id AS descendant_id, ARRAY[unit_id] AS path FROM units
                    UNION ALL
                    SELECT c.ancestor_id, u.unit_id, c.path || u.unit_id
                    FROM closure c JOIN units u ON u.parent_id = c.descendant_id
                    WHERE u.unit_id <> ALL (c.path)
                  )
                SELECT u.unit_id, u.parent_id, u.name_vi, u.kind, u.level, {own}, {rolled}
                FROM units u
                JOIN closure c ON c.ancestor_id = u.unit_id
                LEFT JOIN own d ON d.unit_id = c.descendant_id AND ($3::text[] IS NULL OR c.descendant_id = ANY ($3))
                LEFT JOIN own o ON o.unit_id = u.unit_id
                WHERE ($2::text IS NULL
                       OR u.unit_id IN (SELECT descendant_id FROM closure WHERE ancestor_id = $2::text))
                  AND ($3::text[] IS NULL OR u.unit_id = ANY ($3))
                GROUP BY u.unit_id, u.parent_id, u.name_vi, u.kind, u.level, {", ".join(f"o.{f}" for f in COUNT_FIELDS)}
                ORDER BY u.unit_id""",
            as_of,
            root_id,
            units,
        )
    )


async def province_totals(conn: Connection, as_of: dt.date, units: list[str] | None = None) -> asyncpg.Record:
    """Officers counted on as_of whose unit is one of `units`; with None, every officer, whether or not
    their unit is in that day's tree."""
    sums = ", ".join(f"coalesce(sum({f}), 0)::bigint AS {f}" for f in COUNT_FIELDS)
    row = await conn.fetchrow(
        f"SELECT {sums} FROM ({_COUNTS}) per_unit WHERE $2::text[] IS NULL OR unit_id = ANY ($2)", as_of, units
    )
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return row


async def agency_coverage(conn: Connection, as_of: dt.date, units: list[str] | None = None) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"""WITH own AS ({_COUNTS})
                SELECT u.unit_id, u.name_vi, u.kind, u.level,
                       coalesce(o.it_leader, 0) AS it_leaders, coalesce(o.it_technical, 0) AS it_technical
                FROM unit_versions u LEFT JOIN own o ON o.unit_id = u.unit_id
                WHERE {valid_on(alias="u")} AND u.kind = ANY ($2::text[])
                  AND ($3::text[] IS NULL OR u.unit_id = ANY ($3))
                ORDER BY u.unit_id""",
            as_of,
            list(AGENCY_KINDS),
            units,
        )
    )


async def team_summary(
    conn: Connection, as_of: dt.date, units: list[str] | None = None
) -> tuple[dict[str, int], list[asyncpg.Record], list[asyncpg.Record]]:
    """(totals, members per affiliation, teams and members per commune) of the teams active on as_of, in
    one statement. Members are summed from the deltas migration 0020 keeps (whole months before as_of's,
    then its month's days: a few thousand rows however many members), not counted membership by membership;
    teams are counted from their periods. One aggregate with two grouping sets gives both member counts."""
    rows = await conn.fetch(
        f"""WITH teams AS (
              SELECT team_id, commune_id FROM team_periods
              WHERE {AS_OF} AND ($2::text[] IS NULL OR commune_id = ANY ($2))),
            deltas AS (
              SELECT commune_id, affiliation, members FROM team_member_month_deltas
              WHERE month < date_trunc('month', $1::date)
              UNION ALL
              SELECT commune_id, affiliation, members FROM team_member_day_deltas
              WHERE day >= date_trunc('month', $1::date) AND day <= $1),
            members AS (
              SELECT commune_id, affiliation, sum(members) AS n FROM deltas
              WHERE $2::text[] IS NULL OR commune_id = ANY ($2)
              GROUP BY GROUPING SETS ((commune_id), (affiliation))
              HAVING sum(members) <> 0),
            per_commune AS (SELECT commune_id, count(*) AS teams FROM teams GROUP BY commune_id)
            SELECT c.commune_id, NULL AS affiliation,
                   (SELECT u.name_vi FROM unit_versions u WHERE u.unit_id = c.commune_id
                      AND {valid_on(alias="u")}) AS name_vi,
                   c.teams, coalesce(m.n, 0)::bigint AS members
            FROM per_commune c LEFT JOIN members m ON m.commune_id = c.commune_id
            UNION ALL
            SELECT NULL, affiliation, NULL, NULL, n::bigint FROM members WHERE affiliation IS NOT NULL""",
        as_of,
        units,
    )
    communes = sorted((r for r in rows if r["commune_id"] is not None), key=lambda r: r["commune_id"])
    affiliations = sorted((r for r in rows if r["commune_id"] is None), key=lambda r: r["affiliation"])
    totals = {"teams": sum(r["teams"] for r in communes), "members": sum(r["members"] for r in communes)}
    return totals, affiliations, communes


async def checkpoints(conn: Connection, consumer: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT topic, kafka_partition, next_offset, event_time FROM consumer_checkpoints
               WHERE consumer = $1 ORDER BY topic, kafka_partition""",
            consumer,
        )
    )


async def current_to(conn: Connection, consumer: str) -> dt.datetime | None:
    value: dt.datetime | None = await conn.fetchval(
        "SELECT max(event_time) FROM consumer_checkpoints WHERE consumer = $1", consumer
    )
    return value
