"""Read queries over the training projections (the caller has set search_path to the active schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from reporting.adapters.scope import AS_OF


async def plan(conn: Connection, year: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM training_plans WHERE year = $1", year)
    return row


# Classes of a plan year completed by $2 and not cancelled since; their enrolments still in at the end,
# from the slice's units $3 (NULL = all). "Counts as passed" is reporting_counts_as_passed (migration
# 0019), the definition the BI view v_training_results shows.
_CLASSES = """SELECT class_id, advanced, status FROM training_classes
              WHERE plan_year = $1 AND status = 'completed' AND completed_on <= $2"""
_COUNTED = """SELECT e.class_id, e.passed, e.level, k.advanced,
                     reporting_counts_as_passed(k.status, e.withdrawn_on, e.passed) AS is_pass
              FROM training_enrolments e JOIN classes k USING (class_id)
              WHERE e.withdrawn_on IS NULL AND ($3::text[] IS NULL OR e.unit_id = ANY ($3))"""


async def actuals(conn: Connection, year: int, as_of: dt.date, units: list[str] | None) -> dict[str, int]:
    """What was achieved towards a year's plan by as_of: completed classes (cancelled ones never count),
    trainees who passed them by the level of their unit, and drills held.

    With `units` (a slice), only trainees enrolled from those units count, a class counts when one of
    them took part, and a drill when one of the units took part."""
    row = await conn.fetchrow(
        f"""WITH classes AS ({_CLASSES}), counted AS ({_COUNTED})
           SELECT
             (SELECT count(*) FROM classes k WHERE NOT k.advanced AND ($3::text[] IS NULL
                OR EXISTS (SELECT 1 FROM counted e WHERE e.class_id = k.class_id))) AS classes,
             (SELECT count(*) FROM classes k WHERE k.advanced AND ($3::text[] IS NULL
                OR EXISTS (SELECT 1 FROM counted e WHERE e.class_id = k.class_id))) AS advanced_classes,
             count(*) FILTER (WHERE e.is_pass AND NOT e.advanced AND e.level = 'province') AS trainees_province,
             count(*) FILTER (WHERE e.is_pass AND NOT e.advanced AND e.level = 'district') AS trainees_district,
             count(*) FILTER (WHERE e.is_pass AND NOT e.advanced AND e.level = 'commune') AS trainees_commune,
             count(*) FILTER (WHERE e.is_pass AND e.advanced) AS advanced_trainees,
             (SELECT count(*) FROM drills WHERE plan_year = $1 AND held_on <= $2
                AND ($3::text[] IS NULL OR unit_ids && $3)) AS drills
           FROM counted e""",
        year,
        as_of,
        units,
    )
    assert row is not None
    return {k: int(v) for k, v in row.items()}


async def completion(conn: Connection, year: int, as_of: dt.date, units: list[str] | None) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"""WITH classes AS ({_CLASSES}), counted AS ({_COUNTED})
            SELECT count(*) AS enrolled, count(*) FILTER (WHERE is_pass) AS passed,
                   count(*) FILTER (WHERE passed IS FALSE) AS failed
            FROM counted""",
        year,
        as_of,
        units,
    )
    assert row is not None
    return row


async def trained_by_unit(conn: Connection, as_of: dt.date) -> list[asyncpg.Record]:
    """Per unit: officers serving on as_of, and how many of them passed a (non-cancelled) class in the 12
    months up to as_of."""
    return list(
        await conn.fetch(
            f"""SELECT p.unit_id, count(*) AS officers,
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM training_enrolments e JOIN training_classes c USING (class_id)
                           WHERE e.officer_id = p.officer_id AND e.passed AND c.status <> 'cancelled'
                             AND e.completed_on > $1::date - interval '12 months'
                             AND e.completed_on <= $1::date)) AS trained
                FROM officer_periods p WHERE {AS_OF} GROUP BY p.unit_id""",
            as_of,
        )
    )


async def expiring_certificates(
    conn: Connection, as_of: dt.date, days: int, units: list[str] | None
) -> list[dict[str, Any]]:
    """Certificates of serving officers expiring in [as_of, as_of + days]: those issued by training
    and those recorded in personnel; with `units`, only officers serving in those units on as_of."""
    rows = await conn.fetch(
        f"""WITH serving AS (SELECT officer_id, unit_id FROM officer_periods WHERE {AS_OF}),
                 certs AS (
                   SELECT certificate_id, officer_id, name, issued_on, expires_on, 'training' AS source
                   FROM training_certificates tc
                   WHERE NOT EXISTS (SELECT 1 FROM training_classes c
                                     WHERE c.class_id = tc.class_id AND c.status = 'cancelled')
                   UNION ALL
                   SELECT certificate_id, officer_id, name, issued_on, expires_on, 'personnel'
                   FROM officer_certificates)
            SELECT c.certificate_id, c.officer_id, s.unit_id, c.name, c.issued_on, c.expires_on,
                   c.source, (c.expires_on - $1) AS days_left
            FROM certs c JOIN serving s USING (officer_id)
            WHERE c.expires_on BETWEEN $1 AND $1 + $2::int AND ($3::text[] IS NULL OR s.unit_id = ANY ($3))
            ORDER BY c.expires_on, c.certificate_id""",
        as_of,
        days,
        units,
    )
    return [dict(r) for r in rows]


async def drills_by_unit(conn: Connection, as_of: dt.date, year: int, units: list[str] | None) -> list[asyncpg.Record]:
    """Per unit (of `units` when given): drills it took part in during `year` (up to as_of), findings it
    owns still open on as_of and how many of those are overdue."""
    return list(
        await conn.fetch(
            """WITH held AS (
                   SELECT unnest(unit_ids) AS unit_id, count(*) AS drills FROM drills
                   WHERE extract(year FROM held_on) = $2 AND held_on <= $1 GROUP BY 1),
                 open AS (
                   SELECT f.owner_unit_id AS unit_id, count(*) AS open_findings,
                          count(*) FILTER (WHERE f.due_on < $1) AS overdue_findings
                   FROM drill_findings f JOIN drills d USING (drill_id)
                   WHERE d.held_on <= $1 AND (f.closed_on IS NULL OR f.closed_on > $1) GROUP BY 1)
               SELECT coalesce(h.unit_id, o.unit_id) AS unit_id, coalesce(h.drills, 0) AS drills,
                      coalesce(o.open_findings, 0) AS open_findings, coalesce(o.overdue_findings, 0) AS overdue_findings
               FROM held h FULL JOIN open o USING (unit_id)
               WHERE $3::text[] IS NULL OR coalesce(h.unit_id, o.unit_id) = ANY ($3) ORDER BY 1""",
            as_of,
            year,
            units,
        )
    )
