"""Set-based projection of personnel's high-volume events (officers, org units, community teams).

Each function takes every event of one type in a consumer step (at most one per key) and writes them
with a few statements; the outcome is that of officer_writer, unit_writer and team_writer applied one
event at a time, which stay the per-event reference (tests/integration/test_set_writers.py compares).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

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
from cds_plumbing.db import Connection

from . import bulk
from .period_sets import Change, Close, change_many, close_many

OFFICER = ("officer_id",)
UNIT = ("unit_id",)
TEAM = ("team_id",)
MEMBERSHIP = ("team_id", "member_id")


async def officers_appointed(conn: Connection, events: Sequence[OfficerAppointed | OfficerAppointedV1]) -> None:
    # An appointment (also a re-appointment) clears any earlier departure. No personal field is stored
    # (a v1 record's name, birth year and gender are read and dropped).
    people = [{"officer_id": e.officer_id, "employment_category": e.employment_category} for e in events]
    await bulk.insert(
        conn,
        "officers",
        people,
        on_conflict="""ON CONFLICT (officer_id) DO UPDATE SET
            employment_category = EXCLUDED.employment_category, departure_date = NULL, departure_reason = NULL""",
    )
    changes = [
        Change(
            (e.officer_id,),
            e.effective_date,
            {"unit_id": e.unit_id, "assignment": e.assignment, "functions": list(e.functions)},
        )
        for e in events
    ]
    await change_many(conn, "officer_periods", OFFICER, changes, may_open=True)
    hires = [
        {"officer_id": e.officer_id, "application_id": e.application_id, "hired_on": e.effective_date}
        for e in events
        if e.application_id is not None  # a hire from recruitment: counted in hires per month
    ]
    await bulk.insert(conn, "officer_hires", hires, on_conflict="ON CONFLICT (officer_id) DO NOTHING")


async def officers_assignment_changed(conn: Connection, events: Sequence[OfficerAssignmentChanged]) -> None:
    changes = [
        Change((e.officer_id,), e.effective_date, {"assignment": e.assignment, "functions": list(e.functions)})
        for e in events
    ]
    await change_many(conn, "officer_periods", OFFICER, changes, may_open=False)


async def officers_transferred(conn: Connection, events: Sequence[OfficerTransferred]) -> None:
    changes = [Change((e.officer_id,), e.effective_date, {"unit_id": e.to_unit_id}) for e in events]
    await change_many(conn, "officer_periods", OFFICER, changes, may_open=False)


async def officers_departed(conn: Connection, events: Sequence[OfficerDeparted | OfficerDepartedV1]) -> None:
    await close_many(conn, "officer_periods", OFFICER, [Close((e.officer_id,), e.effective_date) for e in events])
    departures = [
        {
            "officer_id": e.officer_id,
            "departure_date": e.effective_date,
            "departure_reason": e.reason,  # a v1 record's destination is not stored
        }
        for e in events
    ]
    await bulk.update(conn, "officers", OFFICER, departures)


async def qualifications_added(conn: Connection, events: Sequence[tuple[OfficerQualificationAdded, uuid.UUID]]) -> None:
    """`events` pairs each event with its event id (a qualification has no id of its own)."""
    rows = [
        {"event_id": i, "officer_id": e.officer_id, "degree_level": e.degree_level, "field": e.field, "year": e.year}
        for e, i in events
    ]
    await bulk.insert(conn, "officer_qualifications", rows, on_conflict="ON CONFLICT DO NOTHING")


async def certificates_added(conn: Connection, events: Sequence[OfficerCertificateAdded]) -> None:
    rows = [
        {
            "officer_id": e.officer_id,
            "certificate_id": e.certificate_id,
            "name": e.name,
            "issuer": e.issuer,
            "issued_on": e.issued_on,
            "expires_on": e.expires_on,
        }
        for e in events
    ]
    await bulk.insert(
        conn,
        "officer_certificates",
        rows,
        on_conflict="""ON CONFLICT (officer_id, certificate_id) DO UPDATE SET name = EXCLUDED.name,
            issuer = EXCLUDED.issuer, issued_on = EXCLUDED.issued_on, expires_on = EXCLUDED.expires_on""",
    )


async def units_registered(conn: Connection, events: Sequence[OrgUnitRegistered]) -> None:
    changes = [
        Change(
            (e.unit_id,),
            e.valid_from,
            {"name_vi": e.name_vi, "name_en": e.name_en, "kind": e.kind, "level": e.level, "parent_id": e.parent_id},
        )
        for e in events
    ]
    await change_many(conn, "unit_versions", UNIT, changes, may_open=True)
    await _apply_cessations(conn, [e.unit_id for e in events])


async def units_renamed(conn: Connection, events: Sequence[OrgUnitRenamed]) -> None:
    changes = [Change((e.unit_id,), e.effective_date, {"name_vi": e.name_vi, "name_en": e.name_en}) for e in events]
    await change_many(conn, "unit_versions", UNIT, changes, may_open=False)
    await _apply_cessations(conn, [e.unit_id for e in events])


async def units_moved(conn: Connection, events: Sequence[OrgUnitMoved]) -> None:
    changes = [Change((e.unit_id,), e.effective_date, {"parent_id": e.parent_id, "level": e.level}) for e in events]
    await change_many(conn, "unit_versions", UNIT, changes, may_open=False)
    await _apply_cessations(conn, [e.unit_id for e in events])


async def _apply_cessations(conn: Connection, unit_ids: list[str]) -> None:
    """Cap the units' versions at the day before they ceased, whichever of the two events came first."""
    await conn.execute(
        """UPDATE unit_versions v SET valid_to = c.ceased_on - 1
           FROM unit_cessations c
           WHERE v.unit_id = ANY($1::text[]) AND c.unit_id = v.unit_id
             AND (v.valid_to IS NULL OR v.valid_to >= c.ceased_on)""",
        unit_ids,
    )


async def teams_established(conn: Connection, events: Sequence[CommunityTeamEstablished]) -> None:
    changes = [
        Change((e.team_id,), e.established_on, {"commune_id": e.commune_id, "village": e.village}) for e in events
    ]
    await change_many(conn, "team_periods", TEAM, changes, may_open=True)


async def teams_moved(conn: Connection, events: Sequence[CommunityTeamMoved]) -> None:
    changes = [Change((e.team_id,), e.effective_date, {"commune_id": e.commune_id}) for e in events]
    await change_many(conn, "team_periods", TEAM, changes, may_open=False)


async def members_joined(conn: Connection, events: Sequence[CommunityTeamMemberJoined]) -> None:
    changes = [
        Change((e.team_id, e.member_id), e.joined_on, {"affiliation": e.affiliation, "role": e.role}) for e in events
    ]
    await change_many(conn, "team_memberships", MEMBERSHIP, changes, may_open=True)


async def members_left(conn: Connection, events: Sequence[CommunityTeamMemberLeft]) -> None:
    await close_many(conn, "team_memberships", MEMBERSHIP, [Close((e.team_id, e.member_id), e.left_on) for e in events])
