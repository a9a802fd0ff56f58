"""Erasure in personnel's database: a person's personal fields become NULL wherever personnel keeps them
(its tables and the outbox's copies of published records); ids, units, dates and codes stay."""

from __future__ import annotations

import datetime as dt

from cds_contracts.topics import PERSONNEL_OFFICER_PROFILE
from cds_plumbing.db import Connection

# Keys of personal data in payloads of records published before v2 (OfficerAppointed/Corrected/Departed v1).
V1_PERSONAL_KEYS = ["full_name", "birth_year", "gender", "destination", "departure_destination", "note"]


async def erase_officer(conn: Connection, officer_id: str) -> tuple[dt.datetime, bool] | None:
    """(erased_at, already erased before) or None for an unknown officer."""
    before = await conn.fetchval("SELECT erased_at FROM officers WHERE officer_id = $1 FOR UPDATE", officer_id)
    erased_at = await conn.fetchval(
        """UPDATE officers SET full_name = NULL, birth_year = NULL, gender = NULL, departure_destination = NULL,
                  erased_at = coalesce(erased_at, now()), updated_at = now()
           WHERE officer_id = $1 RETURNING erased_at""",
        officer_id,
    )
    if erased_at is None:
        return None
    await conn.execute("UPDATE officer_corrections SET note = NULL WHERE officer_id = $1", officer_id)
    # A cancelled shift's reason is free text, often about the officer on call.
    await conn.execute(
        """UPDATE response_team_shifts SET cancel_reason = NULL
           WHERE (primary_officer_id = $1 OR backup_officer_id = $1) AND cancel_reason IS NOT NULL""",
        officer_id,
    )
    # The outbox keeps what it published: the profile records go (the tombstone appended next replaces
    # them on the topic), and v1 payloads of this officer lose their personal keys.
    await conn.execute("DELETE FROM outbox WHERE topic = $1 AND key = $2", PERSONNEL_OFFICER_PROFILE.name, officer_id)
    await conn.execute(
        """UPDATE outbox SET payload = payload - $2::text[]
           WHERE key = $1 AND published_at IS NOT NULL AND payload ?| $2::text[]""",
        officer_id,
        V1_PERSONAL_KEYS,
    )
    return erased_at, before is not None


async def erase_member(conn: Connection, member_id: str) -> tuple[dt.datetime, bool] | None:
    """A community technology team member in every team they belong to; None when unknown."""
    before = await conn.fetchval(
        "SELECT bool_or(erased_at IS NOT NULL) FROM community_team_members WHERE member_id = $1", member_id
    )
    erased_at = await conn.fetchval(
        """UPDATE community_team_members SET full_name = NULL, erased_at = coalesce(erased_at, now())
           WHERE member_id = $1 RETURNING erased_at""",
        member_id,
    )
    return None if erased_at is None else (erased_at, bool(before))
