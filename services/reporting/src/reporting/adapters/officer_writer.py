"""Projection of officer events into officers, officer_periods, officer_qualifications and officer_certificates.

No personal data: the v1 events still on the topic carry a name, birth year, gender and destination, which
are not stored (reporting's figures need none of them)."""

from __future__ import annotations

import uuid

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
from cds_plumbing.db import Connection
from cds_plumbing.periods import day_before

from . import periods

TABLE = "officer_periods"


async def appointed(conn: Connection, e: OfficerAppointed | OfficerAppointedV1) -> None:
    # An appointment (also a re-appointment) clears any earlier departure.
    await conn.execute(
        """INSERT INTO officers (officer_id, employment_category) VALUES ($1, $2)
           ON CONFLICT (officer_id) DO UPDATE SET employment_category = $2, departure_date = NULL,
             departure_reason = NULL""",
        e.officer_id,
        e.employment_category,
    )
    values = {"unit_id": e.unit_id, "assignment": e.assignment, "functions": list(e.functions)}
    await periods.change(conn, TABLE, {"officer_id": e.officer_id}, e.effective_date, values, may_open=True)


async def assignment_changed(conn: Connection, e: OfficerAssignmentChanged) -> None:
    values = {"assignment": e.assignment, "functions": list(e.functions)}
    await periods.change(conn, TABLE, {"officer_id": e.officer_id}, e.effective_date, values, may_open=False)


async def transferred(conn: Connection, e: OfficerTransferred) -> None:
    values = {"unit_id": e.to_unit_id}
    await periods.change(conn, TABLE, {"officer_id": e.officer_id}, e.effective_date, values, may_open=False)


async def departed(conn: Connection, e: OfficerDeparted | OfficerDepartedV1) -> None:
    await periods.close(conn, TABLE, {"officer_id": e.officer_id}, e.effective_date)
    await conn.execute(
        "UPDATE officers SET departure_date = $2, departure_reason = $3 WHERE officer_id = $1",
        e.officer_id,
        e.effective_date,
        e.reason,
    )


async def corrected(conn: Connection, e: OfficerCorrected | OfficerCorrectedV1) -> None:
    before = await conn.fetchval("SELECT departure_date FROM officers WHERE officer_id = $1", e.officer_id)
    await conn.execute(
        "UPDATE officers SET employment_category = $2 WHERE officer_id = $1", e.officer_id, e.employment_category
    )
    if e.departure_date is None:
        return
    if e.departure_date != before:
        # A corrected departure date moves the end of the officer's last period with it.
        await periods.set_end(conn, TABLE, {"officer_id": e.officer_id}, day_before(e.departure_date))
    await conn.execute(
        """UPDATE officers SET departure_date = $2, departure_reason = coalesce($3, departure_reason)
           WHERE officer_id = $1""",
        e.officer_id,
        e.departure_date,
        e.departure_reason,
    )


async def qualification_added(conn: Connection, e: OfficerQualificationAdded, event_id: uuid.UUID) -> None:
    await conn.execute(
        """INSERT INTO officer_qualifications (event_id, officer_id, degree_level, field, year)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        event_id,
        e.officer_id,
        e.degree_level,
        e.field,
        e.year,
    )


async def certificate_added(conn: Connection, e: OfficerCertificateAdded) -> None:
    await conn.execute(
        """INSERT INTO officer_certificates (officer_id, certificate_id, name, issuer, issued_on, expires_on)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (officer_id, certificate_id) DO UPDATE
           SET name = $3, issuer = $4, issued_on = $5, expires_on = $6""",
        e.officer_id,
        e.certificate_id,
        e.name,
        e.issuer,
        e.issued_on,
        e.expires_on,
    )
