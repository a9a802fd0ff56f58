"""Erasure of candidates' personal data: on request (province_admin), by the retention job (candidates not
hired, a set time after their last application closed), and when personnel erases an officer who came
from a hire. Idempotent; each erasure is appended to the personal-data access log."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from cds_contracts.profiles import CANDIDATE_PROFILE_ERASED
from cds_contracts.topics import RECRUITMENT_CANDIDATE_PROFILE
from cds_plumbing import access_log, clock
from cds_plumbing.outbox import wait_any
from cds_plumbing.personal import Erased, EraseRequest
from cds_plumbing.runtime import Runtime
from recruitment.adapters import erasure_repo
from recruitment.domain.errors import NotFoundError

from .unit_of_work import Repositories, UnitOfWork

log = logging.getLogger(__name__)
RETENTION_LOCK = 0x52544E43  # "RTNC": one retention pass at a time across replicas


async def _erase(repos: Repositories, candidate_id: str, *, role: str, operation: str, path: str) -> Erased | None:
    found = await erasure_repo.erase_candidate(repos.conn, candidate_id)
    if found is None:
        return None
    erased_at, before, hired = found
    if hired:  # only a hire ever put the candidate on the profile topic
        await repos.forget(RECRUITMENT_CANDIDATE_PROFILE, candidate_id, type=CANDIDATE_PROFILE_ERASED)
    await access_log.record(
        repos.conn,
        actor=repos.actor or "?",
        role=role,
        operation=operation,
        path=path,
        subject_kind="candidate",
        subject_ids=[candidate_id],
    )
    return Erased("candidate", candidate_id, erased_at, before)


async def erase_candidate(uow: UnitOfWork, candidate_id: str, cmd: EraseRequest, *, role: str, path: str) -> Erased:
    done = await _erase(uow, candidate_id, role=role, operation=f"erasure ({cmd.reference})", path=path)
    if done is None:
        raise NotFoundError(f"candidate {candidate_id} does not exist")
    return done


async def forget_officer(repos: Repositories, officer_id: str) -> None:
    """Personnel erased an officer (its profile tombstone): notes about them, and their candidate record."""
    await erasure_repo.forget_exit_interview_notes(repos.conn, officer_id)
    candidate_id = await erasure_repo.candidate_of_officer(repos.conn, officer_id)
    if candidate_id is not None:
        path = f"personnel.officer-profile/{officer_id}"
        await _erase(repos, candidate_id, role="system", operation="erasure (officer erased in personnel)", path=path)


async def erase_expired(pool: asyncpg.Pool, now: dt.datetime, months: int, batch: int = 500) -> list[str]:
    """One retention pass: erase every candidate due at `now`; returns their ids."""
    erased: list[str] = []
    while True:
        async with UnitOfWork(pool, actor="retention") as uow:
            if not await uow.conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", RETENTION_LOCK):
                return erased  # another replica is doing it
            due = await erasure_repo.expired_candidates(uow.conn, now, months, batch)
            for candidate_id in due:
                operation = f"retention ({months} months after the last application closed)"
                await _erase(uow, candidate_id, role="system", operation=operation, path="retention")
        erased += due
        if len(due) < batch:
            return erased


def retention_job(
    months: int, interval_s: float, now: Callable[[], dt.datetime] = clock.utc_now
) -> Callable[[Runtime], Awaitable[None]]:
    """The periodic job the app runs (cds_plumbing.runtime jobs): a pass now, then every `interval_s`."""

    async def run(rt: Runtime) -> None:
        while not rt.stop.is_set():
            erased = await erase_expired(rt.pool, now(), months)
            if erased:
                log.info("retention: erased %d candidate(s) not hired, %d months after closing", len(erased), months)
            await wait_any(rt.stop, timeout=interval_s)

    return run
