"""Projection of recruitment events, and of personnel's answers to hires."""

from __future__ import annotations

import datetime as dt

from cds_contracts import recruitment as r
from cds_plumbing.db import Connection


async def staffing_plan(conn: Connection, e: r.StaffingPlanSet) -> None:
    q = e.quotas
    await conn.execute(
        """INSERT INTO staffing_plans VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (unit_id, year) DO UPDATE SET it_technical = $3, information_security = $4, data = $5,
                                                     leadership = $6""",
        e.unit_id,
        e.year,
        q.it_technical,
        q.information_security,
        q.data,
        q.leadership,
    )


async def policy(conn: Connection, e: r.IncentivePolicyPublished) -> None:
    await conn.execute(
        "INSERT INTO incentive_policies VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (policy_id) DO NOTHING",
        e.policy_id,
        e.name,
        e.document_number,
        e.monthly_allowance_vnd,
        e.effective_from,
        e.effective_to,
    )


async def vacancy_opened(conn: Connection, e: r.VacancyOpened) -> None:
    await conn.execute(
        "INSERT INTO vacancies VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)",
        e.vacancy_id,
        e.unit_id,
        e.function,
        e.positions,
        list(e.policy_ids),
        e.opened_on,
        e.closes_on,
    )


async def vacancy_closed(conn: Connection, e: r.VacancyClosed) -> None:
    await conn.execute(
        "UPDATE vacancies SET closed_on = $2, outcome = $3 WHERE vacancy_id = $1", e.vacancy_id, e.closed_on, e.outcome
    )


async def vacancy_reopened(conn: Connection, e: r.VacancyReopened) -> None:
    await conn.execute("UPDATE vacancies SET closed_on = NULL, outcome = NULL WHERE vacancy_id = $1", e.vacancy_id)


async def submitted(conn: Connection, e: r.ApplicationSubmitted) -> None:
    await conn.execute(
        "INSERT INTO applications VALUES ($1, $2, $3, 'applied')", e.application_id, e.vacancy_id, e.applied_at
    )
    await _reached(conn, e.application_id, "applied", e.applied_at)


async def stage_changed(conn: Connection, e: r.ApplicationStageChanged | r.ApplicationStageChangedV1) -> None:
    await conn.execute("UPDATE applications SET stage = $2 WHERE application_id = $1", e.application_id, e.to_stage)
    await _reached(conn, e.application_id, e.to_stage, e.changed_at)


async def _reached(conn: Connection, application_id: str, stage: str, at: dt.datetime) -> None:
    await conn.execute(
        "INSERT INTO application_stages VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", application_id, stage, at
    )


async def hired(conn: Connection, e: r.CandidateHired | r.CandidateHiredV1) -> None:
    await conn.execute(
        """INSERT INTO hires (application_id, vacancy_id, unit_id, function, policy_ids, hired_on)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id) DO NOTHING""",
        e.application_id,
        e.vacancy_id,
        e.unit_id,
        e.function,
        list(e.policy_ids),
        e.hired_on,
    )


async def hire_outcome(conn: Connection, e: r.HireOutcomeRecorded) -> None:
    await conn.execute(
        "UPDATE hires SET officer_id = $2, appointed = $3, refusal_reason = $4 WHERE application_id = $1",
        e.application_id,
        e.officer_id,
        e.appointed,
        e.reason,
    )


async def officer_hired(conn: Connection, officer_id: str, application_id: str, hired_on: dt.date) -> None:
    await conn.execute(
        "INSERT INTO officer_hires VALUES ($1, $2, $3) ON CONFLICT (officer_id) DO NOTHING",
        officer_id,
        application_id,
        hired_on,
    )


async def exit_interview(conn: Connection, e: r.ExitInterviewRecorded) -> None:
    await conn.execute(
        "INSERT INTO exit_interviews VALUES ($1, $2, $3, $4, $5) ON CONFLICT (interview_id) DO NOTHING",
        e.interview_id,
        e.officer_id,
        e.departure_date,
        list(e.reasons),
        e.interviewed_on,
    )
