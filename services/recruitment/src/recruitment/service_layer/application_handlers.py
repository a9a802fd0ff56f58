"""Handlers for applications: submission with the candidate's data, the stage pipeline, and the hire that
personnel answers asynchronously (OfficerAppointed with the application id, or OfficerAppointmentRefused)."""

from __future__ import annotations

import logging
import uuid

from cds_contracts import Envelope
from cds_contracts.profiles import CANDIDATE_PROFILE_ERASED, CandidateProfileStated
from cds_contracts.recruitment import (
    ApplicationStageChanged,
    ApplicationSubmitted,
    CandidateHired,
    HireOutcomeRecorded,
    Stage,
    VacancyClosed,
    VacancyReopened,
)
from cds_contracts.topics import RECRUITMENT_CANDIDATE_PROFILE
from cds_plumbing import clock
from recruitment.adapters.applications_repo import Application, CandidateRecord
from recruitment.domain import pipeline
from recruitment.domain import vacancies as vacancy_rules
from recruitment.domain.errors import ConflictError, NotFoundError, RuleViolationError

from .commands import ChangeStage, HireCandidate, SubmitApplication
from .unit_of_work import Repositories, UnitOfWork
from .vacancy_handlers import load_vacancy

log = logging.getLogger(__name__)


def new_application_id() -> str:
    return f"AP-{uuid.uuid4().hex[:12].upper()}"


def new_candidate_id() -> str:
    return f"UV-{uuid.uuid4().hex[:12].upper()}"


async def load_application(repos: Repositories, application_id: str) -> Application:
    application = await repos.applications.get(application_id, lock=True)
    if application is None:
        raise NotFoundError(f"application {application_id} does not exist")
    return application


async def submit_application(uow: UnitOfWork, cmd: SubmitApplication) -> str:
    vacancy = await load_vacancy(uow, cmd.vacancy_id, lock=True)
    vacancy.require_accepting(clock.today())
    c = cmd.candidate
    candidate_id = (await uow.applications.candidate_by_email(c.email) if c.email else None) or new_candidate_id()
    if await uow.applications.has_applied(vacancy.vacancy_id, candidate_id):
        raise ConflictError(f"candidate {c.email} has already applied to vacancy {vacancy.vacancy_id}")
    await uow.applications.save_candidate(
        CandidateRecord(candidate_id, c.full_name, c.birth_year, c.gender, c.email, c.phone, c.degree, c.degree_field)
    )
    application_id = new_application_id()
    at = clock.utc_now()
    await uow.applications.insert(application_id, vacancy.vacancy_id, candidate_id, at, uow.actor)
    await uow.publish(ApplicationSubmitted(application_id=application_id, vacancy_id=vacancy.vacancy_id, applied_at=at))
    return application_id


async def change_stage(uow: UnitOfWork, application_id: str, cmd: ChangeStage) -> str:
    application = await load_application(uow, application_id)
    pipeline.check_transition(application.stage, cmd.to_stage, cmd.reason)
    if cmd.to_stage == "hired":
        raise RuleViolationError(
            f"hire through POST /api/v1/applications/{application_id}/hire, which needs the hire's details"
        )
    await _move(uow, application, cmd.to_stage, cmd.reason)
    return cmd.to_stage


async def _move(uow: UnitOfWork, application: Application, to_stage: Stage, reason: str | None) -> None:
    at = clock.utc_now()
    await uow.applications.change_stage(application.application_id, application.stage, to_stage, at, reason, uow.actor)
    await uow.publish(
        ApplicationStageChanged(
            application_id=application.application_id,
            vacancy_id=application.vacancy_id,
            from_stage=application.stage,
            to_stage=to_stage,
            changed_at=at,
        )
    )


async def hire(uow: UnitOfWork, application_id: str, cmd: HireCandidate) -> None:
    """accepted → hired: emits CandidateHired for personnel; the outcome arrives later as an event."""
    application = await load_application(uow, application_id)
    pipeline.check_transition(application.stage, "hired")
    vacancy = await load_vacancy(uow, application.vacancy_id, lock=True)
    vacancy.require_open("hire")
    vacancy_rules.check_hires_left(vacancy, await uow.vacancies.hires(vacancy.vacancy_id))
    if cmd.hired_on < vacancy.opened_on:
        raise RuleViolationError(f"hired_on {cmd.hired_on} is before the vacancy opened ({vacancy.opened_on})")
    candidate = await uow.applications.candidate(application.candidate_id)
    functions = list(dict.fromkeys(cmd.functions))
    await _move(uow, application, "hired", None)
    await uow.applications.request_hire(
        application_id, cmd.employment_category, cmd.assignment, functions, cmd.hired_on, clock.utc_now()
    )
    if candidate.full_name is None:
        raise ConflictError(f"candidate {application.candidate_id}'s personal data were erased; they cannot be hired")
    # The name goes to personnel on the compacted profile topic, emptied once personnel has answered.
    await uow.publish(
        CandidateProfileStated(
            candidate_id=candidate.candidate_id,
            full_name=candidate.full_name,
            birth_year=candidate.birth_year,
            gender=candidate.gender,
        )
    )
    await uow.publish(
        CandidateHired(
            application_id=application_id,
            candidate_id=application.candidate_id,
            vacancy_id=vacancy.vacancy_id,
            unit_id=vacancy.unit_id,
            function=vacancy.function,
            policy_ids=vacancy.policy_ids,
            employment_category=cmd.employment_category,
            assignment=cmd.assignment,
            functions=tuple(functions),
            hired_on=cmd.hired_on,
        )
    )
    if vacancy.filled_by(await uow.vacancies.hires(vacancy.vacancy_id)):
        day = clock.today()
        await uow.vacancies.close(vacancy.vacancy_id, "filled", day)
        await uow.publish(VacancyClosed(vacancy_id=vacancy.vacancy_id, closed_on=day, outcome="filled"))


async def record_hire_outcome(
    repos: Repositories,
    envelope: Envelope,
    application_id: str,
    officer_id: str,
    appointed: bool,
    reason: str | None,
) -> None:
    """Personnel's answer to a hire. Unknown or already answered applications are logged and ignored."""
    application = await repos.applications.get(application_id, lock=True)
    if application is None:
        log.warning("hire outcome for unknown application %s (event %s) ignored", application_id, envelope.event_id)
        return
    if application.hire_status != "pending":
        log.warning(
            "hire outcome for application %s ignored: its hire is %s (event %s)",
            application_id,
            application.hire_status or "not requested",
            envelope.event_id,
        )
        return
    await repos.applications.record_hire_outcome(application_id, appointed, officer_id, reason, clock.utc_now())
    await repos.publish(
        HireOutcomeRecorded(
            application_id=application_id,
            vacancy_id=application.vacancy_id,
            officer_id=officer_id,
            appointed=appointed,
            reason=reason,
        ),
        causation_id=envelope.event_id,
    )
    # Personnel has answered: the hand-off copy of the candidate's data leaves the profile topic.
    await repos.forget(RECRUITMENT_CANDIDATE_PROFILE, application.candidate_id, type=CANDIDATE_PROFILE_ERASED)
    if not appointed:
        await _reopen_if_no_longer_filled(repos, envelope, application.vacancy_id, reason)


async def _reopen_if_no_longer_filled(
    repos: Repositories, envelope: Envelope, vacancy_id: str, reason: str | None
) -> None:
    """A vacancy is closed as `filled` only by a hire (see `hire`), so a refused hire that leaves it with
    fewer counting hires than positions reopens it, in the transaction that records the refusal."""
    vacancy = await repos.vacancies.get(vacancy_id, lock=True)
    if vacancy is None or vacancy.status != "filled":
        return
    if vacancy.filled_by(await repos.vacancies.hires(vacancy_id)):
        return
    day = clock.today()
    await repos.vacancies.reopen(vacancy_id)
    await repos.publish(
        VacancyReopened(
            vacancy_id=vacancy_id,
            reopened_on=day,
            reason=reason or "a hire was refused by personnel",
        ),
        causation_id=envelope.event_id,
    )
