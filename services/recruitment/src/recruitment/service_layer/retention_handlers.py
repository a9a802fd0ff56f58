"""Handlers for retention: exit interviews with officers whose departure personnel recorded."""

from __future__ import annotations

import uuid

from cds_contracts.recruitment import ExitInterviewRecorded
from recruitment.adapters.retention_repo import Departure
from recruitment.domain.errors import ConflictError, NotFoundError

from .commands import RecordExitInterview
from .unit_of_work import Repositories, UnitOfWork


def new_interview_id() -> str:
    return f"EI-{uuid.uuid4().hex[:12].upper()}"


async def load_departure(repos: Repositories, officer_id: str) -> Departure:
    departure = await repos.retention.departure(officer_id)
    if departure is None:
        raise NotFoundError(f"no departure of officer {officer_id} is known (recorded in personnel)")
    return departure


async def record_exit_interview(uow: UnitOfWork, cmd: RecordExitInterview) -> str:
    departure = await load_departure(uow, cmd.officer_id)
    existing = await uow.retention.interview_of(cmd.officer_id)
    if existing is not None:
        raise ConflictError(f"officer {cmd.officer_id} already has exit interview {existing}")
    interview_id = new_interview_id()
    reasons = list(dict.fromkeys(cmd.reasons))
    await uow.retention.insert_interview(interview_id, departure, reasons, cmd.interviewed_on, cmd.notes, uow.actor)
    await uow.publish(
        ExitInterviewRecorded(
            interview_id=interview_id,
            officer_id=cmd.officer_id,
            departure_date=departure.departure_date,
            reasons=tuple(reasons),
            interviewed_on=cmd.interviewed_on,
        )
    )
    return interview_id
