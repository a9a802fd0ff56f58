"""The on_<event> subscribers for recruitment's events (registered with the projection consumer)."""

from __future__ import annotations

from cds_contracts import Envelope, Event
from cds_contracts import recruitment as r
from cds_plumbing.consumer import Handler
from cds_plumbing.db import Connection
from reporting.adapters import recruitment_writer as w


async def on_staffing_plan_set(conn: Connection, event: r.StaffingPlanSet, envelope: Envelope) -> None:
    await w.staffing_plan(conn, event)


async def on_incentive_policy_published(
    conn: Connection, event: r.IncentivePolicyPublished, envelope: Envelope
) -> None:
    await w.policy(conn, event)


async def on_vacancy_opened(conn: Connection, event: r.VacancyOpened, envelope: Envelope) -> None:
    await w.vacancy_opened(conn, event)


async def on_vacancy_closed(conn: Connection, event: r.VacancyClosed, envelope: Envelope) -> None:
    await w.vacancy_closed(conn, event)


async def on_vacancy_reopened(conn: Connection, event: r.VacancyReopened, envelope: Envelope) -> None:
    await w.vacancy_reopened(conn, event)


async def on_application_submitted(conn: Connection, event: r.ApplicationSubmitted, envelope: Envelope) -> None:
    await w.submitted(conn, event)


async def on_application_stage_changed(
    conn: Connection, event: r.ApplicationStageChanged | r.ApplicationStageChangedV1, envelope: Envelope
) -> None:
    await w.stage_changed(conn, event)


async def on_candidate_hired(
    conn: Connection, event: r.CandidateHired | r.CandidateHiredV1, envelope: Envelope
) -> None:
    await w.hired(conn, event)


async def on_hire_outcome_recorded(conn: Connection, event: r.HireOutcomeRecorded, envelope: Envelope) -> None:
    await w.hire_outcome(conn, event)


async def on_exit_interview_recorded(conn: Connection, event: r.ExitInterviewRecorded, envelope: Envelope) -> None:
    await w.exit_interview(conn, event)


RECRUITMENT_SUBSCRIBERS: dict[type[Event], Handler] = {
    r.StaffingPlanSet: on_staffing_plan_set,
    r.IncentivePolicyPublished: on_incentive_policy_published,
    r.VacancyOpened: on_vacancy_opened,
    r.VacancyClosed: on_vacancy_closed,
    r.VacancyReopened: on_vacancy_reopened,
    r.ApplicationSubmitted: on_application_submitted,
    r.ApplicationStageChanged: on_application_stage_changed,
    r.ApplicationStageChangedV1: on_application_stage_changed,  # its free-text reason is not stored
    r.CandidateHired: on_candidate_hired,
    r.CandidateHiredV1: on_candidate_hired,  # its name, birth year and gender are not stored
    r.HireOutcomeRecorded: on_hire_outcome_recorded,
    r.ExitInterviewRecorded: on_exit_interview_recorded,
}
