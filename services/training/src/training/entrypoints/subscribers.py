"""The on_<event> subscribers that keep training's read model of officers and units from personnel's events.

They run inside the idempotent consumer's batch transaction; the inbox applies each event once. None of
them assumes an order between topics (see adapters.directory_repo).
"""

from __future__ import annotations

from cds_contracts import Envelope, Event
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
from cds_contracts.topics import PERSONNEL_OFFICER_PROFILE
from cds_plumbing.consumer import Handler, IdempotentConsumer
from cds_plumbing.db import Connection
from training.adapters import directory_repo as directory

CONSUMER_NAME = "training-officers"


async def on_org_unit_registered(conn: Connection, event: OrgUnitRegistered, envelope: Envelope) -> None:
    await directory.unit_registered(conn, event)


async def on_org_unit_renamed(conn: Connection, event: OrgUnitRenamed, envelope: Envelope) -> None:
    await directory.unit_renamed(conn, event)


async def on_org_unit_moved(conn: Connection, event: OrgUnitMoved, envelope: Envelope) -> None:
    await directory.unit_moved(conn, event)


async def on_org_units_merged(conn: Connection, event: OrgUnitsMerged, envelope: Envelope) -> None:
    await directory.units_merged(conn, event)


async def on_org_unit_split(conn: Connection, event: OrgUnitSplit, envelope: Envelope) -> None:
    await directory.unit_split(conn, event)


async def on_org_unit_dissolved(conn: Connection, event: OrgUnitDissolved, envelope: Envelope) -> None:
    await directory.unit_dissolved(conn, event)


async def on_officer_appointed(
    conn: Connection, event: OfficerAppointed | OfficerAppointedV1, envelope: Envelope
) -> None:
    await directory.officer_appointed(conn, event)


async def on_officer_transferred(conn: Connection, event: OfficerTransferred, envelope: Envelope) -> None:
    await directory.officer_transferred(conn, event)


async def on_officer_departed(conn: Connection, event: OfficerDeparted | OfficerDepartedV1, envelope: Envelope) -> None:
    await directory.officer_departed(conn, event)


async def on_officer_corrected(
    conn: Connection, event: OfficerCorrected | OfficerCorrectedV1, envelope: Envelope
) -> None:
    await directory.officer_corrected(conn, event)


async def on_officer_profile_stated(conn: Connection, event: OfficerProfileStated, envelope: Envelope) -> None:
    await directory.officer_profile_stated(conn, event)


SUBSCRIBERS: dict[type[Event], Handler] = {
    OrgUnitRegistered: on_org_unit_registered,
    OrgUnitRenamed: on_org_unit_renamed,
    OrgUnitMoved: on_org_unit_moved,
    OrgUnitsMerged: on_org_units_merged,
    OrgUnitSplit: on_org_unit_split,
    OrgUnitDissolved: on_org_unit_dissolved,
    OfficerAppointed: on_officer_appointed,
    OfficerAppointedV1: on_officer_appointed,
    OfficerTransferred: on_officer_transferred,
    OfficerDeparted: on_officer_departed,
    OfficerDepartedV1: on_officer_departed,
    OfficerCorrected: on_officer_corrected,
    OfficerCorrectedV1: on_officer_corrected,
    OfficerProfileStated: on_officer_profile_stated,
}


def make_consumer(name: str = CONSUMER_NAME) -> IdempotentConsumer:
    """The read-model consumer; one per app (it is bound to that app's pool at start-up)."""
    consumer = IdempotentConsumer(name)
    for model, handler in SUBSCRIBERS.items():
        consumer.on(model)(handler)
    consumer.on_tombstone(PERSONNEL_OFFICER_PROFILE)(directory.officer_profile_erased)
    return consumer
