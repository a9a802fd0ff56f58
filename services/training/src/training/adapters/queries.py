"""Read-side queries for the HTTP API (no business rules; plain SQL over training's tables)."""

from __future__ import annotations

from typing import Any

import asyncpg


def _rows(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]


async def list_programmes(pool: asyncpg.Pool, kind: str | None) -> list[dict[str, Any]]:
    return _rows(
        await pool.fetch("SELECT * FROM programmes WHERE ($1::text IS NULL OR kind = $1) ORDER BY programme_id", kind)
    )


async def programme(pool: asyncpg.Pool, programme_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM programmes WHERE programme_id = $1", programme_id)
    return None if row is None else dict(row)


async def plan(pool: asyncpg.Pool, year: int) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM plans WHERE year = $1", year)
    if row is None:
        return None
    revisions = await pool.fetch(
        "SELECT revision, targets, reason, recorded_at FROM plan_revisions WHERE year = $1 ORDER BY revision", year
    )
    return {"plan_id": str(year), **dict(row), "revisions": _rows(revisions)}


async def list_plans(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT * FROM plans ORDER BY year")
    return [{"plan_id": str(r["year"]), **dict(r)} for r in rows]


_CLASS = """SELECT c.*, p.name_vi AS programme_name, p.kind AS programme_kind,
                   (SELECT count(*) FROM enrolments e WHERE e.class_id = c.class_id AND e.status = 'enrolled')
                       AS enrolled
            FROM classes c JOIN programmes p USING (programme_id)"""


def _with_seats(row: asyncpg.Record) -> dict[str, Any]:
    d = dict(row)
    d["seats_left"] = max(d["capacity"] - d["enrolled"], 0)
    return d


async def list_classes(
    pool: asyncpg.Pool,
    status: str | None,
    plan_year: int | None,
    organiser_unit_id: str | None,
    programme_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = """($1::text IS NULL OR c.status = $1) AND ($2::int IS NULL OR c.plan_year = $2)
               AND ($3::text IS NULL OR c.organiser_unit_id = $3) AND ($4::text IS NULL OR c.programme_id = $4)"""
    args = (status, plan_year, organiser_unit_id, programme_id)
    total = await pool.fetchval(f"SELECT count(*) FROM classes c WHERE {where}", *args)
    rows = await pool.fetch(
        f"{_CLASS} WHERE {where} ORDER BY c.starts_on, c.class_id LIMIT $5 OFFSET $6", *args, limit, offset
    )
    return [_with_seats(r) for r in rows], int(total)


async def training_class(pool: asyncpg.Pool, class_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(f"{_CLASS} WHERE c.class_id = $1", class_id)
    if row is None:
        return None
    enrolments = await pool.fetch(
        """SELECT e.officer_id, o.full_name, e.unit_id, e.level, e.enrolled_on, e.status, e.withdrawn_on,
                  coalesce(o.unit_id, e.unit_id) AS scope_unit,
                  (SELECT count(*) FROM attendance a WHERE a.class_id = e.class_id AND a.officer_id = e.officer_id
                     AND a.present) AS sessions_attended,
                  (SELECT coalesce(sum(hours), 0) FROM attendance a WHERE a.class_id = e.class_id
                     AND a.officer_id = e.officer_id AND a.present) AS hours_attended,
                  r.passed, r.score, r.hours AS result_hours, r.completed_on,
                  cert.certificate_id, cert.expires_on AS certificate_expires_on
           FROM enrolments e
           LEFT JOIN known_officers o USING (officer_id)
           LEFT JOIN results r ON r.class_id = e.class_id AND r.officer_id = e.officer_id
           LEFT JOIN certificates cert ON cert.class_id = e.class_id AND cert.officer_id = e.officer_id
           WHERE e.class_id = $1 ORDER BY e.officer_id""",
        class_id,
    )
    items = []
    for e in enrolments:
        d = dict(e)
        result = None
        if d["passed"] is not None:
            result = {
                "passed": d["passed"],
                "score": d["score"],
                "hours": d["result_hours"],
                "completed_on": d["completed_on"],
                "certificate_id": d["certificate_id"],
                "certificate_expires_on": d["certificate_expires_on"],
            }
        for k in ("passed", "score", "result_hours", "completed_on", "certificate_id", "certificate_expires_on"):
            d.pop(k)
        items.append({**d, "result": result})
    return {**_with_seats(row), "enrolments": items}


async def list_certificates(
    pool: asyncpg.Pool, officer_id: str | None, class_id: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Certificates with `valid`: false once their class was cancelled (annulled)."""
    where = "($1::text IS NULL OR cert.officer_id = $1) AND ($2::text IS NULL OR cert.class_id = $2)"
    total = await pool.fetchval(f"SELECT count(*) FROM certificates cert WHERE {where}", officer_id, class_id)
    rows = await pool.fetch(
        f"""SELECT cert.*, c.status <> 'cancelled' AS valid FROM certificates cert JOIN classes c USING (class_id)
            WHERE {where} ORDER BY cert.issued_on, cert.certificate_id LIMIT $3 OFFSET $4""",
        officer_id,
        class_id,
        limit,
        offset,
    )
    return _rows(rows), int(total)


async def list_drills(
    pool: asyncpg.Pool, plan_year: int | None, unit_id: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = "($1::int IS NULL OR d.plan_year = $1) AND ($2::text IS NULL OR $2 = ANY(d.unit_ids))"
    total = await pool.fetchval(f"SELECT count(*) FROM drills d WHERE {where}", plan_year, unit_id)
    rows = await pool.fetch(
        f"""SELECT d.*,
                   (SELECT count(*) FROM drill_findings f WHERE f.drill_id = d.drill_id) AS findings,
                   (SELECT count(*) FROM drill_findings f WHERE f.drill_id = d.drill_id AND f.closed_on IS NULL)
                       AS open_findings
            FROM drills d WHERE {where} ORDER BY d.held_on, d.drill_id LIMIT $3 OFFSET $4""",
        plan_year,
        unit_id,
        limit,
        offset,
    )
    return _rows(rows), int(total)


async def drill(pool: asyncpg.Pool, drill_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM drills WHERE drill_id = $1", drill_id)
    if row is None:
        return None
    findings = await pool.fetch(
        """SELECT finding_id, description, owner_unit_id, due_on, closed_on,
                  CASE WHEN closed_on IS NULL THEN 'open' ELSE 'closed' END AS status
           FROM drill_findings WHERE drill_id = $1 ORDER BY recorded_at, finding_id""",
        drill_id,
    )
    return {**dict(row), "findings": _rows(findings)}


async def known_officer(pool: asyncpg.Pool, officer_id: str) -> dict[str, Any] | None:
    """Training's view of an officer (from personnel's events) and their training record."""
    row = await pool.fetchrow(
        """SELECT o.officer_id, o.full_name, o.unit_id, o.unit_id AS scope_unit, u.level AS unit_level,
                  o.appointed_on, o.departed_on,
                  CASE WHEN o.departed_on IS NULL THEN 'serving' ELSE 'departed' END AS status
           FROM known_officers o LEFT JOIN known_units u ON u.unit_id = o.unit_id WHERE o.officer_id = $1""",
        officer_id,
    )
    if row is None:
        return None
    classes = await pool.fetch(
        """SELECT e.class_id, c.title, c.programme_id, c.status AS class_status, e.status, e.enrolled_on,
                  r.passed, r.score, r.completed_on
           FROM enrolments e JOIN classes c USING (class_id)
           LEFT JOIN results r ON r.class_id = e.class_id AND r.officer_id = e.officer_id
           WHERE e.officer_id = $1 ORDER BY c.starts_on, e.class_id""",
        officer_id,
    )
    certificates, _ = await list_certificates(pool, officer_id, None, 1000, 0)
    return {**dict(row), "classes": _rows(classes), "certificates": certificates}


async def known_unit(pool: asyncpg.Pool, unit_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM known_units WHERE unit_id = $1", unit_id)
    return None if row is None else dict(row)
