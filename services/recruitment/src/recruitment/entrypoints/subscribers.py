"""The `recruitment-personnel` consumer: recruitment's read models of personnel's org units and departures,
and personnel's answers to hires. Each subscriber runs in the consumer's batch transaction; the inbox
applies each event once, and a hire outcome's own event goes to the outbox in that same transaction."""

from __future__ import annotations

import logging

from cds_contracts import Envelope
from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAppointedV1,
    OfficerAppointmentRefused,
    OfficerCorrected,
    OfficerCorrectedV1,
    OfficerDeparted,
    OfficerDepartedV1,
)
from cds_contracts.personnel_org_units import (
    OrgUnitDissolved,
    OrgUnitMoved,
    OrgUnitRegistered,
    OrgUnitRenamed,
    OrgUnitsMerged,
    OrgUnitSplit,
)
from cds_contracts.topics import PERSONNEL_OFFICER_PROFILE
from cds_plumbing.consumer import IdempotentConsumer
from cds_plumbing.db import Connection
from recruitment.adapters.org_units_repo import OrgUnitRepository
from recruitment.adapters.retention_repo import RetentionRepository
from recruitment.service_layer import erasure
from recruitment.service_layer.application_handlers import record_hire_outcome
from recruitment.service_layer.unit_of_work import on_connection

CONSUMER_NAME = "recruitment-personnel"
log = logging.getLogger(__name__)


async def on_org_unit_registered(conn: Connection, event: OrgUnitRegistered, envelope: Envelope) -> None:
    await OrgUnitRepository(conn).registered(
        event.unit_id, event.name_vi, event.kind, event.level, event.parent_id, event.valid_from
    )


async def on_org_unit_renamed(conn: Connection, event: OrgUnitRenamed, envelope: Envelope) -> None:
    await OrgUnitRepository(conn).renamed(event.unit_id, event.name_vi)


async def on_org_unit_moved(conn: Connection, event: OrgUnitMoved, envelope: Envelope) -> None:
    await OrgUnitRepository(conn).moved(event.unit_id, event.parent_id, event.level)


async def on_org_units_merged(conn: Connection, event: OrgUnitsMerged, envelope: Envelope) -> None:
    ceasing = [p for p in event.predecessor_ids if p != event.successor_id]  # a continuing successor lives on
    await OrgUnitRepository(conn).ceased(ceasing, event.effective_date, event.successor_id)


async def on_org_unit_split(conn: Connection, event: OrgUnitSplit, envelope: Envelope) -> None:
    await OrgUnitRepository(conn).ceased([event.unit_id], event.effective_date)


async def on_org_unit_dissolved(conn: Connection, event: OrgUnitDissolved, envelope: Envelope) -> None:
    await OrgUnitRepository(conn).ceased([event.unit_id], event.effective_date)


# v1 records still on the topic carry a destination (and a name): never stored here.
async def on_officer_departed(conn: Connection, event: OfficerDeparted | OfficerDepartedV1, envelope: Envelope) -> None:
    await RetentionRepository(conn).departed(event.officer_id, event.unit_id, event.effective_date, event.reason)


async def on_officer_corrected(
    conn: Connection, event: OfficerCorrected | OfficerCorrectedV1, envelope: Envelope
) -> None:
    if event.departure_date is not None:
        await RetentionRepository(conn).corrected(event.officer_id, event.departure_date, event.departure_reason)


async def on_officer_profile_erased(conn: Connection, officer_id: str) -> None:
    """Personnel erased the officer: exit-interview notes about them go, and so does the candidate record
    of the hire that made them an officer."""
    await erasure.forget_officer(on_connection(conn, actor="personnel"), officer_id)


async def on_officer_appointed(
    conn: Connection, event: OfficerAppointed | OfficerAppointedV1, envelope: Envelope
) -> None:
    if event.application_id is None:
        return  # an appointment made in personnel directly, not an answer to a hire
    repos = on_connection(conn, actor=envelope.actor, correlation_id=envelope.correlation_id)
    await record_hire_outcome(repos, envelope, event.application_id, event.officer_id, appointed=True, reason=None)


async def on_officer_appointment_refused(
    conn: Connection, event: OfficerAppointmentRefused, envelope: Envelope
) -> None:
    repos = on_connection(conn, actor=envelope.actor, correlation_id=envelope.correlation_id)
    await record_hire_outcome(
        repos, envelope, event.application_id, event.officer_id, appointed=False, reason=event.reason
    )


def make_consumer(name: str = CONSUMER_NAME) -> IdempotentConsumer:
    consumer = IdempotentConsumer(name)
    consumer.on(OrgUnitRegistered)(on_org_unit_registered)
    consumer.on(OrgUnitRenamed)(on_org_unit_renamed)
    consumer.on(OrgUnitMoved)(on_org_unit_moved)
    consumer.on(OrgUnitsMerged)(on_org_units_merged)
    consumer.on(OrgUnitSplit)(on_org_unit_split)
    consumer.on(OrgUnitDissolved)(on_org_unit_dissolved)
    consumer.on(OfficerDeparted)(on_officer_departed)
    consumer.on(OfficerDepartedV1)(on_officer_departed)
    consumer.on(OfficerCorrected)(on_officer_corrected)
    consumer.on(OfficerCorrectedV1)(on_officer_corrected)
    consumer.on(OfficerAppointed)(on_officer_appointed)
    consumer.on(OfficerAppointedV1)(on_officer_appointed)
    consumer.on_tombstone(PERSONNEL_OFFICER_PROFILE)(on_officer_profile_erased)
    consumer.on(OfficerAppointmentRefused)(on_officer_appointment_refused)
    return consumer
