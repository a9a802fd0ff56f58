"""Pure rules: staffing plans within the parent's, the application pipeline, vacancies."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from cds_contracts.recruitment import Quotas
from recruitment.domain import pipeline, plans, vacancies
from recruitment.domain.errors import ConflictError, RuleViolationError
from recruitment.domain.vacancies import Vacancy

D = dt.date


def q(it: int = 0, sec: int = 0, data: int = 0, lead: int = 0) -> Quotas:
    return Quotas(it_technical=it, information_security=sec, data=data, leadership=lead)


def test_a_plan_within_its_parents_plan_passes_function_by_function() -> None:
    plans.check_within_parent("TD", 2025, q(3, 2, 1, 1), "VP", q(3, 2, 1, 1))
    plans.check_within_parent("TD", 2025, q(0, 0, 0, 0), "VP", q(0, 0, 0, 0))


def test_a_plan_above_its_parent_names_the_function_and_both_numbers() -> None:
    with pytest.raises(RuleViolationError) as err:
        plans.check_within_parent("TD", 2025, q(3, 6, 1, 1), "VP", q(10, 5, 3, 2))
    assert str(err.value) == (
        "information_security quota 6 for TD in 2025 exceeds the information_security quota 5 of its parent VP"
    )
    # Only one function over is enough, whichever it is.
    with pytest.raises(RuleViolationError, match=r"leadership quota 3 .* leadership quota 2 of its parent VP"):
        plans.check_within_parent("TD", 2025, q(0, 0, 0, 3), "VP", q(10, 5, 3, 2))


def test_a_parent_plan_may_not_fall_below_a_sub_units_quota() -> None:
    children = {"TD": q(4, 2, 1, 1), "SO": q(1, 1, 0, 0)}
    plans.check_above_children("VP", 2025, q(4, 2, 1, 1), children)
    with pytest.raises(
        RuleViolationError, match=r"it_technical quota 3 for VP in 2025 is below .* 4 of its sub-unit TD"
    ):
        plans.check_above_children("VP", 2025, q(3, 2, 1, 1), children)
    plans.check_above_children("VP", 2025, q(0, 0, 0, 0), {})


def test_the_pipeline_moves_one_stage_at_a_time() -> None:
    path = ["applied", "screened", "interviewed", "offered", "accepted", "hired"]
    for before, after in itertools.pairwise(path):
        pipeline.check_transition(before, after)
    pipeline.check_transition("offered", "declined")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("applied", "offered"),  # skipping stages
        ("applied", "hired"),
        ("screened", "accepted"),
        ("interviewed", "declined"),  # only an offer can be declined
        ("offered", "screened"),  # going back
        ("hired", "rejected"),  # a hire is final
        ("declined", "accepted"),
        ("rejected", "screened"),
        ("accepted", "accepted"),
    ],
)
def test_illegal_transitions_are_conflicts_naming_both_stages(before: str, after: str) -> None:
    with pytest.raises(ConflictError, match=f"cannot move from {before} to {after}"):
        pipeline.check_transition(before, after, "a reason")


@pytest.mark.parametrize("stage", ["applied", "screened", "interviewed", "offered", "accepted"])
def test_rejection_is_allowed_before_hire_and_needs_a_reason(stage: str) -> None:
    pipeline.check_transition(stage, "rejected", "not enough experience")
    with pytest.raises(RuleViolationError, match="needs a reason"):
        pipeline.check_transition(stage, "rejected", "  ")


def test_final_stages_allow_nothing() -> None:
    for stage in pipeline.FINAL:
        assert pipeline.allowed_from(stage) == ()


MARCH_END = D(2025, 3, 31)


def vacancy(status: str = "open", closes_on: D | None = MARCH_END, positions: int = 2) -> Vacancy:
    return Vacancy("VC-1", "TD", "it_technical", positions, D(2025, 1, 1), closes_on, status, None, ())


def test_a_vacancy_takes_applications_only_while_open_and_within_its_dates() -> None:
    vacancy().require_accepting(D(2025, 1, 1))
    vacancy().require_accepting(D(2025, 3, 31))
    with pytest.raises(ConflictError, match="opens for applications on 2025-01-01"):
        vacancy().require_accepting(D(2024, 12, 31))
    with pytest.raises(ConflictError, match="stopped taking applications on 2025-03-31"):
        vacancy().require_accepting(D(2025, 4, 1))
    with pytest.raises(ConflictError, match="is filled: cannot apply"):
        vacancy("filled").require_accepting(D(2025, 2, 1))


def test_closing_rules() -> None:
    vacancies.check_close(vacancy(), "cancelled", D(2025, 2, 1))
    vacancies.check_close(vacancy(), "expired", D(2025, 4, 1))
    with pytest.raises(RuleViolationError, match="only after its closing date"):
        vacancies.check_close(vacancy(), "expired", D(2025, 3, 31))
    with pytest.raises(RuleViolationError, match="only after its closing date"):
        vacancies.check_close(vacancy(closes_on=None), "expired", D(2026, 1, 1))
    with pytest.raises(ConflictError, match="is cancelled"):
        vacancies.check_close(vacancy("cancelled"), "cancelled", D(2025, 2, 1))
    with pytest.raises(RuleViolationError, match="closes_on 2024-12-01 is before opened_on"):
        vacancies.check_dates(D(2025, 1, 1), D(2024, 12, 1))


def test_hires_fill_the_positions() -> None:
    v = vacancy(positions=2)
    assert not v.filled_by(1) and v.filled_by(2)
    vacancies.check_hires_left(v, 1)
    with pytest.raises(ConflictError, match="already has 2 hire"):
        vacancies.check_hires_left(v, 2)
