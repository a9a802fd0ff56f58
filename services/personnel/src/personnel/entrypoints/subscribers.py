"""Personnel's event subscribers: hires decided in recruitment become officers (choreography).

A v2 hire comes in two records on two topics, in either order: CandidateHired (ids, unit, function; on
`recruitment.application`) and the candidate's profile (name, birth year, gender; on the compacted
`recruitment.candidate-profile`, keyed by candidate id). Each is kept until the other arrives; the
second appoints the officer, and both copies are deleted then. A profile tombstone (the candidate was
erased in recruitment) deletes the copy, and a hire still waiting for it is refused. A v1 hire record
(already on the topic, name inside) appoints at once, as before.

Runs in the consumer's batch transaction, so the appointment, its outbox events and the inbox record
commit together. The officer id is derived from the application, so a hire delivered twice (or re-sent
with a new event id) appoints once; a hire that cannot be honoured (unknown or dissolved unit) is
answered with OfficerAppointmentRefused rather than lost.
"""

from __future__ import annotations

import logging
from uuid import UUID

from cds_contracts import Envelope
from cds_contracts.personnel_officers import OfficerAppointmentRefused
from cds_contracts.profiles import CandidateProfileStated
from cds_contracts.recruitment import CandidateHired, CandidateHiredV1
from cds_contracts.topics import RECRUITMENT_CANDIDATE_PROFILE
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.db import Connection
from personnel.adapters import hires_repo
from personnel.domain.errors import DomainError
from personnel.service_layer.commands import AppointOfficer
from personnel.service_layer.officer_handlers import appoint_officer
from personnel.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def hired_officer_id(application_id: str) -> str:
    return f"CB-H-{application_id}"[:64]


async def _appoint(
    conn: Connection,
    hire: CandidateHired | CandidateHiredV1,
    profile: CandidateProfileStated | CandidateHiredV1,
    causation_id: UUID,
    correlation_id: UUID | None,
) -> None:
    uow = UnitOfWork.joined(conn, actor="recruitment", correlation_id=correlation_id or causation_id)
    officer_id = hired_officer_id(hire.application_id)
    if await uow.officers.existing_ids([officer_id]):
        log.info("hire %s already appointed as %s", hire.application_id, officer_id)
        return
    cmd = AppointOfficer(
        officer_id=officer_id,
        full_name=profile.full_name,
        birth_year=profile.birth_year,
        gender=profile.gender,
        unit_id=hire.unit_id,
        employment_category=hire.employment_category,
        assignment=hire.assignment,
        functions=list(hire.functions),
        effective_date=hire.hired_on,
    )
    try:
        async with conn.transaction():  # a refused appointment leaves nothing half-written
            await appoint_officer(uow, cmd, application_id=hire.application_id, causation_id=causation_id)
    except DomainError as exc:
        await _refuse(uow, hire.application_id, hire.unit_id, str(exc), causation_id)


async def _refuse(uow: UnitOfWork, application_id: str, unit_id: str, reason: str, causation_id: UUID) -> None:
    log.warning("hire %s refused: %s", application_id, reason)
    await uow.publish(
        OfficerAppointmentRefused(
            officer_id=hired_officer_id(application_id), application_id=application_id, unit_id=unit_id, reason=reason
        ),
        causation_id=causation_id,
    )


async def on_candidate_hired_v1(conn: Connection, event: CandidateHiredV1, envelope: Envelope) -> None:
    await _appoint(conn, event, event, envelope.event_id, envelope.correlation_id)


async def on_candidate_hired(conn: Connection, event: CandidateHired, envelope: Envelope) -> None:
    await hires_repo.lock_candidate(conn, event.candidate_id)
    profile = await hires_repo.profile(conn, event.candidate_id)
    if profile is None:
        await hires_repo.keep_hire(conn, event, envelope.event_id, envelope.correlation_id)
        return
    await _appoint(conn, event, profile, envelope.event_id, envelope.correlation_id)
    await hires_repo.forget_candidate(conn, event.candidate_id)


async def on_candidate_profile_stated(conn: Connection, event: CandidateProfileStated, envelope: Envelope) -> None:
    await hires_repo.lock_candidate(conn, event.candidate_id)
    waiting = await hires_repo.hires_waiting_for(conn, event.candidate_id)
    if not waiting:
        await hires_repo.keep_profile(conn, event)
        return
    for hire, event_id, correlation_id in waiting:
        await _appoint(conn, hire, event, event_id, correlation_id)
    await hires_repo.forget_candidate(conn, event.candidate_id)


async def on_candidate_profile_erased(conn: Connection, candidate_id: str) -> None:
    """Recruitment erased the candidate: delete the copy; a hire still waiting for it cannot be made."""
    await hires_repo.lock_candidate(conn, candidate_id)
    for hire, event_id, correlation_id in await hires_repo.hires_waiting_for(conn, candidate_id):
        uow = UnitOfWork.joined(conn, actor="recruitment", correlation_id=correlation_id or event_id)
        reason = "the candidate's personal data were erased in recruitment before the appointment"
        await _refuse(uow, hire.application_id, hire.unit_id, reason, event_id)
    await hires_repo.forget_candidate(conn, candidate_id)


def make_consumer() -> IdempotentConsumer:
    consumer = IdempotentConsumer("personnel-hires")
    consumer.on(CandidateHiredV1)(on_candidate_hired_v1)
    consumer.on(CandidateHired)(on_candidate_hired)
    consumer.on(CandidateProfileStated)(on_candidate_profile_stated)
    consumer.on_tombstone(RECRUITMENT_CANDIDATE_PROFILE)(on_candidate_profile_erased)
    return consumer
