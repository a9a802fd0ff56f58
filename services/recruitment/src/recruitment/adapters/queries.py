"""Read-side queries for the HTTP API (no business rules; plain SQL over recruitment's tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from cds_contracts.recruitment import Quotas
from recruitment.domain.pipeline import STAGES

Page = tuple[list[dict[str, Any]], int]
_QUOTAS = tuple(Quotas.model_fields)


def _page(rows: list[asyncpg.Record]) -> Page:
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], (rows[0]["total"] if rows else 0)


# --- org units (read model of personnel's) ---------------------------------------------------------------


async def unit(pool: asyncpg.Pool, unit_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT unit_id, name_vi, kind, level, parent_id, valid_from, ceased_on, successor_id FROM org_units
           WHERE unit_id = $1""",
        unit_id,
    )
    return dict(row) if row else None


async def list_units(pool: asyncpg.Pool, parent_id: str | None, limit: int, offset: int) -> Page:
    rows = await pool.fetch(
        """SELECT unit_id, name_vi, kind, level, parent_id, valid_from, ceased_on, successor_id,
                  count(*) OVER () AS total
           FROM org_units WHERE ($1::text IS NULL OR parent_id = $1) ORDER BY unit_id LIMIT $2 OFFSET $3""",
        parent_id,
        limit,
        offset,
    )
    return _page(rows)


# --- staffing plans ----------------------------------------------------------------------------------------


def _plan(row: asyncpg.Record) -> dict[str, Any]:
    plan = {k: v for k, v in row.items() if k not in _QUOTAS and k != "total"}
    plan["plan_id"] = f"{row['unit_id']}:{row['year']}"
    plan["quotas"] = {k: row[k] for k in _QUOTAS}
    plan["total_positions"] = sum(row[k] for k in _QUOTAS)
    return plan


async def plan(pool: asyncpg.Pool, unit_id: str, year: int) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT p.*, u.parent_id FROM staffing_plans p LEFT JOIN org_units u USING (unit_id)
           WHERE p.unit_id = $1 AND p.year = $2""",
        unit_id,
        year,
    )
    if row is None:
        return None
    subs = await pool.fetch(
        """SELECT p.* FROM staffing_plans p JOIN org_units u USING (unit_id)
           WHERE u.parent_id = $1 AND p.year = $2 ORDER BY p.unit_id""",
        unit_id,
        year,
    )
    return {**_plan(row), "sub_unit_plans": [_plan(s) for s in subs]}


async def list_plans(pool: asyncpg.Pool, unit_id: str | None, year: int | None, limit: int, offset: int) -> Page:
    rows = await pool.fetch(
        """SELECT p.*, u.parent_id, count(*) OVER () AS total
           FROM staffing_plans p LEFT JOIN org_units u USING (unit_id)
           WHERE ($1::text IS NULL OR p.unit_id = $1) AND ($2::int IS NULL OR p.year = $2)
           ORDER BY p.year, p.unit_id LIMIT $3 OFFSET $4""",
        unit_id,
        year,
        limit,
        offset,
    )
    return [_plan(r) for r in rows], (rows[0]["total"] if rows else 0)


# --- incentive policies ------------------------------------------------------------------------------------


async def policy(pool: asyncpg.Pool, policy_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM incentive_policies WHERE policy_id = $1", policy_id)
    return dict(row) if row else None


async def list_policies(pool: asyncpg.Pool, in_force_on: dt.date | None, limit: int, offset: int) -> Page:
    rows = await pool.fetch(
        """SELECT *, count(*) OVER () AS total FROM incentive_policies
           WHERE $1::date IS NULL OR (effective_from <= $1 AND (effective_to IS NULL OR $1 <= effective_to))
           ORDER BY effective_from DESC, policy_id LIMIT $2 OFFSET $3""",
        in_force_on,
        limit,
        offset,
    )
    return _page(rows)


# --- vacancies ---------------------------------------------------------------------------------------------

_VACANCY = """SELECT v.vacancy_id, v.unit_id, v.function, v.positions, v.title, v.opened_on, v.closes_on, v.status,
                     v.closed_on, v.created_at,
                     coalesce((SELECT array_agg(vp.policy_id ORDER BY vp.position) FROM vacancy_policies vp
                               WHERE vp.vacancy_id = v.vacancy_id), '{}') AS policy_ids,
                     (SELECT count(*) FROM applications a WHERE a.vacancy_id = v.vacancy_id) AS applications,
                     (SELECT count(*) FROM applications a WHERE a.vacancy_id = v.vacancy_id AND a.stage = 'hired'
                        AND a.hire_status IS DISTINCT FROM 'refused') AS hires"""


def _vacancy(row: asyncpg.Record) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "total"}, "policy_ids": list(row["policy_ids"])}


async def vacancy(pool: asyncpg.Pool, vacancy_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(f"{_VACANCY} FROM vacancies v WHERE v.vacancy_id = $1", vacancy_id)
    if row is None:
        return None
    stages = await pool.fetch(
        "SELECT stage, count(*) AS n FROM applications WHERE vacancy_id = $1 GROUP BY stage", vacancy_id
    )
    hires = await pool.fetch(
        """SELECT hire_status, count(*) AS n FROM applications WHERE vacancy_id = $1 AND hire_status IS NOT NULL
           GROUP BY hire_status""",
        vacancy_id,
    )
    by_stage = {s: 0 for s in STAGES} | {r["stage"]: r["n"] for r in stages}
    by_hire = {s: 0 for s in ("pending", "appointed", "refused")} | {r["hire_status"]: r["n"] for r in hires}
    return {**_vacancy(row), "applications_by_stage": by_stage, "hires_by_status": by_hire}


async def list_vacancies(
    pool: asyncpg.Pool,
    status: str | None,
    unit_id: str | None,
    function: str | None,
    limit: int,
    offset: int,
) -> Page:
    rows = await pool.fetch(
        f"""{_VACANCY}, count(*) OVER () AS total FROM vacancies v
            WHERE ($1::text IS NULL OR v.status = $1) AND ($2::text IS NULL OR v.unit_id = $2)
              AND ($3::text IS NULL OR v.function = $3)
            ORDER BY v.opened_on DESC, v.vacancy_id LIMIT $4 OFFSET $5""",
        status,
        unit_id,
        function,
        limit,
        offset,
    )
    return [_vacancy(r) for r in rows], (rows[0]["total"] if rows else 0)


async def unit_of_vacancy(pool: asyncpg.Pool, vacancy_id: str) -> str | None:
    value = await pool.fetchval("SELECT unit_id FROM vacancies WHERE vacancy_id = $1", vacancy_id)
    return str(value) if value is not None else None


# --- applications and hires --------------------------------------------------------------------------------


def _hire(row: asyncpg.Record) -> dict[str, Any] | None:
    if row["hire_status"] is None:
        return None
    return {
        "status": row["hire_status"],
        "employment_category": row["employment_category"],
        "assignment": row["assignment"],
        "functions": list(row["functions"] or ()),
        "hired_on": row["hired_on"],
        "requested_at": row["hire_requested_at"],
        "officer_id": row["officer_id"],
        "reason": row["hire_outcome_reason"],
        "outcome_at": row["hire_outcome_at"],
    }


async def application(pool: asyncpg.Pool, application_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT a.*, v.unit_id, v.function, c.full_name, c.birth_year, c.gender, c.email, c.phone, c.degree,
                  c.degree_field, c.erased_at IS NOT NULL AS erased
           FROM applications a JOIN vacancies v USING (vacancy_id) JOIN candidates c USING (candidate_id)
           WHERE a.application_id = $1""",
        application_id,
    )
    if row is None:
        return None
    history = await pool.fetch(
        """SELECT from_stage, to_stage, changed_at, reason, actor FROM application_stages
           WHERE application_id = $1 ORDER BY id""",
        application_id,
    )
    candidate = ("full_name", "birth_year", "gender", "email", "phone", "degree", "degree_field", "erased")
    # Personal fields are for the editors of the vacancy's unit (cds_plumbing.personal).
    whose = {"candidate_id": row["candidate_id"], "scope_unit": row["unit_id"]}
    return {
        "application_id": row["application_id"],
        "vacancy_id": row["vacancy_id"],
        "unit_id": row["unit_id"],
        "function": row["function"],
        "stage": row["stage"],
        "applied_at": row["applied_at"],
        "stage_changed_at": row["stage_changed_at"],
        "candidate": {**whose, **{k: row[k] for k in candidate}},
        "hire_status": row["hire_status"],
        "officer_id": row["officer_id"],
        "hire": _hire(row),
        "stage_history": [{**dict(h), **whose} for h in history],
    }


async def list_applications(
    pool: asyncpg.Pool,
    vacancy_id: str | None,
    stage: str | None,
    hire_status: str | None,
    limit: int,
    offset: int,
) -> Page:
    rows = await pool.fetch(
        """SELECT a.application_id, a.vacancy_id, v.unit_id, a.candidate_id, c.full_name, a.stage, a.applied_at,
                  a.stage_changed_at, a.hire_status, a.officer_id, v.unit_id AS scope_unit, count(*) OVER () AS total
           FROM applications a JOIN vacancies v USING (vacancy_id) JOIN candidates c USING (candidate_id)
           WHERE ($1::text IS NULL OR a.vacancy_id = $1) AND ($2::text IS NULL OR a.stage = $2)
             AND ($3::text IS NULL OR a.hire_status = $3)
           ORDER BY a.applied_at, a.application_id LIMIT $4 OFFSET $5""",
        vacancy_id,
        stage,
        hire_status,
        limit,
        offset,
    )
    return _page(rows)


async def unit_of_application(pool: asyncpg.Pool, application_id: str) -> str | None:
    value = await pool.fetchval(
        "SELECT v.unit_id FROM applications a JOIN vacancies v USING (vacancy_id) WHERE a.application_id = $1",
        application_id,
    )
    return str(value) if value is not None else None


async def list_hires(
    pool: asyncpg.Pool, status: str | None, unit_id: str | None, vacancy_id: str | None, limit: int, offset: int
) -> Page:
    """Hires and personnel's answers; `status=refused` is the list of failed hires. No personal data."""
    rows = await pool.fetch(
        """SELECT a.application_id, a.vacancy_id, v.unit_id, v.function, a.hire_status, a.employment_category,
                  a.assignment, a.functions, a.hired_on, a.hire_requested_at AS requested_at, a.officer_id,
                  a.hire_outcome_reason AS reason, a.hire_outcome_at AS outcome_at, count(*) OVER () AS total
           FROM applications a JOIN vacancies v USING (vacancy_id)
           WHERE a.hire_status IS NOT NULL AND ($1::text IS NULL OR a.hire_status = $1)
             AND ($2::text IS NULL OR v.unit_id = $2) AND ($3::text IS NULL OR a.vacancy_id = $3)
           ORDER BY a.hire_requested_at DESC, a.application_id LIMIT $4 OFFSET $5""",
        status,
        unit_id,
        vacancy_id,
        limit,
        offset,
    )
    items, total = _page(rows)
    for item in items:
        item["status"] = item.pop("hire_status")
        item["functions"] = list(item["functions"] or ())
    return items, total


# --- departures and exit interviews ------------------------------------------------------------------------


async def departure(pool: asyncpg.Pool, officer_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT d.officer_id, d.unit_id, d.departure_date, d.reason, e.interview_id, d.unit_id AS scope_unit
           FROM departures d LEFT JOIN exit_interviews e USING (officer_id) WHERE d.officer_id = $1""",
        officer_id,
    )
    return dict(row) if row else None


async def list_departures(
    pool: asyncpg.Pool, unit_id: str | None, interviewed: bool | None, limit: int, offset: int
) -> Page:
    rows = await pool.fetch(
        """SELECT d.officer_id, d.unit_id, d.departure_date, d.reason, e.interview_id, d.unit_id AS scope_unit,
                  count(*) OVER () AS total
           FROM departures d LEFT JOIN exit_interviews e USING (officer_id)
           WHERE ($1::text IS NULL OR d.unit_id = $1)
             AND ($2::boolean IS NULL OR (e.interview_id IS NOT NULL) = $2)
           ORDER BY d.departure_date DESC, d.officer_id LIMIT $3 OFFSET $4""",
        unit_id,
        interviewed,
        limit,
        offset,
    )
    return _page(rows)


async def list_exit_interviews(
    pool: asyncpg.Pool, unit_id: str | None, reason: str | None, year: int | None, limit: int, offset: int
) -> Page:
    rows = await pool.fetch(
        """SELECT e.interview_id, e.officer_id, e.unit_id, e.departure_date, d.reason AS departure_reason,
                  e.reasons, e.interviewed_on, e.notes, e.unit_id AS scope_unit, count(*) OVER () AS total
           FROM exit_interviews e JOIN departures d USING (officer_id)
           WHERE ($1::text IS NULL OR e.unit_id = $1) AND ($2::text IS NULL OR $2 = ANY(e.reasons))
             AND ($3::int IS NULL OR extract(year FROM e.departure_date) = $3)
           ORDER BY e.departure_date DESC, e.officer_id LIMIT $4 OFFSET $5""",
        unit_id,
        reason,
        year,
        limit,
        offset,
    )
    items, total = _page(rows)
    for item in items:
        item["reasons"] = list(item["reasons"])
    return items, total
