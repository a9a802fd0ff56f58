"""Projection of officer events into officers, officer_periods, officer_qualifications and officer_certificates."""

from __future__ import annotations

import uuid

from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAssignmentChanged,
    OfficerCertificateAdded,
    OfficerCorrected,
    OfficerDeparted,
    OfficerQualificationAdded,
    OfficerTransferred,
)
from cds_plumbing.db import Connection
from reporting.domain.periods import day_before

from . import periods

TABLE = "officer_periods"


async def appointed(conn: Connection, e: OfficerAppointed) -> None:
    # An appointment (also a re-appointment) clears any earlier departure.
    await conn.execute(
        """INSERT INTO officers (officer_id, full_name, birth_year, gender, employment_category)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (officer_id) DO UPDATE SET full_name = $2, birth_year = $3, gender = $4,
             employment_category = $5, departure_date = NULL, departure_reason = NULL, departure_destination = NULL""",
        e.officer_id,
        e.full_name,
        e.birth_year,
        e.gender,
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


async def departed(conn: Connection, e: OfficerDeparted) -> None:
    await periods.close(conn, TABLE, {"officer_id": e.officer_id}, e.effective_date)
    await conn.execute(
        """UPDATE officers SET departure_date = $2, departure_reason = $3, departure_destination = $4
           WHERE officer_id = $1""",
        e.officer_id,
        e.effective_date,
        e.reason,
        e.destination,
    )


async def corrected(conn: Connection, e: OfficerCorrected) -> None:
    before = await conn.fetchval("SELECT departure_date FROM officers WHERE officer_id = $1", e.officer_id)
    await conn.execute(
        """UPDATE officers SET full_name = $2, birth_year = $3, gender = $4, employment_category = $5
           WHERE officer_id = $1""",
        e.officer_id,
        e.full_name,
        e.birth_year,
        e.gender,
        e.employment_category,
    )
    if e.departure_date is None:
        return
    if e.departure_date != before:
        # A corrected departure date moves the end of the officer's last period with it.
        await periods.set_end(conn, TABLE, {"officer_id": e.officer_id}, day_before(e.departure_date))
    await conn.execute(
        """UPDATE officers SET departure_date = $2, departure_reason = coalesce($3, departure_reason),
             departure_destination = $4
           WHERE officer_id = $1""",
        e.officer_id,
        e.departure_date,
        e.departure_reason,
        e.departure_destination,
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
