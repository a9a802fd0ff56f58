"""The community-team card's member counts come from deltas that triggers keep (migration 0020); on every
day that matters they equal the count taken membership by membership, however the events came: per event
or set-based, team moves before and after joins, leaves, re-joins, back-dated changes. Days checked: every
day a membership or a team period starts or ends, the day after, and the first of every month."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from bench.synth import Emitted, events
from cds_contracts import Event
from cds_contracts.personnel_teams import (
    CommunityTeamEstablished,
    CommunityTeamMemberJoined,
    CommunityTeamMemberLeft,
    CommunityTeamMoved,
)
from cds_plumbing.db import Connection
from demo.generator import generate
from reporting.adapters import queries
from reporting.adapters.projection_schema import StaleSchemaError, create_schema, set_search_path, swap_in
from services.reporting.tests.integration.scenario import _unit
from services.reporting.tests.integration.test_set_writers import apply, records

pytestmark = pytest.mark.integration
D = dt.date


def moving_teams() -> list[Emitted]:
    """Teams that move between communes around their members' joins and leaves, some events back-dated."""
    out: list[Emitted] = [
        ("/personnel", _unit(c, f"Xã {c}", "peoples_committee", "commune", None)) for c in ("MA", "MB", "MC")
    ]

    def p(*es: Event) -> None:
        out.extend(("/personnel", e) for e in es)

    p(
        CommunityTeamEstablished(team_id="MT-1", commune_id="MA", established_on=D(2023, 1, 10)),
        CommunityTeamMemberJoined(
            team_id="MT-1", member_id="a", affiliation="police", role="leader", joined_on=D(2023, 2, 1)
        ),
        CommunityTeamMoved(team_id="MT-1", commune_id="MB", effective_date=D(2023, 6, 15)),
        CommunityTeamMemberJoined(
            team_id="MT-1", member_id="b", affiliation="youth_union", role="member", joined_on=D(2023, 3, 1)
        ),  # joined before the move, told after it
        CommunityTeamMemberLeft(team_id="MT-1", member_id="a", left_on=D(2024, 1, 31)),
        CommunityTeamMoved(team_id="MT-1", commune_id="MC", effective_date=D(2024, 1, 1)),
        CommunityTeamMemberJoined(
            team_id="MT-1", member_id="a", affiliation="teachers", role="member", joined_on=D(2024, 3, 1)
        ),  # re-joins in another affiliation
        CommunityTeamMemberJoined(
            team_id="MT-2", member_id="c", affiliation="police", role="member", joined_on=D(2023, 5, 1)
        ),  # before its team exists: refused
        CommunityTeamEstablished(team_id="MT-2", commune_id="MB", established_on=D(2023, 4, 30)),
        CommunityTeamMemberJoined(
            team_id="MT-2", member_id="c", affiliation="police", role="member", joined_on=D(2023, 4, 30)
        ),
        CommunityTeamMoved(team_id="MT-2", commune_id="MA", effective_date=D(2023, 4, 30)),  # same day: replaces
        CommunityTeamMemberLeft(team_id="MT-2", member_id="c", left_on=D(2023, 4, 30)),
    )
    return out


async def direct(conn: Connection, day: D, communes: list[str] | None) -> dict[tuple[str, str], int]:
    """Members per commune and affiliation on `day`, counted membership by membership (the oracle)."""
    rows = await conn.fetch(
        """SELECT p.commune_id, m.affiliation, count(*) AS n
           FROM team_memberships m JOIN team_periods p USING (team_id)
           WHERE m.valid_from <= $1 AND (m.valid_to IS NULL OR $1 <= m.valid_to)
             AND p.valid_from <= $1 AND (p.valid_to IS NULL OR $1 <= p.valid_to)
             AND ($2::text[] IS NULL OR p.commune_id = ANY ($2))
           GROUP BY 1, 2""",
        day,
        communes,
    )
    return {(r["commune_id"], r["affiliation"]): r["n"] for r in rows}


async def days_that_matter(conn: Connection) -> list[D]:
    found = await conn.fetchval(
        """SELECT array_agg(DISTINCT d ORDER BY d) FROM (
             SELECT unnest(ARRAY[valid_from, valid_from - 1, valid_to, valid_to + 1]) AS d FROM team_memberships
             UNION ALL
             SELECT unnest(ARRAY[valid_from, valid_from - 1, valid_to, valid_to + 1]) FROM team_periods
             UNION ALL
             SELECT generate_series('2021-01-01'::date, '2027-01-01', '1 month')::date) x
           WHERE d IS NOT NULL"""
    )
    return list(found)


async def check_every_day(conn: Connection, communes: list[str] | None) -> int:
    """Asserts the card's figures equal the direct count on every day that matters; returns the days with members."""
    checked = 0
    for day in await days_that_matter(conn):
        want = await direct(conn, day, communes)
        totals, affiliations, rows = await queries.team_summary(conn, day, communes)
        want_commune: dict[str, int] = {}
        want_affiliation: dict[str, int] = {}
        for (commune, affiliation), n in want.items():
            want_commune[commune] = want_commune.get(commune, 0) + n
            want_affiliation[affiliation] = want_affiliation.get(affiliation, 0) + n
        assert {r["commune_id"]: r["members"] for r in rows if r["members"]} == want_commune, day
        assert {r["affiliation"]: r["members"] for r in affiliations} == want_affiliation, day
        assert totals["members"] == sum(want.values()), day
        checked += bool(want)
    return checked


async def derived(conn: Connection) -> list[tuple[object, ...]]:
    """The rows of the tables triggers keep (0015's trend deltas, 0020's member deltas), zeros aside."""
    rows = [
        *await conn.fetch("SELECT 'day', * FROM team_member_day_deltas WHERE members <> 0"),
        *await conn.fetch("SELECT 'month', * FROM team_member_month_deltas WHERE members <> 0"),
        *await conn.fetch(
            """SELECT 'trend', * FROM officer_month_deltas
               WHERE (headcount, dedicated, information_security) <> (0, 0, 0)"""
        ),
    ]
    return sorted(tuple(r.values()) for r in rows)


async def test_member_counts_from_the_deltas_equal_the_direct_count_on_every_day(
    reporting_db: str, rpool: asyncpg.Pool
) -> None:
    stream = list(events(generate(2024, 0.1, "TD-", today=D(2026, 6, 1), expected=False))) + moving_teams()
    recs = records(stream)
    await apply(rpool, "proj_111", recs, set_based=False, size=300)
    await apply(rpool, "proj_112", recs, set_based=True, size=1000)
    for schema in ("proj_111", "proj_112"):
        async with rpool.acquire() as conn, conn.transaction():
            await set_search_path(conn, schema)
            moved = await conn.fetchval("SELECT count(*) FROM team_periods WHERE team_id LIKE 'MT-%'")
            assert moved == 4, "MT-1 in three communes, MT-2 in one (its same-day move replaced the first)"
            assert await check_every_day(conn, None) > 50, "most days checked had members"
            some = [
                "MB",
                "MC",
                await conn.fetchval("SELECT min(commune_id) FROM team_periods WHERE team_id LIKE 'TD-%'"),
            ]
            assert await check_every_day(conn, some) > 20, "a slice of three communes"


async def test_filled_once_the_derived_tables_equal_what_the_triggers_kept(
    reporting_db: str, rpool: asyncpg.Pool
) -> None:
    """A rebuild drops them while it replays and fills them at its end; a migration fills them for the
    data already there: both must give what the triggers keep event by event."""
    recs = records(list(events(generate(2024, 0.1, "TF-", today=D(2026, 6, 1), expected=False))) + moving_teams())
    await apply(rpool, "proj_113", recs, set_based=True, size=1000)
    async with rpool.acquire() as conn, conn.transaction():
        await set_search_path(conn, "proj_113")
        kept = await derived(conn)
        assert {row[0] for row in kept} == {"day", "month", "trend"} and len(kept) > 100
        await conn.execute("SELECT reporting_drop_derived_tables('proj_113')")
        assert await conn.fetchval("SELECT to_regclass('team_member_day_deltas')") is None
        await conn.execute("SELECT reporting_create_derived_tables('proj_113')")
        assert await derived(conn) == kept
        # and the triggers are back: member b of MT-1 (still in it) leaves
        await conn.execute(
            "UPDATE team_memberships SET valid_to = '2023-12-31' WHERE team_id = 'MT-1' AND member_id = 'b'"
        )
        assert await derived(conn) != kept


async def test_a_schema_made_before_a_migration_is_not_swapped_in(reporting_db: str, rpool: asyncpg.Pool) -> None:
    async with rpool.acquire() as conn:
        await create_schema(conn, "proj_2")
        await conn.execute("DROP TABLE proj_2.team_member_day_deltas")  # as the function made it before 0020
        with pytest.raises(StaleSchemaError, match="team_member_day_deltas"):
            await swap_in(conn, "proj_2", rebuild_consumer="rebuild-test", live_consumer="x")
        assert await conn.fetchval("SELECT active_schema FROM projection_state") == "proj_1"
        assert await conn.fetchval("SELECT to_regclass('proj_1.team_member_day_deltas')") is not None


async def test_a_membership_ending_before_it_starts_counts_nowhere(reporting_db: str, rpool: asyncpg.Pool) -> None:
    """Personnel refuses a leave before the join; were such a row written all the same, it would count on no
    day (as in the direct count), not -1 between its end and its start."""
    recs = records(moving_teams())
    await apply(rpool, "proj_114", recs, set_based=True, size=1000)
    async with rpool.acquire() as conn, conn.transaction():
        await set_search_path(conn, "proj_114")
        await conn.execute(
            """INSERT INTO team_memberships (team_id, member_id, valid_from, valid_to, affiliation, role)
               VALUES ('MT-1', 'z', '2024-05-01', '2024-03-31', 'police', 'member')"""
        )
        assert await check_every_day(conn, None) > 10
