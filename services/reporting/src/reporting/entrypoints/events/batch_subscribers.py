"""Set-based subscribers (`consumer.on_batch`) for the event types that come by the thousand.

Each gets every event of its type in a consumer step, at most one per order key: the aggregate (an
officer, a unit, a team...) or, with `order_by`, a finer key inside it (a team's member, a class's
trainee), so one statement writes a whole reorganisation or a whole team import. They replace the
per-event subscribers (subscribers.py) of the same types in the live consumer and the rebuild; the
per-event ones stay as the reference the tests compare them with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cds_contracts import Envelope, Event
from cds_contracts import recruitment as r
from cds_contracts import training as t
from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAppointedV1,
    OfficerAssignmentChanged,
    OfficerCertificateAdded,
    OfficerDeparted,
    OfficerDepartedV1,
    OfficerQualificationAdded,
    OfficerTransferred,
)
from cds_contracts.personnel_org_units import OrgUnitMoved, OrgUnitRegistered, OrgUnitRenamed
from cds_contracts.personnel_teams import (
    CommunityTeamEstablished,
    CommunityTeamMemberJoined,
    CommunityTeamMemberLeft,
    CommunityTeamMoved,
)
from cds_plumbing.consumer import BatchHandler
from cds_plumbing.db import Connection
from reporting.adapters import personnel_sets as ps
from reporting.adapters import training_sets as ts


async def on_officers_appointed(
    conn: Connection, batch: Sequence[tuple[OfficerAppointed | OfficerAppointedV1, Envelope]]
) -> None:
    await ps.officers_appointed(conn, [e for e, _ in batch])


async def on_officers_assignment_changed(
    conn: Connection, batch: Sequence[tuple[OfficerAssignmentChanged, Envelope]]
) -> None:
    await ps.officers_assignment_changed(conn, [e for e, _ in batch])


async def on_officers_transferred(conn: Connection, batch: Sequence[tuple[OfficerTransferred, Envelope]]) -> None:
    await ps.officers_transferred(conn, [e for e, _ in batch])


async def on_officers_departed(
    conn: Connection, batch: Sequence[tuple[OfficerDeparted | OfficerDepartedV1, Envelope]]
) -> None:
    await ps.officers_departed(conn, [e for e, _ in batch])


async def on_officer_qualifications_added(
    conn: Connection, batch: Sequence[tuple[OfficerQualificationAdded, Envelope]]
) -> None:
    await ps.qualifications_added(conn, [(e, env.event_id) for e, env in batch])


async def on_officer_certificates_added(
    conn: Connection, batch: Sequence[tuple[OfficerCertificateAdded, Envelope]]
) -> None:
    await ps.certificates_added(conn, [e for e, _ in batch])


async def on_org_units_registered(conn: Connection, batch: Sequence[tuple[OrgUnitRegistered, Envelope]]) -> None:
    await ps.units_registered(conn, [e for e, _ in batch])


async def on_org_units_renamed(conn: Connection, batch: Sequence[tuple[OrgUnitRenamed, Envelope]]) -> None:
    await ps.units_renamed(conn, [e for e, _ in batch])


async def on_org_units_moved(conn: Connection, batch: Sequence[tuple[OrgUnitMoved, Envelope]]) -> None:
    await ps.units_moved(conn, [e for e, _ in batch])


async def on_community_teams_established(
    conn: Connection, batch: Sequence[tuple[CommunityTeamEstablished, Envelope]]
) -> None:
    await ps.teams_established(conn, [e for e, _ in batch])


async def on_community_teams_moved(conn: Connection, batch: Sequence[tuple[CommunityTeamMoved, Envelope]]) -> None:
    await ps.teams_moved(conn, [e for e, _ in batch])


async def on_community_team_members_joined(
    conn: Connection, batch: Sequence[tuple[CommunityTeamMemberJoined, Envelope]]
) -> None:
    await ps.members_joined(conn, [e for e, _ in batch])


async def on_community_team_members_left(
    conn: Connection, batch: Sequence[tuple[CommunityTeamMemberLeft, Envelope]]
) -> None:
    await ps.members_left(conn, [e for e, _ in batch])


async def on_trainees_enrolled(conn: Connection, batch: Sequence[tuple[t.TraineeEnrolled, Envelope]]) -> None:
    await ts.enrolled(conn, [e for e, _ in batch])


async def on_enrolments_withdrawn(conn: Connection, batch: Sequence[tuple[t.EnrolmentWithdrawn, Envelope]]) -> None:
    await ts.withdrawn(conn, [e for e, _ in batch])


async def on_trainings_completed(conn: Connection, batch: Sequence[tuple[t.TrainingCompleted, Envelope]]) -> None:
    await ts.results(conn, [e for e, _ in batch])


async def on_certificates_issued(conn: Connection, batch: Sequence[tuple[t.CertificateIssued, Envelope]]) -> None:
    await ts.certificates(conn, [e for e, _ in batch])


async def on_applications_submitted(conn: Connection, batch: Sequence[tuple[r.ApplicationSubmitted, Envelope]]) -> None:
    await ts.applications_submitted(conn, [e for e, _ in batch])


async def on_application_stages_changed(
    conn: Connection, batch: Sequence[tuple[r.ApplicationStageChanged | r.ApplicationStageChangedV1, Envelope]]
) -> None:
    await ts.applications_moved(conn, [e for e, _ in batch])


@dataclass(frozen=True)
class SetSubscriber:
    handler: BatchHandler
    order_by: Callable[[Any], tuple[Any, ...]] | None = None  # a key finer than the aggregate


def _officer(e: Any) -> tuple[Any, ...]:
    return (e.officer_id,)


BATCH_SUBSCRIBERS: dict[type[Event], SetSubscriber] = {
    OfficerAppointed: SetSubscriber(on_officers_appointed),
    OfficerAppointedV1: SetSubscriber(on_officers_appointed),  # v1: name, birth year and gender not stored
    OfficerAssignmentChanged: SetSubscriber(on_officers_assignment_changed),
    OfficerTransferred: SetSubscriber(on_officers_transferred),
    OfficerDeparted: SetSubscriber(on_officers_departed),
    OfficerDepartedV1: SetSubscriber(on_officers_departed),  # v1: the destination is not stored
    OfficerQualificationAdded: SetSubscriber(on_officer_qualifications_added),
    OfficerCertificateAdded: SetSubscriber(on_officer_certificates_added),
    OrgUnitRegistered: SetSubscriber(on_org_units_registered),
    OrgUnitRenamed: SetSubscriber(on_org_units_renamed),
    OrgUnitMoved: SetSubscriber(on_org_units_moved),
    CommunityTeamEstablished: SetSubscriber(on_community_teams_established),
    CommunityTeamMoved: SetSubscriber(on_community_teams_moved),
    CommunityTeamMemberJoined: SetSubscriber(on_community_team_members_joined, lambda e: (e.member_id,)),
    CommunityTeamMemberLeft: SetSubscriber(on_community_team_members_left, lambda e: (e.member_id,)),
    # A class's events share its key; each trainee's own are ordered by officer, the class's wait for all.
    t.TraineeEnrolled: SetSubscriber(on_trainees_enrolled, _officer),
    t.EnrolmentWithdrawn: SetSubscriber(on_enrolments_withdrawn, _officer),
    t.TrainingCompleted: SetSubscriber(on_trainings_completed, _officer),
    t.CertificateIssued: SetSubscriber(on_certificates_issued, _officer),
    r.ApplicationSubmitted: SetSubscriber(on_applications_submitted),
    r.ApplicationStageChanged: SetSubscriber(on_application_stages_changed),
    r.ApplicationStageChangedV1: SetSubscriber(on_application_stages_changed),  # its reason is not stored
}
