"""The on_<event> subscribers of the projections, shared by the live consumer and the rebuild.

Each subscriber runs inside the consumer's batch transaction, whose before_batch hook has set
search_path to the schema being written; the inbox guarantees each event is applied once per consumer.
"""

from __future__ import annotations

from cds_contracts import REGISTRY, Envelope, Event, Registry
from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAppointedV1,
    OfficerAssignmentChanged,
    OfficerCertificateAdded,
    OfficerCorrected,
    OfficerCorrectedV1,
    OfficerDeparted,
    OfficerDepartedV1,
    OfficerQualificationAdded,
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
from cds_contracts.personnel_teams import (
    CommunityTeamEstablished,
    CommunityTeamMemberJoined,
    CommunityTeamMemberLeft,
    CommunityTeamMoved,
)
from cds_plumbing.consumer import BatchHook, Handler, IdempotentConsumer
from cds_plumbing.db import Connection
from reporting.adapters import officer_writer, recruitment_writer, team_writer, unit_writer
from reporting.entrypoints.events.batch_subscribers import BATCH_SUBSCRIBERS
from reporting.entrypoints.events.recruitment_subscribers import RECRUITMENT_SUBSCRIBERS
from reporting.entrypoints.events.response_team_subscribers import RESPONSE_TEAM_SUBSCRIBERS
from reporting.entrypoints.events.training_subscribers import TRAINING_SUBSCRIBERS


async def on_org_unit_registered(conn: Connection, event: OrgUnitRegistered, envelope: Envelope) -> None:
    await unit_writer.registered(conn, event)


async def on_org_unit_renamed(conn: Connection, event: OrgUnitRenamed, envelope: Envelope) -> None:
    await unit_writer.renamed(conn, event)


async def on_org_unit_moved(conn: Connection, event: OrgUnitMoved, envelope: Envelope) -> None:
    await unit_writer.moved(conn, event)


async def on_org_units_merged(conn: Connection, event: OrgUnitsMerged, envelope: Envelope) -> None:
    await unit_writer.merged(conn, event)


async def on_org_unit_split(conn: Connection, event: OrgUnitSplit, envelope: Envelope) -> None:
    await unit_writer.split(conn, event)


async def on_org_unit_dissolved(conn: Connection, event: OrgUnitDissolved, envelope: Envelope) -> None:
    await unit_writer.dissolved(conn, event)


async def on_officer_appointed(
    conn: Connection, event: OfficerAppointed | OfficerAppointedV1, envelope: Envelope
) -> None:
    await officer_writer.appointed(conn, event)
    if event.application_id is not None:  # a hire from recruitment: counted in hires per month
        await recruitment_writer.officer_hired(conn, event.officer_id, event.application_id, event.effective_date)


async def on_officer_assignment_changed(conn: Connection, event: OfficerAssignmentChanged, envelope: Envelope) -> None:
    await officer_writer.assignment_changed(conn, event)


async def on_officer_transferred(conn: Connection, event: OfficerTransferred, envelope: Envelope) -> None:
    await officer_writer.transferred(conn, event)


async def on_officer_departed(conn: Connection, event: OfficerDeparted | OfficerDepartedV1, envelope: Envelope) -> None:
    await officer_writer.departed(conn, event)


async def on_officer_corrected(
    conn: Connection, event: OfficerCorrected | OfficerCorrectedV1, envelope: Envelope
) -> None:
    await officer_writer.corrected(conn, event)


async def on_officer_qualification_added(
    conn: Connection, event: OfficerQualificationAdded, envelope: Envelope
) -> None:
    await officer_writer.qualification_added(conn, event, envelope.event_id)


async def on_officer_certificate_added(conn: Connection, event: OfficerCertificateAdded, envelope: Envelope) -> None:
    await officer_writer.certificate_added(conn, event)


async def on_community_team_established(conn: Connection, event: CommunityTeamEstablished, envelope: Envelope) -> None:
    await team_writer.established(conn, event)


async def on_community_team_moved(conn: Connection, event: CommunityTeamMoved, envelope: Envelope) -> None:
    await team_writer.moved(conn, event)


async def on_community_team_member_joined(
    conn: Connection, event: CommunityTeamMemberJoined, envelope: Envelope
) -> None:
    await team_writer.member_joined(conn, event)


async def on_community_team_member_left(conn: Connection, event: CommunityTeamMemberLeft, envelope: Envelope) -> None:
    await team_writer.member_left(conn, event)


SUBSCRIBERS: dict[type[Event], Handler] = {
    OrgUnitRegistered: on_org_unit_registered,
    OrgUnitRenamed: on_org_unit_renamed,
    OrgUnitMoved: on_org_unit_moved,
    OrgUnitsMerged: on_org_units_merged,
    OrgUnitSplit: on_org_unit_split,
    OrgUnitDissolved: on_org_unit_dissolved,
    OfficerAppointed: on_officer_appointed,
    OfficerAppointedV1: on_officer_appointed,  # v1 records: name, birth year and gender are not stored
    OfficerAssignmentChanged: on_officer_assignment_changed,
    OfficerTransferred: on_officer_transferred,
    OfficerDeparted: on_officer_departed,
    OfficerDepartedV1: on_officer_departed,  # v1: the destination is not stored
    OfficerCorrected: on_officer_corrected,
    OfficerCorrectedV1: on_officer_corrected,  # v1: name, birth year, gender, destination, note not stored
    OfficerQualificationAdded: on_officer_qualification_added,
    OfficerCertificateAdded: on_officer_certificate_added,
    CommunityTeamEstablished: on_community_team_established,
    CommunityTeamMoved: on_community_team_moved,
    CommunityTeamMemberJoined: on_community_team_member_joined,
    CommunityTeamMemberLeft: on_community_team_member_left,
}


ALL_SUBSCRIBERS: dict[type[Event], Handler] = (
    SUBSCRIBERS | TRAINING_SUBSCRIBERS | RECRUITMENT_SUBSCRIBERS | RESPONSE_TEAM_SUBSCRIBERS
)
"""Every projection subscriber: personnel's (units, officers, teams, response teams), training's, recruitment's."""


def make_consumer(
    name: str, *, before_batch: BatchHook, registry: Registry = REGISTRY, set_based: bool = True
) -> IdempotentConsumer:
    """A consumer with every projection subscriber; the live one and each rebuild differ by name and hook.
    The high-volume types are applied a set at a time (batch_subscribers.py); `set_based=False` keeps
    every type per event, the reference the set-based writers are tested against."""
    consumer = IdempotentConsumer(name, registry=registry, before_batch=before_batch)
    for model, handler in ALL_SUBSCRIBERS.items():
        consumer.on(model)(handler)
    if set_based:
        for model, sub in BATCH_SUBSCRIBERS.items():
            consumer.on_batch(model, order_by=sub.order_by)(sub.handler)
    return consumer
