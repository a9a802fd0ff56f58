"""asyncpg access to incident-response teams, their members, on-call shifts and incidents."""

from __future__ import annotations

import datetime as dt

import asyncpg

from cds_plumbing.db import Connection
from personnel.domain.errors import ConflictError
from personnel.domain.response_teams import Incident, Membership, ResponseTeam, Shift

_MEMBER_COLS = "officer_id, role, joined_on, left_on, left_reason"
_SHIFT_COLS = (
    "shift_id, starts_at, ends_at, primary_officer_id, backup_officer_id, cancelled_at IS NOT NULL AS cancelled"
)
_INCIDENT_COLS = "incident_id, reported_at, acknowledged_at, responder_ids, resolved_at, outcome"


def _membership(row: asyncpg.Record) -> Membership:
    return Membership(row["officer_id"], row["role"], row["joined_on"], row["left_on"], row["left_reason"])


def _shift(row: asyncpg.Record) -> Shift:
    return Shift(**dict(row))


def _incident(row: asyncpg.Record) -> Incident:
    return Incident(**{**dict(row), "responder_ids": tuple(row["responder_ids"])})


class ResponseTeamRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- teams ---

    async def get(self, team_id: str, *, lock: bool = False) -> ResponseTeam | None:
        row = await self._conn.fetchrow(
            f"""SELECT team_id, name, scope, unit_id, formed_on FROM response_teams
                WHERE team_id = $1{" FOR UPDATE" if lock else ""}""",
            team_id,
        )
        return None if row is None else ResponseTeam(**dict(row))

    async def of_unit(self, unit_id: str) -> list[str]:
        rows = await self._conn.fetch("SELECT team_id FROM response_teams WHERE unit_id = $1 ORDER BY team_id", unit_id)
        return [r["team_id"] for r in rows]

    async def move(self, team_id: str, unit_id: str) -> None:
        await self._conn.execute("UPDATE response_teams SET unit_id = $2 WHERE team_id = $1", team_id, unit_id)

    async def exists(self, team_id: str) -> bool:
        return bool(await self._conn.fetchval("SELECT 1 FROM response_teams WHERE team_id = $1", team_id))

    async def provincial_team(self) -> str | None:
        return await self._conn.fetchval(  # type: ignore[no-any-return]
            "SELECT team_id FROM response_teams WHERE scope = 'provincial'"
        )

    async def insert(self, team: ResponseTeam) -> None:
        try:
            async with self._conn.transaction():  # a savepoint: a lost race is a 409, not an aborted transaction
                await self._conn.execute(
                    "INSERT INTO response_teams (team_id, name, scope, unit_id, formed_on) VALUES ($1,$2,$3,$4,$5)",
                    team.team_id,
                    team.name,
                    team.scope,
                    team.unit_id,
                    team.formed_on,
                )
        except asyncpg.UniqueViolationError as exc:
            raise ConflictError(f"team {team.team_id} conflicts with an existing team: {exc.detail or exc}") from exc

    # --- members ---

    async def memberships(self, team_id: str, officer_id: str | None = None) -> list[Membership]:
        rows = await self._conn.fetch(
            f"""SELECT {_MEMBER_COLS} FROM response_team_members
                WHERE team_id = $1 AND ($2::text IS NULL OR officer_id = $2) ORDER BY joined_on, officer_id""",
            team_id,
            officer_id,
        )
        return [_membership(r) for r in rows]

    async def active_memberships_of(self, officer_id: str) -> list[tuple[str, Membership]]:
        rows = await self._conn.fetch(
            f"""SELECT team_id, {_MEMBER_COLS} FROM response_team_members
                WHERE officer_id = $1 AND left_on IS NULL ORDER BY team_id""",
            officer_id,
        )
        return [(r["team_id"], _membership(r)) for r in rows]

    async def add_member(self, team_id: str, m: Membership) -> None:
        await self._conn.execute(
            "INSERT INTO response_team_members (team_id, officer_id, role, joined_on) VALUES ($1, $2, $3, $4)",
            team_id,
            m.officer_id,
            m.role,
            m.joined_on,
        )

    async def leave(self, team_id: str, officer_id: str, left_on: dt.date, reason: str) -> bool:
        """Close the officer's active membership; False when there was none (someone closed it first)."""
        closed = await self._conn.fetchval(
            """UPDATE response_team_members SET left_on = $3, left_reason = $4
               WHERE team_id = $1 AND officer_id = $2 AND left_on IS NULL RETURNING officer_id""",
            team_id,
            officer_id,
            left_on,
            reason,
        )
        return closed is not None

    async def left_on_departure(self, officer_id: str) -> bool:
        found = await self._conn.fetchval(
            "SELECT true FROM response_team_members WHERE officer_id = $1 AND left_reason = 'departed' LIMIT 1",
            officer_id,
        )
        return bool(found)

    async def leave_all(self, officer_id: str, left_on: dt.date, reason: str) -> list[str]:
        """Close every active membership of the officer; returns the teams, in id order."""
        rows = await self._conn.fetch(
            """UPDATE response_team_members SET left_on = $2, left_reason = $3
               WHERE officer_id = $1 AND left_on IS NULL RETURNING team_id""",
            officer_id,
            left_on,
            reason,
        )
        return sorted(r["team_id"] for r in rows)

    # --- shifts ---

    async def shift_exists(self, shift_id: str) -> bool:
        return bool(await self._conn.fetchval("SELECT 1 FROM response_team_shifts WHERE shift_id = $1", shift_id))

    async def shift(self, team_id: str, shift_id: str) -> Shift | None:
        row = await self._conn.fetchrow(
            f"SELECT {_SHIFT_COLS} FROM response_team_shifts WHERE team_id = $1 AND shift_id = $2", team_id, shift_id
        )
        return None if row is None else _shift(row)

    async def shifts_of_primary(
        self, team_id: str, officer_id: str, start: dt.datetime, end: dt.datetime
    ) -> list[Shift]:
        """Non-cancelled shifts of the team where the officer is primary and that overlap [start, end)."""
        rows = await self._conn.fetch(
            f"""SELECT {_SHIFT_COLS} FROM response_team_shifts
                WHERE team_id = $1 AND primary_officer_id = $2 AND cancelled_at IS NULL
                  AND starts_at < $4 AND $3 < ends_at ORDER BY starts_at""",
            team_id,
            officer_id,
            start,
            end,
        )
        return [_shift(r) for r in rows]

    async def insert_shift(self, team_id: str, s: Shift) -> None:
        await self._conn.execute(
            """INSERT INTO response_team_shifts
               (shift_id, team_id, starts_at, ends_at, primary_officer_id, backup_officer_id)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            s.shift_id,
            team_id,
            s.starts_at,
            s.ends_at,
            s.primary_officer_id,
            s.backup_officer_id,
        )

    async def reassign_shift(self, shift_id: str, primary_officer_id: str, backup_officer_id: str | None) -> None:
        await self._conn.execute(
            """UPDATE response_team_shifts SET primary_officer_id = $2, backup_officer_id = $3, updated_at = now()
               WHERE shift_id = $1""",
            shift_id,
            primary_officer_id,
            backup_officer_id,
        )

    async def cancel_shift(self, shift_id: str, reason: str) -> None:
        await self._conn.execute(
            """UPDATE response_team_shifts SET cancelled_at = now(), cancel_reason = $2, updated_at = now()
               WHERE shift_id = $1""",
            shift_id,
            reason,
        )

    # --- incidents ---

    async def incident_exists(self, incident_id: str) -> bool:
        return bool(
            await self._conn.fetchval("SELECT 1 FROM response_team_incidents WHERE incident_id = $1", incident_id)
        )

    async def incident(self, team_id: str, incident_id: str, *, lock: bool = False) -> Incident | None:
        row = await self._conn.fetchrow(
            f"""SELECT {_INCIDENT_COLS} FROM response_team_incidents
                WHERE team_id = $1 AND incident_id = $2{" FOR UPDATE" if lock else ""}""",
            team_id,
            incident_id,
        )
        return None if row is None else _incident(row)

    async def insert_incident(
        self,
        team_id: str,
        incident_id: str,
        reported_at: dt.datetime,
        severity: str,
        affected_unit_id: str,
        summary: str,
    ) -> None:
        await self._conn.execute(
            """INSERT INTO response_team_incidents
               (incident_id, team_id, reported_at, severity, affected_unit_id, summary)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            incident_id,
            team_id,
            reported_at,
            severity,
            affected_unit_id,
            summary,
        )

    async def acknowledge(self, incident_id: str, at: dt.datetime, responder_ids: list[str]) -> None:
        await self._conn.execute(
            "UPDATE response_team_incidents SET acknowledged_at = $2, responder_ids = $3 WHERE incident_id = $1",
            incident_id,
            at,
            responder_ids,
        )

    async def resolve(self, incident_id: str, at: dt.datetime, outcome: str) -> None:
        await self._conn.execute(
            "UPDATE response_team_incidents SET resolved_at = $2, outcome = $3 WHERE incident_id = $1",
            incident_id,
            at,
            outcome,
        )
