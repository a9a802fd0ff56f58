"""The hire hand-off's waiting room: a CandidateHired without its profile, or a profile without its hire."""

from __future__ import annotations

from uuid import UUID

from cds_contracts.profiles import CandidateProfileStated
from cds_contracts.recruitment import CandidateHired
from cds_plumbing.db import Connection


async def profile(conn: Connection, candidate_id: str) -> CandidateProfileStated | None:
    row = await conn.fetchrow(
        "SELECT candidate_id, full_name, birth_year, gender FROM candidate_profiles WHERE candidate_id = $1",
        candidate_id,
    )
    return None if row is None else CandidateProfileStated(**dict(row))


async def keep_profile(conn: Connection, p: CandidateProfileStated) -> None:
    await conn.execute(
        """INSERT INTO candidate_profiles (candidate_id, full_name, birth_year, gender) VALUES ($1, $2, $3, $4)
           ON CONFLICT (candidate_id) DO UPDATE SET full_name = $2, birth_year = $3, gender = $4""",
        p.candidate_id,
        p.full_name,
        p.birth_year,
        p.gender,
    )


async def keep_hire(conn: Connection, hire: CandidateHired, event_id: UUID, correlation_id: UUID | None) -> None:
    await conn.execute(
        """INSERT INTO pending_hires (application_id, candidate_id, hire, event_id, correlation_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id) DO NOTHING""",
        hire.application_id,
        hire.candidate_id,
        hire.model_dump(mode="json"),
        event_id,
        correlation_id,
    )


async def hires_waiting_for(conn: Connection, candidate_id: str) -> list[tuple[CandidateHired, UUID, UUID | None]]:
    rows = await conn.fetch(
        "SELECT hire, event_id, correlation_id FROM pending_hires WHERE candidate_id = $1 ORDER BY received_at",
        candidate_id,
    )
    return [(CandidateHired.model_validate(r["hire"]), r["event_id"], r["correlation_id"]) for r in rows]


async def forget_candidate(conn: Connection, candidate_id: str) -> None:
    """The hand-off is done (or cannot be): no copy of the candidate's data stays in personnel's queue."""
    await conn.execute("DELETE FROM pending_hires WHERE candidate_id = $1", candidate_id)
    await conn.execute("DELETE FROM candidate_profiles WHERE candidate_id = $1", candidate_id)


async def lock_candidate(conn: Connection, candidate_id: str) -> None:
    """Serialise the two halves of one hire hand-off until the batch commits: with two replicas, the hire
    and the profile can be applied at the same moment by different processes (they travel on different
    topics), and each would otherwise see the other missing and keep its own half for ever. A deadlock
    between two batches is retried by the consumer like any transient failure."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('personnel-hires:' || $1, 0))", candidate_id)
