"""Training's read model of personnel's officers and units: written by the consumer, read by the handlers.

Every writer is an upsert, because topics are not ordered with each other (a merge naming a unit may
arrive before that unit's registration, an officer before its unit) and a redelivered event must not fail.
An officer's name comes only from personnel's profile topic and goes with its tombstone; the personal
fields of v1 officer events still on the topic are never stored.
"""

from __future__ import annotations

import datetime as dt

from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAppointedV1,
    OfficerCorrected,
    OfficerCorrectedV1,
    OfficerDeparted,
    OfficerDepartedV1,
    OfficerTransferred,
)
from cds_contracts.personnel_org_units import (
    OrgUnitDissolved,
    OrgUnitMoved,
    OrgUnitRegistered,
    OrgUnitRenamed,
    OrgUnitsMerged,
    OrgUnitSplit,
)
from cds_contracts.profiles import OfficerProfileStated
from cds_plumbing.db import Connection
from cds_plumbing.periods import day_before
from training.domain.directory import KnownOfficer


class DirectoryRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def officer(self, officer_id: str) -> KnownOfficer | None:
        """The officer with the level of their current unit looked up now (None while the unit is unknown)."""
        row = await self._conn.fetchrow(
            """SELECT o.officer_id, o.full_name, o.unit_id, o.departed_on, u.level AS unit_level
               FROM known_officers o LEFT JOIN known_units u ON u.unit_id = o.unit_id
               WHERE o.officer_id = $1""",
            officer_id,
        )
        return None if row is None else KnownOfficer(**dict(row))

    async def unknown_units(self, unit_ids: list[str]) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT unit_id FROM known_units WHERE unit_id = ANY($1) AND level IS NOT NULL", unit_ids
        )
        known = {r["unit_id"] for r in rows}
        return [u for u in unit_ids if u not in known]

    async def unknown_officers(self, officer_ids: list[str]) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT officer_id FROM known_officers WHERE officer_id = ANY($1) AND unit_id IS NOT NULL", officer_ids
        )
        known = {r["officer_id"] for r in rows}
        return [o for o in officer_ids if o not in known]

    async def descendants(self, unit_id: str) -> set[str]:
        """Units under `unit_id` in the current tree (cycle-safe)."""
        rows = await self._conn.fetch(
            """WITH RECURSIVE sub(unit_id, path) AS (
                   SELECT unit_id, ARRAY[unit_id] FROM known_units WHERE parent_id = $1
                   UNION ALL
                   SELECT u.unit_id, s.path || u.unit_id FROM known_units u JOIN sub s ON u.parent_id = s.unit_id
                   WHERE NOT u.unit_id = ANY(s.path)
               ) SELECT DISTINCT unit_id FROM sub""",
            unit_id,
        )
        return {r["unit_id"] for r in rows}


# --- writers, called by the consumer's handlers inside its batch transaction -----------------------------


async def unit_registered(conn: Connection, e: OrgUnitRegistered) -> None:
    await conn.execute(
        """INSERT INTO known_units (unit_id, name_vi, kind, level, parent_id, valid_from)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (unit_id) DO UPDATE SET name_vi = EXCLUDED.name_vi, kind = EXCLUDED.kind,
               level = EXCLUDED.level, parent_id = EXCLUDED.parent_id, valid_from = EXCLUDED.valid_from,
               updated_at = now()""",
        e.unit_id,
        e.name_vi,
        e.kind,
        e.level,
        e.parent_id,
        e.valid_from,
    )


async def unit_renamed(conn: Connection, e: OrgUnitRenamed) -> None:
    await conn.execute(
        """INSERT INTO known_units (unit_id, name_vi) VALUES ($1, $2)
           ON CONFLICT (unit_id) DO UPDATE SET name_vi = EXCLUDED.name_vi, updated_at = now()""",
        e.unit_id,
        e.name_vi,
    )


async def unit_moved(conn: Connection, e: OrgUnitMoved) -> None:
    await conn.execute(
        """INSERT INTO known_units (unit_id, level, parent_id) VALUES ($1, $2, $3)
           ON CONFLICT (unit_id) DO UPDATE SET level = EXCLUDED.level, parent_id = EXCLUDED.parent_id,
               updated_at = now()""",
        e.unit_id,
        e.level,
        e.parent_id,
    )


async def _end_units(conn: Connection, unit_ids: list[str], day: dt.date, successors: list[str]) -> None:
    """Units that ceased on `day` (their last day is the day before), with the units that continue them.

    Their level and parent are kept: a trainee enrolled earlier keeps the level their unit had."""
    await conn.executemany(
        """INSERT INTO known_units (unit_id, ended_on, successor_ids) VALUES ($1, $2, $3)
           ON CONFLICT (unit_id) DO UPDATE SET ended_on = EXCLUDED.ended_on,
               successor_ids = EXCLUDED.successor_ids, updated_at = now()""",
        [(u, day_before(day), successors) for u in unit_ids],
    )


async def units_merged(conn: Connection, e: OrgUnitsMerged) -> None:
    await conn.execute("INSERT INTO known_units (unit_id) VALUES ($1) ON CONFLICT (unit_id) DO NOTHING", e.successor_id)
    await _end_units(conn, list(e.predecessor_ids), e.effective_date, [e.successor_id])


async def unit_split(conn: Connection, e: OrgUnitSplit) -> None:
    await conn.executemany(
        "INSERT INTO known_units (unit_id) VALUES ($1) ON CONFLICT (unit_id) DO NOTHING",
        [(s,) for s in e.successor_ids],
    )
    await _end_units(conn, [e.unit_id], e.effective_date, list(e.successor_ids))


async def unit_dissolved(conn: Connection, e: OrgUnitDissolved) -> None:
    await _end_units(conn, [e.unit_id], e.effective_date, [])


async def officer_appointed(conn: Connection, e: OfficerAppointed | OfficerAppointedV1) -> None:
    await conn.execute(
        """INSERT INTO known_officers (officer_id, unit_id, appointed_on) VALUES ($1, $2, $3)
           ON CONFLICT (officer_id) DO UPDATE SET unit_id = EXCLUDED.unit_id,
               appointed_on = EXCLUDED.appointed_on, updated_at = now()""",
        e.officer_id,
        e.unit_id,
        e.effective_date,
    )


async def officer_profile_stated(conn: Connection, e: OfficerProfileStated) -> None:
    await conn.execute(
        """INSERT INTO known_officers (officer_id, full_name) VALUES ($1, $2)
           ON CONFLICT (officer_id) DO UPDATE SET full_name = EXCLUDED.full_name, updated_at = now()""",
        e.officer_id,
        e.full_name,
    )


async def officer_profile_erased(conn: Connection, officer_id: str) -> None:
    """Personnel erased the officer: training forgets the name, keeps the training record (ids, results)."""
    await conn.execute(
        "UPDATE known_officers SET full_name = NULL, updated_at = now() WHERE officer_id = $1", officer_id
    )


async def officer_transferred(conn: Connection, e: OfficerTransferred) -> None:
    """A transfer by decision or a reorganisation carrying the officer to a successor unit."""
    await conn.execute(
        """INSERT INTO known_officers (officer_id, unit_id) VALUES ($1, $2)
           ON CONFLICT (officer_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, updated_at = now()""",
        e.officer_id,
        e.to_unit_id,
    )


async def officer_departed(conn: Connection, e: OfficerDeparted | OfficerDepartedV1) -> None:
    await conn.execute(
        """INSERT INTO known_officers (officer_id, unit_id, departed_on) VALUES ($1, $2, $3)
           ON CONFLICT (officer_id) DO UPDATE SET departed_on = EXCLUDED.departed_on,
               unit_id = coalesce(known_officers.unit_id, EXCLUDED.unit_id), updated_at = now()""",
        e.officer_id,
        e.unit_id,
        e.effective_date,
    )


async def officer_corrected(conn: Connection, e: OfficerCorrected | OfficerCorrectedV1) -> None:
    """Carries the corrected record in full: the departure date is set, moved or cleared with it."""
    await conn.execute(
        """INSERT INTO known_officers (officer_id, departed_on) VALUES ($1, $2)
           ON CONFLICT (officer_id) DO UPDATE SET departed_on = EXCLUDED.departed_on, updated_at = now()""",
        e.officer_id,
        e.departure_date,
    )
