"""asyncpg access to community technology teams, their dated commune and their members."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from cds_plumbing.periods import Step, day_before
from personnel.domain.periods import transition


class TeamRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, team_id: str, *, lock: bool = False) -> asyncpg.Record | None:
        return await self._conn.fetchrow(
            f"""SELECT t.team_id, t.village, t.established_on, p.commune_id, p.valid_from AS commune_since
                FROM community_teams t JOIN community_team_periods p
                  ON p.team_id = t.team_id AND p.valid_to IS NULL
                WHERE t.team_id = $1{" FOR UPDATE OF t" if lock else ""}""",
            team_id,
        )

    async def existing_ids(self, ids: list[str]) -> set[str]:
        rows = await self._conn.fetch("SELECT team_id FROM community_teams WHERE team_id = ANY($1)", ids)
        return {r["team_id"] for r in rows}

    async def insert_many(self, teams: list[tuple[str, str, str | None, dt.date]]) -> None:
        """(team_id, commune_id, village, established_on) rows."""
        await self._conn.executemany(
            "INSERT INTO community_teams VALUES ($1, $2, $3)", [(t, v, d) for t, _, v, d in teams]
        )
        await self._conn.executemany(
            "INSERT INTO community_team_periods VALUES ($1, $2, NULL, $3)", [(t, d, c) for t, c, _, d in teams]
        )

    async def move(self, team_id: str, current_from: dt.date, commune_id: str, effective: dt.date) -> None:
        if transition(current_from, effective, f"move of team {team_id}") is Step.REPLACE:
            await self._conn.execute(
                "UPDATE community_team_periods SET commune_id = $3 WHERE team_id = $1 AND valid_from = $2",
                team_id,
                current_from,
                commune_id,
            )
            return
        await self._conn.execute(
            "UPDATE community_team_periods SET valid_to = $3 WHERE team_id = $1 AND valid_from = $2",
            team_id,
            current_from,
            day_before(effective),
        )
        await self._conn.execute(
            "INSERT INTO community_team_periods VALUES ($1, $2, NULL, $3)", team_id, effective, commune_id
        )

    async def in_commune(self, commune_id: str) -> list[asyncpg.Record]:
        return await self._conn.fetch(
            """SELECT team_id, valid_from FROM community_team_periods
               WHERE commune_id = $1 AND valid_to IS NULL ORDER BY team_id""",
            commune_id,
        )

    async def member(self, team_id: str, member_id: str) -> asyncpg.Record | None:
        return await self._conn.fetchrow(
            "SELECT * FROM community_team_members WHERE team_id = $1 AND member_id = $2", team_id, member_id
        )

    async def existing_members(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        rows = await self._conn.fetch(
            """SELECT team_id, member_id FROM community_team_members
               WHERE (team_id, member_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))""",
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )
        return {(r["team_id"], r["member_id"]) for r in rows}

    async def add_members(self, rows: list[tuple[str, str, str, str, str, dt.date]]) -> None:
        """(team_id, member_id, full_name, affiliation, role, joined_on) rows."""
        await self._conn.executemany(
            """INSERT INTO community_team_members (team_id, member_id, full_name, affiliation, role, joined_on)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            rows,
        )

    async def leave(self, team_id: str, member_id: str, left_on: dt.date) -> None:
        await self._conn.execute(
            "UPDATE community_team_members SET left_on = $3 WHERE team_id = $1 AND member_id = $2",
            team_id,
            member_id,
            left_on,
        )

    async def members(self, team_id: str) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT * FROM community_team_members WHERE team_id = $1 ORDER BY joined_on, member_id", team_id
        )
        return [dict(r) for r in rows]
