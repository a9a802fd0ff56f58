"""Pure rules: dated transitions, reorganisation checks, officer lifecycle, vocabulary."""

from __future__ import annotations

import datetime as dt

import pytest

from cds_plumbing.periods import Step, valid_on
from personnel.domain import officers, teams, units
from personnel.domain.errors import ConflictError, RuleViolationError
from personnel.domain.officers import Officer, OfficerPeriod
from personnel.domain.periods import transition
from personnel.domain.units import Unit, UnitVersion
from personnel.domain.vocabulary import code_for, field_for

D = dt.date


def version(unit_id: str, level: str, start: D, end: D | None = None, parent: str | None = None) -> UnitVersion:
    return UnitVersion(unit_id, start, end, unit_id, None, "peoples_committee", level, parent)


def test_validity_is_inclusive_at_both_ends() -> None:
    assert valid_on(D(2024, 1, 1), D(2025, 6, 30), D(2025, 6, 30))
    assert not valid_on(D(2024, 1, 1), D(2025, 6, 30), D(2025, 7, 1))
    assert valid_on(D(2024, 1, 1), None, D(2099, 1, 1))
    assert not valid_on(D(2024, 1, 1), None, D(2023, 12, 31))


def test_changes_must_come_in_date_order() -> None:
    assert transition(D(2024, 1, 1), D(2025, 7, 1), "x") is Step.CLOSE_AND_OPEN
    assert transition(D(2024, 1, 1), D(2024, 1, 1), "x") is Step.REPLACE
    with pytest.raises(ConflictError, match="before the latest change"):
        transition(D(2024, 1, 1), D(2023, 12, 31), "x")


def test_a_unit_answers_for_the_version_valid_on_a_date() -> None:
    unit = Unit(
        "C1",
        D(2020, 1, 1),
        D(2025, 6, 30),
        (
            version("C1", "commune", D(2020, 1, 1), D(2023, 12, 31), "D1"),
            version("C1", "commune", D(2024, 1, 1), D(2025, 6, 30), "D2"),
        ),
    )
    assert unit.version_on(D(2023, 5, 1)).parent_id == "D1"  # type: ignore[union-attr]
    assert unit.require_active(D(2025, 6, 30)).parent_id == "D2"
    with pytest.raises(ConflictError, match="does not exist on 2025-07-01"):
        unit.require_active(D(2025, 7, 1))


def test_a_unit_never_sits_under_a_lower_level() -> None:
    units.check_parent_level("commune", version("D1", "district", D(2020, 1, 1)))
    units.check_parent_level("commune", version("VP", "province", D(2020, 1, 1)))  # after districts went away
    units.check_parent_level("province", version("VP", "province", D(2020, 1, 1)))  # a department under the province
    with pytest.raises(RuleViolationError, match="cannot be placed under commune"):
        units.check_parent_level("district", version("C1", "commune", D(2020, 1, 1)))


def test_moves_that_would_make_a_cycle_are_refused() -> None:
    units.check_not_cycle("D1", "VP", descendants={"C1", "C2"})
    with pytest.raises(RuleViolationError, match="cycle"):
        units.check_not_cycle("D1", "C2", descendants={"C1", "C2"})
    with pytest.raises(RuleViolationError, match="cycle"):
        units.check_not_cycle("D1", "D1", descendants=set())


def test_merge_split_and_dissolve_rules() -> None:
    units.check_merge("C12", ["C1", "C2"])
    with pytest.raises(RuleViolationError, match="successor"):
        units.check_merge("C1", ["C1", "C2"])
    with pytest.raises(RuleViolationError, match="twice"):
        units.check_merge("C12", ["C1", "C1"])
    units.check_split("C1", ["C1a", "C1b"], "C1b")
    with pytest.raises(RuleViolationError, match="not one of the successors"):
        units.check_split("C1", ["C1a", "C1b"], "C9")
    units.check_dissolvable("D1", D(2025, 7, 1), children=0, officers=0, teams=0)
    with pytest.raises(ConflictError, match="2 sub-units, 1 officers"):
        units.check_dissolvable("D1", D(2025, 7, 1), children=2, officers=1, teams=0)


def officer(departed: D | None = None) -> Officer:
    period = OfficerPeriod(D(2024, 3, 1), None, "SO", "concurrent", ("it_technical",))
    return Officer(
        "CB-1",
        "Nguyễn Văn A",
        1990,
        "male",
        "civil_servant",
        D(2024, 3, 1),
        departed,
        "private_sector" if departed else None,
        None,
        (period,),
    )


def test_a_departed_officer_cannot_change() -> None:
    gone = officer(departed=D(2025, 1, 1))
    with pytest.raises(ConflictError, match="only a correction"):
        gone.plan_change(D(2025, 2, 1), "transfer")
    with pytest.raises(ConflictError, match="only a correction"):
        gone.check_departure(D(2025, 2, 1))


def test_departure_comes_after_the_latest_change() -> None:
    o = officer()
    o.check_departure(D(2024, 3, 2))
    with pytest.raises(ConflictError, match="must come after"):
        o.check_departure(D(2024, 3, 1))
    assert o.plan_change(D(2024, 3, 1), "assignment change") is Step.REPLACE


def test_functions_are_deduplicated_in_a_stable_order() -> None:
    assert officers.normalise_functions(["it_leader", "it_technical", "it_leader"]) == ("it_technical", "it_leader")
    with pytest.raises(RuleViolationError):
        officers.normalise_functions(["hacker"])


def test_team_membership_rules() -> None:
    teams.check_commune(version("C1", "commune", D(2020, 1, 1)))
    with pytest.raises(RuleViolationError, match="teams belong to communes"):
        teams.check_commune(version("D1", "district", D(2020, 1, 1)))
    with pytest.raises(ConflictError, match="before the team was established"):
        teams.check_join(D(2024, 1, 1), D(2023, 1, 1), False, "TV-1")
    with pytest.raises(ConflictError, match="already left"):
        teams.check_leave(D(2024, 1, 1), D(2024, 6, 1), D(2024, 7, 1))


@pytest.mark.parametrize(
    ("field", "word", "code"),
    [
        ("assignment", " Chuyên trách ", "dedicated"),
        ("assignment", "KIÊM NHIỆM", "concurrent"),
        ("kind", "Uỷ ban nhân dân", "peoples_committee"),
        ("kind", "Ủy ban nhân dân", "peoples_committee"),
        ("affiliation", "Hội Liên hiệp Phụ nữ", "womens_union"),
        ("functions", "ATTT", "information_security"),
        ("level", "dedicated-unknown", "dedicated-unknown"),
    ],
)
def test_vietnamese_words_map_to_codes(field: str, word: str, code: str) -> None:
    assert code_for(field, word) == code


def test_vietnamese_headers_map_to_fields() -> None:
    fields = {"full_name", "unit_id", "effective_date"}
    assert field_for("officers", "Họ và tên", fields) == "full_name"
    assert field_for("officers", "full_name", fields) == "full_name"
    assert field_for("officers", "Ngày hiệu lực", fields) == "effective_date"
    assert field_for("units", "Ngày hiệu lực", fields) == "valid_from"
    assert field_for("officers", "Số CCCD", fields) is None
