"""Training's and recruitment's calls of the demo data set as the events those services append (see synth.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from cds_contracts import Event
from cds_contracts import personnel_officers as po
from cds_contracts import recruitment as r
from cds_contracts import training as t
from demo.dataset import DataSet

Emitted = tuple[str, Event]
UTC = dt.UTC


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def training_events(ds: DataSet, officer_unit: dict[str, str], level: dict[str, str]) -> Iterator[Emitted]:
    programmes: dict[str, dict[str, Any]] = {}
    classes: dict[str, dict[str, Any]] = {}
    enrolled_unit: dict[tuple[str, str], str] = {}

    def emit(event: Event) -> Emitted:
        return "/training", event

    empty: set[str] = set()  # at large scales the generator plans more classes than it finds trainees for
    for call in ds.training:
        parts, body = call.path.split("/"), call.body
        if call.path == "/api/v1/classes" and body["capacity"] < 1:
            empty.add(body["class_id"])  # training refuses a class without seats: it never exists
        if (call.path == "/api/v1/classes" and body["class_id"] in empty) or (len(parts) > 4 and parts[4] in empty):
            continue
        if call.path == "/api/v1/programmes":
            programmes[body["programme_id"]] = body  # training.programme: not one of reporting's topics
        elif call.path == "/api/v1/plans":
            yield emit(t.TrainingPlanAdopted.model_validate(body | {"plan_id": str(body["year"])}))
        elif call.path == "/api/v1/classes":
            programme = programmes[body["programme_id"]]
            classes[body["class_id"]] = programme
            extra = {"programme_kind": programme["kind"], "advanced": programme["level"] == "advanced"}
            yield emit(t.ClassScheduled.model_validate(body | extra))
        elif call.path == "/api/v1/drills":
            yield emit(t.DrillConducted.model_validate(body))
        elif parts[-1] == "enrolments":
            officer, unit = body["officer_id"], officer_unit[body["officer_id"]]
            enrolled_unit[(parts[4], officer)] = unit
            body = body | {"class_id": parts[4], "unit_id": unit, "level": level[unit]}
            yield emit(t.TraineeEnrolled.model_validate(body))
        elif parts[-1] == "start":
            yield emit(t.ClassStarted.model_validate(body | {"class_id": parts[4]}))
        elif parts[-1] == "results":
            yield from map(emit, _results(parts[4], body, classes[parts[4]], enrolled_unit))
        elif parts[-1] == "complete":
            yield emit(t.ClassCompleted.model_validate(body | {"class_id": parts[4]}))
        else:
            raise ValueError(f"no translation for training call {call.path}")
    for n, finding in enumerate(ds.findings, 1):
        finding_id = f"{finding.drill_id}-F{n:02d}"
        body = finding.body | {"drill_id": finding.drill_id, "finding_id": finding_id}
        yield emit(t.FindingRecorded.model_validate(body))
        if finding.closed_on:
            closed = {"drill_id": finding.drill_id, "finding_id": finding_id, "closed_on": finding.closed_on}
            yield emit(t.FindingClosed.model_validate(closed))


def _results(
    class_id: str, body: dict[str, Any], programme: dict[str, Any], enrolled_unit: dict[tuple[str, str], str]
) -> Iterator[Event]:
    completed = dt.date.fromisoformat(body["completed_on"])
    for result in body["results"]:
        officer = result["officer_id"]
        yield t.TrainingCompleted.model_validate(
            result | {"class_id": class_id, "unit_id": enrolled_unit[(class_id, officer)], "completed_on": completed}
        )
        months = programme["certificate_validity_months"]
        if result["passed"] and programme["issues_certificate"]:
            yield t.CertificateIssued(
                class_id=class_id,
                certificate_id=f"CC-{class_id}-{officer}",
                officer_id=officer,
                programme_id=programme["programme_id"],
                programme_kind=programme["kind"],
                name=programme["name_vi"],
                issued_on=completed,
                expires_on=None if months is None else _months_after(completed, months),
            )


def recruitment_events(ds: DataSet, officer_unit: dict[str, str]) -> Iterator[Emitted]:
    vacancies: dict[str, dict[str, Any]] = {}

    def emit(event: Event) -> Emitted:
        return "/recruitment", event

    for call in ds.recruitment:
        parts, body = call.path.split("/"), call.body
        if call.path == "/api/v1/incentive-policies":
            yield emit(r.IncentivePolicyPublished.model_validate(body | {"effective_from": body["document_date"]}))
        elif parts[3] == "staffing-plans":
            unit, year = parts[4], int(parts[5])
            plan = {"plan_id": f"{unit}:{year}", "unit_id": unit, "year": year}
            yield emit(r.StaffingPlanSet.model_validate(body | plan))
        elif call.path == "/api/v1/vacancies":
            vacancies[body["vacancy_id"]] = body
            yield emit(r.VacancyOpened.model_validate(body))
        else:
            raise ValueError(f"no translation for recruitment call {call.path}")
    yield from _applications(ds, vacancies, emit)
    departed = {c.path.split("/")[4]: c.body["effective_date"] for c in ds.departures}
    for n, call in enumerate(ds.exit_interviews, 1):
        body = call.body | {
            "interview_id": f"{ds.prefix}PV-{n:05d}",
            "departure_date": departed[call.body["officer_id"]],
        }
        yield emit(r.ExitInterviewRecorded.model_validate(body))


def _applications(ds: DataSet, vacancies: dict[str, dict[str, Any]], emit: Any) -> Iterator[Emitted]:
    hires: dict[str, int] = {}
    for n, app in enumerate(ds.applications, 1):
        vacancy = vacancies[app.vacancy_id]
        application_id = f"{ds.prefix}HS-{n:05d}"
        at = dt.datetime.combine(dt.date.fromisoformat(vacancy["opened_on"]), dt.time(9), tzinfo=UTC)
        yield emit(r.ApplicationSubmitted(application_id=application_id, vacancy_id=app.vacancy_id, applied_at=at))
        stage = "applied"
        for k, to in enumerate(app.stages, 1):
            reason = app.reason if to in ("rejected", "declined") else None
            moved = r.ApplicationStageChanged.model_validate(
                {"application_id": application_id, "vacancy_id": app.vacancy_id, "from_stage": stage, "to_stage": to}
                | {"changed_at": at + dt.timedelta(days=7 * k), "reason": reason}
            )
            stage = to
            yield emit(moved)
        if app.hire is None:
            continue
        officer = f"{ds.prefix}CB-H{n:05d}"
        # v2 hires name the candidate (the profile record is recruitment's and personnel's business only)
        who = {"candidate_id": f"{ds.prefix}UV-H{n:05d}"}
        hired = {"application_id": application_id, "vacancy_id": app.vacancy_id, "unit_id": vacancy["unit_id"]}
        hired |= {"function": vacancy["function"], "policy_ids": vacancy.get("policy_ids", [])} | who | app.hire
        yield emit(r.CandidateHired.model_validate(hired))
        hires[app.vacancy_id] = hires.get(app.vacancy_id, 0) + 1
        if hires[app.vacancy_id] == vacancy["positions"]:  # recruitment closes a vacancy its hires fill
            closed = {"vacancy_id": app.vacancy_id, "closed_on": ds.today, "outcome": "filled"}  # the day of the call
            yield emit(r.VacancyClosed.model_validate(closed))
        appointed = {"officer_id": officer, "unit_id": vacancy["unit_id"], "application_id": application_id}
        appointed |= {k: app.hire[k] for k in ("employment_category", "assignment", "functions")}
        yield "/personnel", po.OfficerAppointed.model_validate(appointed | {"effective_date": app.hire["hired_on"]})
        outcome = {"application_id": application_id, "vacancy_id": app.vacancy_id, "officer_id": officer}
        yield emit(r.HireOutcomeRecorded.model_validate(outcome | {"appointed": True}))
