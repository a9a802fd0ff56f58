"""The on_<event> subscribers for training's events (registered with the projection consumer)."""

from __future__ import annotations

from cds_contracts import Envelope, Event
from cds_contracts import training as t
from cds_plumbing.consumer import Handler
from cds_plumbing.db import Connection
from reporting.adapters import training_writer as w


async def on_training_plan_adopted(conn: Connection, event: t.TrainingPlanAdopted, envelope: Envelope) -> None:
    await w.plan(conn, event.year, 1, event.targets)


async def on_training_plan_amended(conn: Connection, event: t.TrainingPlanAmended, envelope: Envelope) -> None:
    await w.plan(conn, event.year, event.revision, event.targets)


async def on_class_scheduled(conn: Connection, event: t.ClassScheduled, envelope: Envelope) -> None:
    await w.class_scheduled(conn, event)


async def on_class_started(conn: Connection, event: t.ClassStarted, envelope: Envelope) -> None:
    await w.class_status(conn, event.class_id, "running")


async def on_class_completed(conn: Connection, event: t.ClassCompleted, envelope: Envelope) -> None:
    await w.class_status(conn, event.class_id, "completed", "completed_on", event.completed_on)


async def on_class_cancelled(conn: Connection, event: t.ClassCancelled, envelope: Envelope) -> None:
    await w.class_status(conn, event.class_id, "cancelled", "cancelled_on", event.cancelled_on)


async def on_trainee_enrolled(conn: Connection, event: t.TraineeEnrolled, envelope: Envelope) -> None:
    await w.enrolled(conn, event)


async def on_enrolment_withdrawn(conn: Connection, event: t.EnrolmentWithdrawn, envelope: Envelope) -> None:
    await w.withdrawn(conn, event)


async def on_training_completed(conn: Connection, event: t.TrainingCompleted, envelope: Envelope) -> None:
    await w.result(conn, event)


async def on_certificate_issued(conn: Connection, event: t.CertificateIssued, envelope: Envelope) -> None:
    await w.certificate(conn, event)


async def on_drill_conducted(conn: Connection, event: t.DrillConducted, envelope: Envelope) -> None:
    await w.drill(conn, event)


async def on_finding_recorded(conn: Connection, event: t.FindingRecorded, envelope: Envelope) -> None:
    await w.finding(conn, event)


async def on_finding_closed(conn: Connection, event: t.FindingClosed, envelope: Envelope) -> None:
    await w.finding_closed(conn, event)


TRAINING_SUBSCRIBERS: dict[type[Event], Handler] = {
    t.TrainingPlanAdopted: on_training_plan_adopted,
    t.TrainingPlanAmended: on_training_plan_amended,
    t.ClassScheduled: on_class_scheduled,
    t.ClassStarted: on_class_started,
    t.ClassCompleted: on_class_completed,
    t.ClassCancelled: on_class_cancelled,
    t.TraineeEnrolled: on_trainee_enrolled,
    t.EnrolmentWithdrawn: on_enrolment_withdrawn,
    t.TrainingCompleted: on_training_completed,
    t.CertificateIssued: on_certificate_issued,
    t.DrillConducted: on_drill_conducted,
    t.FindingRecorded: on_finding_recorded,
    t.FindingClosed: on_finding_closed,
}
