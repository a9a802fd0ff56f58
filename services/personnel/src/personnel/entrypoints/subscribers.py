"""Personnel's event subscribers: hires decided in recruitment become officers (choreography).

Runs in the consumer's batch transaction, so the appointment, its outbox event and the inbox record
commit together. The officer id is derived from the application, so a hire delivered twice (or
re-sent with a new event id) appoints once; a hire that cannot be honoured (unknown or dissolved unit)
is answered with OfficerAppointmentRefused rather than lost.
"""

from __future__ import annotations

import logging

from cds_contracts import Envelope
from cds_contracts.personnel_officers import OfficerAppointmentRefused
from cds_contracts.recruitment import CandidateHired
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.db import Connection
from personnel.domain.errors import DomainError
from personnel.service_layer.commands import AppointOfficer
from personnel.service_layer.officer_handlers import appoint_officer
from personnel.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def hired_officer_id(application_id: str) -> str:
    return f"CB-H-{application_id}"[:64]


async def on_candidate_hired(conn: Connection, event: CandidateHired, envelope: Envelope) -> None:
    uow = UnitOfWork.joined(conn, actor="recruitment", correlation_id=envelope.correlation_id or envelope.event_id)
    officer_id = hired_officer_id(event.application_id)
    if await uow.officers.existing_ids([officer_id]):
        log.info("hire %s already appointed as %s", event.application_id, officer_id)
        return
    cmd = AppointOfficer(
        officer_id=officer_id,
        full_name=event.full_name,
        birth_year=event.birth_year,
        gender=event.gender,
        unit_id=event.unit_id,
        employment_category=event.employment_category,
        assignment=event.assignment,
        functions=list(event.functions),
        effective_date=event.hired_on,
    )
    try:
        async with conn.transaction():  # a refused appointment leaves nothing half-written
            await appoint_officer(uow, cmd, application_id=event.application_id, causation_id=envelope.event_id)
    except DomainError as exc:
        log.warning("hire %s refused: %s", event.application_id, exc)
        await uow.publish(
            OfficerAppointmentRefused(
                officer_id=officer_id, application_id=event.application_id, unit_id=event.unit_id, reason=str(exc)
            ),
            causation_id=envelope.event_id,
        )


def make_consumer() -> IdempotentConsumer:
    consumer = IdempotentConsumer("personnel-hires")
    consumer.on(CandidateHired)(on_candidate_hired)
    return consumer
