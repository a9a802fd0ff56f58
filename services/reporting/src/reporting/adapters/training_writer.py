"""Projection of training events: plans (current revision), classes, enrolments and results,
certificates, drills and findings. One class's events share a key, so they arrive in order."""

from __future__ import annotations

from cds_contracts import training as t
from cds_plumbing.db import Connection

_TARGETS = t.PLAN_TARGET_NAMES  # training_plans has one column per target, named like the field


async def plan(conn: Connection, year: int, revision: int, targets: t.PlanTargets) -> None:
    cols = ", ".join(_TARGETS)
    params = ", ".join(f"${i + 3}" for i in range(len(_TARGETS)))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in _TARGETS)
    await conn.execute(
        f"""INSERT INTO training_plans (year, revision, {cols}) VALUES ($1, $2, {params})
            ON CONFLICT (year) DO UPDATE SET revision = EXCLUDED.revision, {sets}
            WHERE training_plans.revision < EXCLUDED.revision""",
        year,
        revision,
        *(getattr(targets, c) for c in _TARGETS),
    )


async def class_scheduled(conn: Connection, e: t.ClassScheduled) -> None:
    await conn.execute(
        """INSERT INTO training_classes (class_id, programme_id, programme_kind, advanced, plan_year, title,
                                         starts_on, ends_on, organiser_unit_id, capacity, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled')""",
        e.class_id,
        e.programme_id,
        e.programme_kind,
        e.advanced,
        e.plan_year,
        e.title,
        e.starts_on,
        e.ends_on,
        e.organiser_unit_id,
        e.capacity,
    )


async def class_status(
    conn: Connection, class_id: str, status: str, column: str | None = None, day: object = None
) -> None:
    extra = f", {column} = $3" if column else ""
    args = (class_id, status, day) if column else (class_id, status)
    await conn.execute(f"UPDATE training_classes SET status = $2{extra} WHERE class_id = $1", *args)


async def enrolled(conn: Connection, e: t.TraineeEnrolled) -> None:
    await conn.execute(
        """INSERT INTO training_enrolments (class_id, officer_id, unit_id, level, enrolled_on) VALUES ($1,$2,$3,$4,$5)
           ON CONFLICT (class_id, officer_id) DO UPDATE
           SET unit_id = EXCLUDED.unit_id, level = EXCLUDED.level, enrolled_on = EXCLUDED.enrolled_on,
               withdrawn_on = NULL""",
        e.class_id,
        e.officer_id,
        e.unit_id,
        e.level,
        e.enrolled_on,
    )


async def withdrawn(conn: Connection, e: t.EnrolmentWithdrawn) -> None:
    await conn.execute(
        "UPDATE training_enrolments SET withdrawn_on = $3 WHERE class_id = $1 AND officer_id = $2",
        e.class_id,
        e.officer_id,
        e.withdrawn_on,
    )


async def result(conn: Connection, e: t.TrainingCompleted) -> None:
    await conn.execute(
        """UPDATE training_enrolments SET passed = $3, score = $4, hours = $5, completed_on = $6
           WHERE class_id = $1 AND officer_id = $2""",
        e.class_id,
        e.officer_id,
        e.passed,
        e.score,
        e.hours,
        e.completed_on,
    )


async def certificate(conn: Connection, e: t.CertificateIssued) -> None:
    await conn.execute(
        "INSERT INTO training_certificates VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.certificate_id,
        e.class_id,
        e.officer_id,
        e.programme_kind,
        e.name,
        e.issued_on,
        e.expires_on,
    )


async def drill(conn: Connection, e: t.DrillConducted) -> None:
    await conn.execute(
        "INSERT INTO drills VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.drill_id,
        e.title,
        e.format,
        e.held_on,
        e.plan_year,
        list(e.unit_ids),
        list(e.officer_ids),
    )


async def finding(conn: Connection, e: t.FindingRecorded) -> None:
    await conn.execute(
        "INSERT INTO drill_findings VALUES ($1, $2, $3, $4, $5, NULL)",
        e.finding_id,
        e.drill_id,
        e.owner_unit_id,
        e.description,
        e.due_on,
    )


async def finding_closed(conn: Connection, e: t.FindingClosed) -> None:
    await conn.execute("UPDATE drill_findings SET closed_on = $2 WHERE finding_id = $1", e.finding_id, e.closed_on)
