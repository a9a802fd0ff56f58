"""Erasure on request (Law 91/2025/QH15, Decree 13/2023/ND-CP): a person's personal data are removed from
personnel and, through the profile topic's tombstone, from every service that keeps a copy; every figure
stays, because ids, units, dates and codes are kept. Idempotent: erasing again changes nothing more."""

from __future__ import annotations

from cds_contracts.profiles import OFFICER_PROFILE_ERASED
from cds_contracts.topics import PERSONNEL_OFFICER_PROFILE
from cds_plumbing import access_log
from cds_plumbing.personal import Erased, EraseRequest
from personnel.adapters import erasure_repo
from personnel.domain.errors import NotFoundError

from .unit_of_work import UnitOfWork


async def _log(uow: UnitOfWork, kind: str, subject_id: str, role: str, path: str, cmd: EraseRequest) -> None:
    await access_log.record(
        uow.conn,
        actor=uow.actor or "?",
        role=role,
        operation=f"erasure ({cmd.reference})",
        path=path,
        subject_kind=kind,
        subject_ids=[subject_id],
    )


async def erase_officer(uow: UnitOfWork, officer_id: str, cmd: EraseRequest, *, role: str, path: str) -> Erased:
    found = await erasure_repo.erase_officer(uow.conn, officer_id)
    if found is None:
        raise NotFoundError(f"officer {officer_id} does not exist")
    await uow.forget(PERSONNEL_OFFICER_PROFILE, officer_id, type=OFFICER_PROFILE_ERASED)
    await _log(uow, "officer", officer_id, role, path, cmd)
    return Erased("officer", officer_id, *found)


async def erase_member(uow: UnitOfWork, member_id: str, cmd: EraseRequest, *, role: str, path: str) -> Erased:
    """Members' names never leave personnel (events carry the member id only): no tombstone is needed."""
    found = await erasure_repo.erase_member(uow.conn, member_id)
    if found is None:
        raise NotFoundError(f"community team member {member_id} does not exist")
    await _log(uow, "community_member", member_id, role, path, cmd)
    return Erased("community_member", member_id, *found)
