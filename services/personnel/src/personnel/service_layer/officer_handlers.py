"""Handlers for officer commands: appointment, changes, departure and corrections."""

from __future__ import annotations

import uuid
from uuid import UUID

from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAssignmentChanged,
    OfficerCertificateAdded,
    OfficerCorrected,
    OfficerDeparted,
    OfficerQualificationAdded,
    OfficerTransferred,
)
from cds_contracts.personnel_response_teams import ResponseTeamMemberLeft
from cds_contracts.profiles import OfficerProfileStated
from personnel.domain import officers as rules
from personnel.domain import response_teams
from personnel.domain.errors import ConflictError, NotFoundError, RuleViolationError
from personnel.domain.officers import Officer, OfficerPeriod

from .commands import (
    AddCertificate,
    AddQualification,
    AppointOfficer,
    ChangeAssignment,
    CorrectOfficer,
    RecordDeparture,
    TransferOfficer,
)
from .unit_handlers import load_unit
from .unit_of_work import UnitOfWork


def new_officer_id() -> str:
    return f"CB-{uuid.uuid4().hex[:12].upper()}"


async def load_officer(uow: UnitOfWork, officer_id: str) -> Officer:
    officer = await uow.officers.get(officer_id, lock=True)
    if officer is None:
        raise NotFoundError(f"officer {officer_id} does not exist")
    return officer


def officer_from(cmd: AppointOfficer, officer_id: str) -> Officer:
    period = OfficerPeriod(
        cmd.effective_date, None, cmd.unit_id, cmd.assignment, rules.normalise_functions(cmd.functions)
    )
    return Officer(
        officer_id,
        cmd.full_name,
        cmd.birth_year,
        cmd.gender,
        cmd.employment_category,
        cmd.effective_date,
        None,
        None,
        None,
        (period,),
    )


def appointed_event(o: Officer, application_id: str | None = None) -> OfficerAppointed:
    p = o.periods[0]
    return OfficerAppointed(
        officer_id=o.officer_id,
        unit_id=p.unit_id,
        employment_category=o.employment_category,
        assignment=p.assignment,
        functions=p.functions,
        effective_date=p.valid_from,
        application_id=application_id,
    )


def profile_event(o: Officer) -> OfficerProfileStated:
    """The officer's name on the compacted profile topic: the only way it leaves personnel."""
    assert o.full_name is not None, "an erased officer has no profile"
    return OfficerProfileStated(officer_id=o.officer_id, full_name=o.full_name)


async def appoint_officer(
    uow: UnitOfWork, cmd: AppointOfficer, *, application_id: str | None = None, causation_id: UUID | None = None
) -> Officer:
    officer_id = cmd.officer_id or new_officer_id()
    if await uow.officers.existing_ids([officer_id]):
        raise ConflictError(f"officer id {officer_id} is already used")
    (await load_unit(uow, cmd.unit_id, lock=False)).require_active(cmd.effective_date)
    officer = officer_from(cmd, officer_id)
    await uow.officers.insert_many([officer])
    # The profile, then the appointment (in this order, as before), in one round trip to the database.
    events = [profile_event(officer), appointed_event(officer, application_id)]
    await uow.publish_many(events, causation_id=causation_id)
    return officer


async def change_assignment(uow: UnitOfWork, officer_id: str, cmd: ChangeAssignment) -> None:
    officer = await load_officer(uow, officer_id)
    functions = rules.normalise_functions(cmd.functions)
    plan = officer.plan_change(cmd.effective_date, "assignment change")
    await uow.officers.change_period(officer, plan, cmd.effective_date, assignment=cmd.assignment, functions=functions)
    await uow.publish(
        OfficerAssignmentChanged(
            officer_id=officer_id,
            assignment=cmd.assignment,
            functions=functions,
            effective_date=cmd.effective_date,
        )
    )


async def transfer_officer(uow: UnitOfWork, officer_id: str, cmd: TransferOfficer) -> None:
    officer = await load_officer(uow, officer_id)
    plan = officer.plan_change(cmd.effective_date, "transfer")
    rules.check_transfer(officer.current.unit_id, cmd.to_unit_id)
    (await load_unit(uow, cmd.to_unit_id, lock=False)).require_active(cmd.effective_date)
    await uow.officers.change_period(officer, plan, cmd.effective_date, unit_id=cmd.to_unit_id)
    await uow.publish(
        OfficerTransferred(
            officer_id=officer_id,
            from_unit_id=officer.current.unit_id,
            to_unit_id=cmd.to_unit_id,
            effective_date=cmd.effective_date,
            reason="transfer",
        )
    )


async def add_qualification(uow: UnitOfWork, officer_id: str, cmd: AddQualification) -> None:
    officer = await load_officer(uow, officer_id)
    officer.require_serving()
    await uow.officers.add_qualification(officer_id, cmd.degree_level, cmd.field, cmd.year)
    await uow.publish(OfficerQualificationAdded(officer_id=officer_id, **cmd.model_dump()))


async def add_certificate(uow: UnitOfWork, officer_id: str, cmd: AddCertificate) -> str:
    officer = await load_officer(uow, officer_id)
    officer.require_serving()
    if cmd.expires_on is not None and cmd.expires_on <= cmd.issued_on:
        raise RuleViolationError("a certificate must expire after it was issued")
    certificate_id = f"CC-{uuid.uuid4().hex[:12].upper()}"
    await uow.officers.add_certificate(officer_id, certificate_id, cmd.name, cmd.issuer, cmd.issued_on, cmd.expires_on)
    await uow.publish(OfficerCertificateAdded(officer_id=officer_id, certificate_id=certificate_id, **cmd.model_dump()))
    return certificate_id


async def record_departure(uow: UnitOfWork, officer_id: str, cmd: RecordDeparture) -> None:
    officer = await load_officer(uow, officer_id)
    officer.check_departure(cmd.effective_date)
    memberships = await uow.response_teams.active_memberships_of(officer_id)
    response_teams.check_departure(cmd.effective_date, memberships)
    await uow.officers.depart(officer, cmd.effective_date, cmd.reason, cmd.destination)
    departed = await uow.publish(
        OfficerDeparted(
            officer_id=officer_id,
            unit_id=officer.current.unit_id,
            effective_date=cmd.effective_date,
            reason=cmd.reason,
        )
    )
    # A member who departs the public service leaves every incident-response team, in this transaction.
    for team_id in await uow.response_teams.leave_all(officer_id, cmd.effective_date, "departed"):
        await uow.publish(
            ResponseTeamMemberLeft(
                team_id=team_id, officer_id=officer_id, left_on=cmd.effective_date, reason="departed"
            ),
            causation_id=departed.event_id,
        )


PERSONAL_CORRECTIONS = frozenset({"full_name", "birth_year", "gender", "departure_destination"})


async def correct_officer(uow: UnitOfWork, officer_id: str, cmd: CorrectOfficer) -> None:
    officer = await load_officer(uow, officer_id)
    changes = cmd.model_dump(exclude_unset=True, exclude={"note"})
    if PERSONAL_CORRECTIONS & changes.keys() and await uow.officers.erased(officer_id):
        raise ConflictError(f"officer {officer_id}'s personal data were erased; they cannot be set again")
    departure = {
        k: changes.pop(k) for k in ("departure_date", "departure_reason", "departure_destination") if k in changes
    }
    if departure and officer.departed_on is None:
        raise ConflictError(f"officer {officer_id} has not departed; record a departure instead")
    if "departure_date" in departure and await uow.response_teams.left_on_departure(officer_id):
        # Reporting closed those memberships on the old date and has no event to reopen them: refuse rather
        # than let the two disagree. Correct the team memberships first, then the departure.
        raise ConflictError(
            f"officer {officer_id}'s departure closed incident-response team memberships; "
            "a corrected departure date would leave them wrong"
        )
    if "departure_date" in departure and departure["departure_date"] <= officer.current.valid_from:
        raise ConflictError(f"departure must come after the officer's latest change ({officer.current.valid_from})")
    fields = dict(changes)
    renames = {
        "departure_date": "departed_on",
        "departure_reason": "departure_reason",
        "departure_destination": "departure_destination",
    }
    fields.update({renames[k]: v for k, v in departure.items()})
    if not fields:
        raise RuleViolationError("a correction must change at least one field")
    await uow.officers.correct(officer, fields)
    await uow.officers.note_correction(officer_id, sorted(fields), cmd.note, uow.actor)
    fixed = await load_officer(uow, officer_id)
    if fixed.full_name != officer.full_name:
        await uow.publish(profile_event(fixed))
    public = (fixed.employment_category, fixed.departed_on, fixed.departure_reason)
    if public != (officer.employment_category, officer.departed_on, officer.departure_reason):
        await uow.publish(
            OfficerCorrected(
                officer_id=officer_id,
                employment_category=fixed.employment_category,
                departure_date=fixed.departed_on,
                departure_reason=fixed.departure_reason,
            )
        )
