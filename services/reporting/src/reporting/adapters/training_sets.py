"""Set-based projection of the high-volume events of training (enrolments, results, certificates) and
recruitment (applications): the outcome of training_writer and recruitment_writer applied one event
at a time, which stay the per-event reference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cds_contracts import recruitment as r
from cds_contracts import training as t
from cds_plumbing.db import Connection

from . import bulk

ENROLMENT = ("class_id", "officer_id")


async def enrolled(conn: Connection, events: Sequence[t.TraineeEnrolled]) -> None:
    rows = [
        {
            "class_id": e.class_id,
            "officer_id": e.officer_id,
            "unit_id": e.unit_id,
            "level": e.level,
            "enrolled_on": e.enrolled_on,
        }
        for e in events
    ]
    await bulk.insert(
        conn,
        "training_enrolments",
        rows,
        on_conflict="""ON CONFLICT (class_id, officer_id) DO UPDATE SET unit_id = EXCLUDED.unit_id,
            level = EXCLUDED.level, enrolled_on = EXCLUDED.enrolled_on, withdrawn_on = NULL""",
    )


async def withdrawn(conn: Connection, events: Sequence[t.EnrolmentWithdrawn]) -> None:
    rows = [{"class_id": e.class_id, "officer_id": e.officer_id, "withdrawn_on": e.withdrawn_on} for e in events]
    await bulk.update(conn, "training_enrolments", ENROLMENT, rows)


async def results(conn: Connection, events: Sequence[t.TrainingCompleted]) -> None:
    rows = [
        {
            "class_id": e.class_id,
            "officer_id": e.officer_id,
            "passed": e.passed,
            "score": e.score,
            "hours": e.hours,
            "completed_on": e.completed_on,
        }
        for e in events
    ]
    await bulk.update(conn, "training_enrolments", ENROLMENT, rows)


async def certificates(conn: Connection, events: Sequence[t.CertificateIssued]) -> None:
    rows = [
        {
            "certificate_id": e.certificate_id,
            "class_id": e.class_id,
            "officer_id": e.officer_id,
            "programme_kind": e.programme_kind,
            "name": e.name,
            "issued_on": e.issued_on,
            "expires_on": e.expires_on,
        }
        for e in events
    ]
    await bulk.insert(conn, "training_certificates", rows)  # a certificate id seen twice is refused, as one by one


async def applications_submitted(conn: Connection, events: Sequence[r.ApplicationSubmitted]) -> None:
    rows = [
        {"application_id": e.application_id, "vacancy_id": e.vacancy_id, "applied_at": e.applied_at, "stage": "applied"}
        for e in events
    ]
    await bulk.insert(conn, "applications", rows)
    await _reached(conn, [(e.application_id, "applied", e.applied_at) for e in events])


async def applications_moved(
    conn: Connection, events: Sequence[r.ApplicationStageChanged | r.ApplicationStageChangedV1]
) -> None:
    rows = [{"application_id": e.application_id, "stage": e.to_stage} for e in events]
    await bulk.update(conn, "applications", ("application_id",), rows)
    await _reached(conn, [(e.application_id, e.to_stage, e.changed_at) for e in events])


async def _reached(conn: Connection, stages: list[tuple[str, str, dt.datetime]]) -> None:
    rows = [{"application_id": a, "stage": s, "reached_at": at} for a, s, at in stages]
    await bulk.insert(conn, "application_stages", rows, on_conflict="ON CONFLICT DO NOTHING")
