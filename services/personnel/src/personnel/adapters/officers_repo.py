"""asyncpg access to officers and their dated assignment periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from cds_plumbing.periods import Step, day_before
from personnel.domain.officers import Officer, OfficerPeriod

_OFFICER_COLS = (
    "officer_id, full_name, birth_year, gender, employment_category, appointed_on, departed_on,"
    " departure_reason, departure_destination"
)


def _period(row: asyncpg.Record) -> OfficerPeriod:
    return OfficerPeriod(row["valid_from"], row["valid_to"], row["unit_id"], row["assignment"], tuple(row["functions"]))


class OfficerRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, officer_id: str, *, lock: bool = False) -> Officer | None:
        row = await self._conn.fetchrow(
            f"SELECT {_OFFICER_COLS} FROM officers WHERE officer_id = $1{' FOR UPDATE' if lock else ''}", officer_id
        )
        if row is None:
            return None
        periods = await self._conn.fetch(
            "SELECT * FROM officer_periods WHERE officer_id = $1 ORDER BY valid_from", officer_id
        )
        return Officer(**dict(row), periods=tuple(_period(p) for p in periods))

    async def existing_ids(self, ids: list[str]) -> set[str]:
        rows = await self._conn.fetch("SELECT officer_id FROM officers WHERE officer_id = ANY($1)", ids)
        return {r["officer_id"] for r in rows}

    async def insert_many(self, officers: list[Officer]) -> None:
        if len(officers) == 1 and len(officers[0].periods) == 1:
            await self._insert_one(officers[0])
            return
        await self._conn.executemany(
            f"INSERT INTO officers ({_OFFICER_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            [
                (
                    o.officer_id,
                    o.full_name,
                    o.birth_year,
                    o.gender,
                    o.employment_category,
                    o.appointed_on,
                    o.departed_on,
                    o.departure_reason,
                    o.departure_destination,
                )
                for o in officers
            ],
        )
        await self._conn.executemany(
            "INSERT INTO officer_periods VALUES ($1,$2,$3,$4,$5,$6)",
            [
                (o.officer_id, p.valid_from, p.valid_to, p.unit_id, p.assignment, list(p.functions))
                for o in officers
                for p in o.periods
            ],
        )

    async def _insert_one(self, o: Officer) -> None:
        """An appointment: the officer and its period in one statement (one round trip instead of two; the
        foreign key of the period is checked at the statement's end, when both rows exist)."""
        (p,) = o.periods
        await self._conn.execute(
            f"""WITH officer AS (INSERT INTO officers ({_OFFICER_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9))
                INSERT INTO officer_periods VALUES ($1,$10,$11,$12,$13,$14)""",
            o.officer_id,
            o.full_name,
            o.birth_year,
            o.gender,
            o.employment_category,
            o.appointed_on,
            o.departed_on,
            o.departure_reason,
            o.departure_destination,
            p.valid_from,
            p.valid_to,
            p.unit_id,
            p.assignment,
            list(p.functions),
        )

    async def change_period(self, officer: Officer, plan: Step, effective: dt.date, **changes: Any) -> None:
        current = officer.current
        new = replace(current, **changes, valid_from=effective, valid_to=None)
        if plan is Step.CLOSE_AND_OPEN:
            # Close the current period, open the new one and touch the officer in one round trip: three
            # different rows, so the order in which the statement's parts run does not matter.
            await self._conn.execute(
                """WITH closed AS (UPDATE officer_periods SET valid_to = $3 WHERE officer_id = $1 AND valid_from = $2),
                        opened AS (INSERT INTO officer_periods VALUES ($1, $4, NULL, $5, $6, $7))
                   UPDATE officers SET updated_at = now() WHERE officer_id = $1""",
                officer.officer_id,
                current.valid_from,
                day_before(effective),
                new.valid_from,
                new.unit_id,
                new.assignment,
                list(new.functions),
            )
            return
        # REPLACE: the current period starts on `effective`; it is replaced by the new one (same key).
        await self._conn.execute(
            "DELETE FROM officer_periods WHERE officer_id = $1 AND valid_from = $2",
            officer.officer_id,
            current.valid_from,
        )
        await self._conn.execute(
            "INSERT INTO officer_periods VALUES ($1,$2,$3,$4,$5,$6)",
            officer.officer_id,
            new.valid_from,
            None,
            new.unit_id,
            new.assignment,
            list(new.functions),
        )
        await self._touch(officer.officer_id)

    async def _close(self, officer_id: str, period_from: dt.date, valid_to: dt.date | None) -> None:
        await self._conn.execute(
            "UPDATE officer_periods SET valid_to = $3 WHERE officer_id = $1 AND valid_from = $2",
            officer_id,
            period_from,
            valid_to,
        )

    async def _touch(self, officer_id: str) -> None:
        await self._conn.execute("UPDATE officers SET updated_at = now() WHERE officer_id = $1", officer_id)

    async def depart(self, officer: Officer, day: dt.date, reason: str, destination: str | None) -> None:
        await self._close(officer.officer_id, officer.current.valid_from, day_before(day))
        await self._conn.execute(
            """UPDATE officers SET departed_on = $2, departure_reason = $3, departure_destination = $4,
                      updated_at = now() WHERE officer_id = $1""",
            officer.officer_id,
            day,
            reason,
            destination,
        )

    async def correct(self, officer: Officer, fields: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ${i + 2}" for i, k in enumerate(fields))
        await self._conn.execute(
            f"UPDATE officers SET {sets}, updated_at = now() WHERE officer_id = $1",
            officer.officer_id,
            *fields.values(),
        )
        if officer.departed_on is not None and fields.get("departed_on") not in (None, officer.departed_on):
            await self._close(officer.officer_id, officer.current.valid_from, day_before(fields["departed_on"]))

    async def add_qualification(self, officer_id: str, degree_level: str, field: str, year: int | None) -> None:
        await self._conn.execute(
            "INSERT INTO officer_qualifications (officer_id, degree_level, field, year) VALUES ($1,$2,$3,$4)",
            officer_id,
            degree_level,
            field,
            year,
        )
        await self._touch(officer_id)

    async def add_certificate(
        self,
        officer_id: str,
        certificate_id: str,
        name: str,
        issuer: str,
        issued_on: dt.date,
        expires_on: dt.date | None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO officer_certificates VALUES ($1,$2,$3,$4,$5,$6)",
            certificate_id,
            officer_id,
            name,
            issuer,
            issued_on,
            expires_on,
        )
        await self._touch(officer_id)

    async def serving_in(self, unit_id: str) -> list[str]:
        """Officers whose open period is in this unit (not departed)."""
        rows = await self._conn.fetch(
            "SELECT officer_id FROM officer_periods WHERE unit_id = $1 AND valid_to IS NULL ORDER BY officer_id",
            unit_id,
        )
        return [r["officer_id"] for r in rows]

    async def details(self, officer_id: str) -> dict[str, list[dict[str, Any]]]:
        quals = await self._conn.fetch(
            "SELECT degree_level, field, year FROM officer_qualifications WHERE officer_id = $1 ORDER BY id", officer_id
        )
        certs = await self._conn.fetch(
            """SELECT certificate_id, name, issuer, issued_on, expires_on FROM officer_certificates
               WHERE officer_id = $1 ORDER BY issued_on""",
            officer_id,
        )
        return {"qualifications": [dict(q) for q in quals], "certificates": [dict(c) for c in certs]}

    async def erased(self, officer_id: str) -> bool:
        return bool(
            await self._conn.fetchval("SELECT erased_at IS NOT NULL FROM officers WHERE officer_id = $1", officer_id)
        )

    async def note_correction(self, officer_id: str, fields: list[str], note: str, actor: str | None) -> None:
        await self._conn.execute(
            "INSERT INTO officer_corrections (officer_id, fields, note, actor) VALUES ($1, $2, $3, $4)",
            officer_id,
            fields,
            note,
            actor,
        )
