"""Handlers for classes: scheduling, status changes, enrolment, attendance, results and certificates."""

from __future__ import annotations

import uuid

from cds_contracts import Event
from cds_contracts.training import (
    AttendanceRecorded,
    CertificateIssued,
    ClassCancelled,
    ClassCompleted,
    ClassScheduled,
    ClassStarted,
    EnrolmentWithdrawn,
    TraineeEnrolled,
    TrainingCompleted,
)
from training.domain import classes as rules
from training.domain.classes import Enrolment, TrainingClass
from training.domain.directory import trainee
from training.domain.errors import ConflictError, NotFoundError, RuleViolationError

from .commands import (
    CancelClass,
    CompleteClass,
    Enrol,
    RecordAttendance,
    RecordResults,
    ScheduleClass,
    StartClass,
    Withdraw,
)
from .programme_handlers import load_programme
from .unit_of_work import UnitOfWork


async def load_class(uow: UnitOfWork, class_id: str, *, lock: bool = True) -> TrainingClass:
    found = await uow.classes.get(class_id, lock=lock)
    if found is None:
        raise NotFoundError(f"class {class_id} does not exist")
    return found


async def require_known_units(uow: UnitOfWork, unit_ids: list[str]) -> None:
    unknown = await uow.directory.unknown_units(unit_ids)
    if unknown:
        raise RuleViolationError(f"unit(s) {', '.join(unknown)} unknown to training (no registration from personnel)")


async def schedule_class(uow: UnitOfWork, cmd: ScheduleClass) -> TrainingClass:
    rules.check_dates(cmd.starts_on, cmd.ends_on)
    programme = await load_programme(uow, cmd.programme_id)
    await require_known_units(uow, [cmd.organiser_unit_id])
    levels = tuple(dict.fromkeys(cmd.target_levels))
    c = TrainingClass(
        class_id=cmd.class_id or f"LH-{uuid.uuid4().hex[:12].upper()}",
        programme_id=programme.programme_id,
        plan_year=cmd.plan_year,
        title=cmd.title,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        place=cmd.place,
        organiser_unit_id=cmd.organiser_unit_id,
        capacity=cmd.capacity,
        target_levels=levels,
        advanced=programme.advanced,
        status="scheduled",
    )
    await uow.classes.insert(c)
    await uow.publish(
        ClassScheduled(
            class_id=c.class_id,
            programme_id=programme.programme_id,
            programme_kind=programme.kind,
            advanced=c.advanced,
            plan_year=c.plan_year,
            title=c.title,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            place=c.place,
            organiser_unit_id=c.organiser_unit_id,
            capacity=c.capacity,
            target_levels=levels,
        )
    )
    return c


async def start_class(uow: UnitOfWork, class_id: str, cmd: StartClass) -> None:
    c = await load_class(uow, class_id)
    status = c.start(cmd.started_on)
    await uow.classes.set_status(class_id, status, started_on=cmd.started_on)
    await uow.publish(ClassStarted(class_id=class_id, started_on=cmd.started_on))


async def complete_class(uow: UnitOfWork, class_id: str, cmd: CompleteClass) -> None:
    c = await load_class(uow, class_id)
    status = c.complete(cmd.completed_on, await uow.classes.enrolments(class_id))
    await uow.classes.set_status(class_id, status, completed_on=cmd.completed_on)
    await uow.publish(ClassCompleted(class_id=class_id, completed_on=cmd.completed_on))


async def cancel_class(uow: UnitOfWork, class_id: str, cmd: CancelClass) -> None:
    """Also annuls a completed class: it, its results and its certificates no longer count (ClassCancelled)."""
    c = await load_class(uow, class_id)
    status = c.cancel()
    await uow.classes.set_status(class_id, status, cancelled_on=cmd.cancelled_on, cancel_reason=cmd.reason)
    await uow.publish(ClassCancelled(class_id=class_id, cancelled_on=cmd.cancelled_on, reason=cmd.reason))


async def enrol(uow: UnitOfWork, class_id: str, cmd: Enrol) -> Enrolment:
    c = await load_class(uow, class_id)  # locked: concurrent enrolments cannot both take the last seat
    c.require("enrol")
    t = trainee(cmd.officer_id, await uow.directory.officer(cmd.officer_id), cmd.enrolled_on)
    c.check_enrolment(t, await uow.classes.enrolments(class_id))
    await uow.classes.enrol(class_id, t.officer_id, t.unit_id, t.level, cmd.enrolled_on)
    await uow.publish(
        TraineeEnrolled(
            class_id=class_id, officer_id=t.officer_id, unit_id=t.unit_id, level=t.level, enrolled_on=cmd.enrolled_on
        )
    )
    return Enrolment(t.officer_id, t.unit_id, t.level, cmd.enrolled_on, "enrolled")


async def withdraw(uow: UnitOfWork, class_id: str, officer_id: str, cmd: Withdraw) -> None:
    c = await load_class(uow, class_id)
    enrolments = {e.officer_id: e for e in await uow.classes.enrolments(class_id)}
    c.check_withdrawal(officer_id, enrolments.get(officer_id), cmd.withdrawn_on)
    await uow.classes.withdraw(class_id, officer_id, cmd.withdrawn_on)
    await uow.publish(EnrolmentWithdrawn(class_id=class_id, officer_id=officer_id, withdrawn_on=cmd.withdrawn_on))


async def record_attendance(uow: UnitOfWork, class_id: str, cmd: RecordAttendance) -> int:
    c = await load_class(uow, class_id)
    enrolments = {e.officer_id: e for e in await uow.classes.enrolments(class_id)}
    recorded = await uow.classes.recorded_sessions(class_id, cmd.session_on)
    seen: set[str] = set()
    for entry in cmd.entries:
        c.check_attendance(entry.officer_id, enrolments.get(entry.officer_id), cmd.session_on)
        if entry.officer_id in recorded or entry.officer_id in seen:
            raise ConflictError(f"attendance of officer {entry.officer_id} on {cmd.session_on} is already recorded")
        seen.add(entry.officer_id)
    hours = [(e.officer_id, e.present, e.hours if e.present else 0.0) for e in cmd.entries]
    await uow.classes.add_attendance(class_id, cmd.session_on, hours)
    events: list[Event] = [
        AttendanceRecorded(class_id=class_id, officer_id=o, session_on=cmd.session_on, present=p, hours=h)
        for o, p, h in hours
    ]
    await uow.publish_many(events)
    return len(events)


async def record_results(uow: UnitOfWork, class_id: str, cmd: RecordResults) -> list[dict[str, object]]:
    """Final results; each pass of a certifying programme earns a certificate dated the result's day."""
    c = await load_class(uow, class_id)
    programme = await load_programme(uow, c.programme_id)
    enrolments = {e.officer_id: e for e in await uow.classes.enrolments(class_id)}
    seen: set[str] = set()
    for entry in cmd.results:
        c.check_result(entry.officer_id, enrolments.get(entry.officer_id), cmd.completed_on)
        if entry.officer_id in seen:
            raise ConflictError(f"officer {entry.officer_id} is named twice in the results")
        seen.add(entry.officer_id)
    out: list[dict[str, object]] = []
    for entry in cmd.results:
        e = enrolments[entry.officer_id]
        hours = entry.hours if entry.hours is not None else await uow.classes.attended_hours(class_id, e.officer_id)
        await uow.classes.add_result(class_id, e.officer_id, entry.passed, entry.score, hours, cmd.completed_on)
        await uow.publish(
            TrainingCompleted(
                class_id=class_id,
                officer_id=e.officer_id,
                unit_id=e.unit_id,
                passed=entry.passed,
                score=entry.score,
                hours=hours,
                completed_on=cmd.completed_on,
            )
        )
        result: dict[str, object] = {"officer_id": e.officer_id, "passed": entry.passed, "certificate_id": None}
        certificate = programme.certificate_for(entry.passed, cmd.completed_on)
        if certificate is not None:
            issued_on, expires_on = certificate
            certificate_id = f"CC-{uuid.uuid4().hex[:12].upper()}"
            await uow.classes.add_certificate(
                certificate_id, class_id, e.officer_id, programme.programme_id, programme.name_vi, issued_on, expires_on
            )
            await uow.publish(
                CertificateIssued(
                    class_id=class_id,
                    certificate_id=certificate_id,
                    officer_id=e.officer_id,
                    programme_id=programme.programme_id,
                    programme_kind=programme.kind,
                    name=programme.name_vi,
                    issued_on=issued_on,
                    expires_on=expires_on,
                )
            )
            result.update(certificate_id=certificate_id, expires_on=expires_on)
        out.append(result)
    return out
