"""Erasure in recruitment's database: a candidate's personal fields (and free text about them) become NULL
in its tables and in the outbox's copies of published records; applications, stages and dates stay."""

from __future__ import annotations

import datetime as dt

from cds_contracts.topics import RECRUITMENT_CANDIDATE_PROFILE
from cds_plumbing.db import Connection

# Personal keys of payloads published before v2 (CandidateHired v1, ApplicationStageChanged v1).
V1_KEYS = ["full_name", "birth_year", "gender", "reason"]
V1_TYPES = ["vn.cds.recruitment.application.candidate_hired", "vn.cds.recruitment.application.stage_changed"]


async def erase_candidate(conn: Connection, candidate_id: str) -> tuple[dt.datetime, bool, bool] | None:
    """(erased_at, already erased before, was ever hired), or None for an unknown candidate."""
    before = await conn.fetchval("SELECT erased_at FROM candidates WHERE candidate_id = $1 FOR UPDATE", candidate_id)
    erased_at = await conn.fetchval(
        """UPDATE candidates SET full_name = NULL, birth_year = NULL, gender = NULL, email = NULL, phone = NULL,
                  degree = NULL, degree_field = NULL, erased_at = coalesce(erased_at, now()), updated_at = now()
           WHERE candidate_id = $1 RETURNING erased_at""",
        candidate_id,
    )
    if erased_at is None:
        return None
    applications = [
        r["application_id"]
        for r in await conn.fetch("SELECT application_id FROM applications WHERE candidate_id = $1", candidate_id)
    ]
    await conn.execute("UPDATE application_stages SET reason = NULL WHERE application_id = ANY($1)", applications)
    await conn.execute(
        "DELETE FROM outbox WHERE topic = $1 AND key = $2", RECRUITMENT_CANDIDATE_PROFILE.name, candidate_id
    )
    await conn.execute(
        """UPDATE outbox SET payload = payload - $2::text[]
           WHERE key = ANY($1) AND event_type = ANY($3) AND published_at IS NOT NULL AND payload ?| $2::text[]""",
        applications,
        V1_KEYS,
        V1_TYPES,
    )
    hired = await conn.fetchval(
        "SELECT bool_or(hire_status IS NOT NULL) FROM applications WHERE candidate_id = $1", candidate_id
    )
    return erased_at, before is not None, bool(hired)


async def candidate_of_officer(conn: Connection, officer_id: str) -> str | None:
    """The candidate whose hire became this officer, if any."""
    value = await conn.fetchval(
        "SELECT candidate_id FROM applications WHERE officer_id = $1 ORDER BY applied_at LIMIT 1", officer_id
    )
    return None if value is None else str(value)


async def forget_exit_interview_notes(conn: Connection, officer_id: str) -> None:
    await conn.execute("UPDATE exit_interviews SET notes = NULL WHERE officer_id = $1", officer_id)


async def expired_candidates(conn: Connection, now: dt.datetime, months: int, limit: int) -> list[str]:
    """Candidates never hired whose every application closed more than `months` months before `now`: by a
    decline or rejection (its time), or by the vacancy closing while the application was still open."""
    rows = await conn.fetch(
        """WITH apps AS (
               SELECT a.candidate_id,
                      CASE WHEN a.stage IN ('declined', 'rejected') THEN a.stage_changed_at
                           WHEN v.status <> 'open' AND v.closed_on IS NOT NULL
                               THEN (v.closed_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
                      END AS closed_at,
                      a.hire_status IS NOT NULL OR a.stage = 'hired' AS hired
               FROM applications a JOIN vacancies v USING (vacancy_id))
           SELECT c.candidate_id FROM candidates c JOIN apps USING (candidate_id)
           WHERE c.erased_at IS NULL
           GROUP BY c.candidate_id
           HAVING NOT bool_or(apps.hired) AND bool_and(apps.closed_at IS NOT NULL)
              AND max(apps.closed_at) <= $1::timestamptz - make_interval(months => $2::int)
           ORDER BY c.candidate_id LIMIT $3""",
        now,
        months,
        limit,
    )
    return [r["candidate_id"] for r in rows]
