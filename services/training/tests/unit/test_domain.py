"""Pure rules: plans, class status transitions, capacity, enrolment, completion and certificate expiry."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cds_contracts.training import PlanTargets
from training.domain import plans
from training.domain.classes import Enrolment, TrainingClass, check_dates
from training.domain.directory import KnownOfficer, Trainee, trainee
from training.domain.drills import Finding, check_finding, distinct, require_finding
from training.domain.errors import ConflictError, NotFoundError, RuleViolationError
from training.domain.programmes import Programme, add_months, certificate_expiry, check_certificate_terms, is_advanced

D = dt.date
TARGETS = PlanTargets(
    classes=10,
    trainees_province=60,
    trainees_district=90,
    trainees_commune=150,
    advanced_classes=1,
    advanced_trainees=30,
    drills=2,
)


def klass(status: str = "scheduled", capacity: int = 2, levels: tuple[str, ...] = ()) -> TrainingClass:
    return TrainingClass(
        "LH-1",
        "PG-1",
        2024,
        "CNTT cơ bản",
        D(2024, 6, 3),
        D(2024, 6, 7),
        None,
        "SO-TTTT",
        capacity,
        levels,
        False,
        status,  # type: ignore[arg-type]
    )


def enrolled(officer_id: str, *, active: bool = True, result: bool = False) -> Enrolment:
    return Enrolment(officer_id, "TD-A", "commune", D(2024, 5, 20), "enrolled" if active else "withdrawn", None, result)


def who(officer_id: str = "CB-1", level: str = "commune") -> Trainee:
    return Trainee(officer_id, "TD-A", level)  # type: ignore[arg-type]


# --- plans --------------------------------------------------------------------------------------------


def test_a_year_is_adopted_once_and_each_amendment_adds_a_revision() -> None:
    plan = plans.adopt(2024, TARGETS, "123/QĐ-UBND", None)
    assert (plan.plan_id, plan.revision) == ("2024", 1)
    with pytest.raises(ConflictError, match="already adopted"):
        plans.adopt(2024, TARGETS, None, plan)
    more = TARGETS.model_copy(update={"classes": 12})
    amended = plan.amend(more, "thêm 2 lớp cấp xã")
    assert (amended.revision, amended.targets.classes, amended.decision) == (2, 12, "123/QĐ-UBND")
    assert amended.amend(TARGETS, "back").revision == 3


def test_an_amendment_must_change_something_and_say_why() -> None:
    plan = plans.adopt(2024, TARGETS, None, None)
    with pytest.raises(RuleViolationError, match="does not change"):
        plan.amend(TARGETS, "no-op")
    with pytest.raises(RuleViolationError, match="reason"):
        plan.amend(TARGETS.model_copy(update={"drills": 3}), "  ")


# --- status transitions --------------------------------------------------------------------------------


def test_status_runs_scheduled_running_completed() -> None:
    c = klass()
    assert c.start(D(2024, 6, 3)) == "running"
    running = replace(c, status="running", started_on=D(2024, 6, 3))
    assert running.complete(D(2024, 6, 7), [enrolled("CB-1", result=True)]) == "completed"
    with pytest.raises(ConflictError, match="it is scheduled"):
        c.complete(D(2024, 6, 7), [])
    with pytest.raises(ConflictError, match="it is running"):
        running.start(D(2024, 6, 4))


def test_cancel_is_allowed_from_every_status_but_cancelled_even_after_completion() -> None:
    for status in ("scheduled", "running", "completed"):
        assert klass(status).cancel() == "cancelled"
    with pytest.raises(ConflictError, match="cannot cancel"):
        klass("cancelled").cancel()
    with pytest.raises(ConflictError):
        klass("cancelled").start(D(2024, 6, 3))


def test_dates_are_checked() -> None:
    with pytest.raises(RuleViolationError, match="cannot end"):
        check_dates(D(2024, 6, 7), D(2024, 6, 6))
    check_dates(D(2024, 6, 7), D(2024, 6, 7))  # a one-day class
    with pytest.raises(RuleViolationError, match="cannot start"):
        klass().start(D(2024, 6, 8))
    running = replace(klass("running"), started_on=D(2024, 6, 4))
    with pytest.raises(RuleViolationError, match="cannot be completed"):
        running.complete(D(2024, 6, 3), [])


def test_completion_needs_a_result_for_every_trainee_still_enrolled() -> None:
    running = klass("running")
    with pytest.raises(ConflictError, match="without a result: CB-2"):
        running.complete(D(2024, 6, 7), [enrolled("CB-1", result=True), enrolled("CB-2")])
    # a withdrawn trainee needs none
    assert running.complete(D(2024, 6, 7), [enrolled("CB-1", result=True), enrolled("CB-2", active=False)])


# --- enrolment and capacity ----------------------------------------------------------------------------


def test_capacity_counts_active_enrolments_only() -> None:
    c = klass(capacity=2)
    c.check_enrolment(who("CB-3"), [enrolled("CB-1"), enrolled("CB-2", active=False)])
    with pytest.raises(ConflictError, match=r"full \(2 of 2"):
        c.check_enrolment(who("CB-3"), [enrolled("CB-1"), enrolled("CB-2")])


def test_enrolment_refuses_duplicates_wrong_status_and_wrong_level() -> None:
    with pytest.raises(ConflictError, match="already enrolled"):
        klass().check_enrolment(who("CB-1"), [enrolled("CB-1")])
    klass().check_enrolment(who("CB-1"), [enrolled("CB-1", active=False)])  # re-enrolment after withdrawal
    klass("running").check_enrolment(who("CB-1"), [])
    for status in ("completed", "cancelled"):
        with pytest.raises(ConflictError, match="cannot enrol"):
            klass(status).check_enrolment(who("CB-1"), [])
    with pytest.raises(RuleViolationError, match="meant for district"):
        klass(levels=("district",)).check_enrolment(who("CB-1", "commune"), [])


def test_unknown_departed_and_unit_less_officers_cannot_be_trainees() -> None:
    with pytest.raises(RuleViolationError, match="officer CB-9 is unknown to training"):
        trainee("CB-9", None)
    with pytest.raises(ConflictError, match="departed on 2024-03-01"):
        trainee("CB-1", KnownOfficer("CB-1", "A", "TD-A", D(2024, 3, 1), "commune"))
    with pytest.raises(ConflictError, match="level of unit TD-X"):
        trainee("CB-1", KnownOfficer("CB-1", "A", "TD-X", None, None))
    assert trainee("CB-1", KnownOfficer("CB-1", "A", "TD-A", None, "commune")) == who("CB-1")


def test_attendance_and_results_only_while_running_within_the_dates() -> None:
    running = replace(klass("running"), started_on=D(2024, 6, 3))
    running.check_attendance("CB-1", enrolled("CB-1"), D(2024, 6, 3))
    with pytest.raises(RuleViolationError, match="outside"):
        running.check_attendance("CB-1", enrolled("CB-1"), D(2024, 6, 8))
    with pytest.raises(ConflictError, match="cannot record attendance"):
        klass().check_attendance("CB-1", enrolled("CB-1"), D(2024, 6, 3))
    with pytest.raises(NotFoundError, match="not enrolled"):
        running.check_attendance("CB-2", None, D(2024, 6, 3))
    with pytest.raises(ConflictError, match="withdrew"):
        running.check_attendance("CB-1", enrolled("CB-1", active=False), D(2024, 6, 3))
    running.check_result("CB-1", enrolled("CB-1"), D(2024, 6, 7))
    with pytest.raises(ConflictError, match="already has a final result"):
        running.check_result("CB-1", enrolled("CB-1", result=True), D(2024, 6, 7))
    with pytest.raises(ConflictError, match="cannot record results"):
        klass("completed").check_result("CB-1", enrolled("CB-1"), D(2024, 6, 7))
    with pytest.raises(RuleViolationError, match="before class"):
        running.check_result("CB-1", enrolled("CB-1"), D(2024, 6, 2))
    with pytest.raises(ConflictError, match="final result"):
        running.check_withdrawal("CB-1", enrolled("CB-1", result=True), D(2024, 6, 5))


# --- programmes and certificates -----------------------------------------------------------------------


def programme(issues: bool = True, months: int | None = 24, kind: str = "infosec_sysadmin") -> Programme:
    return Programme("PG-1", "ATTT", None, kind, "intermediate", 40, "Sở TT&TT", issues, months)  # type: ignore[arg-type]


def test_certificate_expiry_adds_calendar_months_clamped_to_the_month_end() -> None:
    assert add_months(D(2024, 6, 7), 24) == D(2026, 6, 7)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert certificate_expiry(D(2024, 6, 7), None) is None


def test_only_a_pass_of_a_certifying_programme_earns_a_certificate() -> None:
    assert programme().certificate_for(True, D(2024, 6, 7)) == (D(2024, 6, 7), D(2026, 6, 7))
    assert programme().certificate_for(False, D(2024, 6, 7)) is None
    assert programme(issues=False, months=None).certificate_for(True, D(2024, 6, 7)) is None
    assert programme(months=None).certificate_for(True, D(2024, 6, 7)) == (D(2024, 6, 7), None)
    with pytest.raises(RuleViolationError, match="issues no certificate"):
        check_certificate_terms(False, 12)


def test_advanced_means_advanced_it_or_an_advanced_level() -> None:
    assert is_advanced("advanced_it", "basic")
    assert is_advanced("infosec_sysadmin", "advanced")
    assert not is_advanced("it_upgrade", "intermediate")
    assert programme(kind="advanced_it").advanced


# --- drills -------------------------------------------------------------------------------------------


def test_findings_are_due_after_the_drill_and_close_once() -> None:
    with pytest.raises(RuleViolationError, match="before its drill"):
        check_finding(D(2024, 9, 10), D(2024, 9, 9))
    f = Finding("PH-1", "DT-1", "Vá lỗ hổng VPN", "SO-TTTT", D(2024, 10, 1))
    f.check_close(D(2024, 9, 20), D(2024, 9, 10))
    with pytest.raises(ConflictError, match="already closed"):
        replace(f, closed_on=D(2024, 9, 20)).check_close(D(2024, 9, 21), D(2024, 9, 10))
    with pytest.raises(NotFoundError):
        require_finding("DT-2", "PH-1", f)
    assert distinct(["A", "B", "A"]) == ("A", "B")
