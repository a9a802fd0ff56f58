from __future__ import annotations

import datetime as dt
import io

import pytest
from aiokafka import TopicPartition

from cds_plumbing.periods import (
    OutOfOrderChangeError,
    Period,
    Step,
    end_before,
    plan_change,
    valid_on,
)
from reporting.adapters.projection_schema import check_schema, next_schema
from reporting.domain.officers import AgencyCoverage, Counts, coverage_gaps, summarise_coverage
from reporting.domain.slices import Slice
from reporting.domain.units import UnitNode, build_tree, slice_units
from reporting.entrypoints.cli.rebuild import Progress

D = dt.date


def test_a_period_is_valid_from_its_first_to_its_last_day_inclusive() -> None:
    assert not valid_on(D(2025, 1, 1), D(2025, 6, 30), D(2024, 12, 31))
    assert valid_on(D(2025, 1, 1), D(2025, 6, 30), D(2025, 1, 1))
    assert valid_on(D(2025, 1, 1), D(2025, 6, 30), D(2025, 6, 30))
    assert not valid_on(D(2025, 1, 1), D(2025, 6, 30), D(2025, 7, 1))
    assert Period(D(2025, 1, 1)).contains(D(2999, 1, 1))


def test_a_change_closes_the_latest_period_the_day_before_or_replaces_one_starting_that_day() -> None:
    assert plan_change(None, D(2025, 7, 1)) is Step.OPEN
    assert plan_change(Period(D(2020, 1, 1)), D(2025, 7, 1)) is Step.CLOSE_AND_OPEN
    assert plan_change(Period(D(2025, 7, 1)), D(2025, 7, 1)) is Step.REPLACE
    assert end_before(Period(D(2020, 1, 1)), D(2025, 7, 1)) == D(2025, 6, 30)
    assert end_before(Period(D(2020, 1, 1)), D(2024, 3, 1)) == D(2024, 2, 29)  # leap year


def test_an_earlier_end_is_kept_and_back_dated_changes_are_refused() -> None:
    departed = Period(D(2020, 1, 1), D(2023, 5, 31))
    assert end_before(departed, D(2025, 1, 1)) == D(2023, 5, 31)  # re-appointment keeps the departure
    assert end_before(departed, D(2023, 1, 1)) == D(2022, 12, 31)
    with pytest.raises(OutOfOrderChangeError):
        plan_change(Period(D(2025, 7, 1)), D(2025, 6, 30))


def _unit(unit_id: str, parent_id: str | None) -> UnitNode:
    return UnitNode(unit_id, f"name {unit_id}", None, "peoples_committee", "commune", parent_id)


def test_the_tree_nests_children_sorted_and_keeps_orphans_and_cycles_as_roots() -> None:
    units = [_unit("P", None), _unit("C2", "D"), _unit("D", "P"), _unit("C1", "D")]
    roots = build_tree([*units, _unit("X", "GONE"), _unit("A", "B"), _unit("B", "A")])
    assert [r.unit_id for r in roots] == ["A", "B", "P", "X"]
    tree = roots[2].as_dict()
    assert [c["unit_id"] for c in tree["children"]] == ["D"]
    assert [c["unit_id"] for c in tree["children"][0]["children"]] == ["C1", "C2"]


def test_a_sliced_tree_keeps_the_ancestors_of_its_units_up_to_the_slice_root() -> None:
    def units() -> list[UnitNode]:
        return [_unit("P", None), _unit("D", "P"), _unit("C1", "D"), _unit("C2", "D"), _unit("Q", "P")]

    assert [u.unit_id for u in slice_units(units(), None)] == ["P", "D", "C1", "C2", "Q"]
    kept = slice_units(units(), ["C2"])
    assert [(u.unit_id, u.in_slice) for u in kept] == [("P", False), ("D", False), ("C2", True)]
    tree = build_tree(kept)[0].as_dict()
    assert (tree["in_slice"], tree["children"][0]["children"][0]["unit_id"]) == (False, "C2")
    under_d = slice_units(units(), ["C1", "C2"], root="D")
    assert [(u.unit_id, u.in_slice) for u in under_d] == [("D", False), ("C1", True), ("C2", True)]
    assert slice_units(units(), []) == []
    cycle = [_unit("A", "B"), _unit("B", "A")]
    assert [(u.unit_id, u.in_slice) for u in slice_units(cycle, ["A"])] == [("A", True), ("B", False)]


def test_counts_add_field_by_field() -> None:
    total = Counts(total=2, dedicated=1, concurrent=1, it_leader=1) + Counts(total=1, concurrent=1, it_technical=1)
    assert total.as_dict() == {
        "total": 3,
        "dedicated": 1,
        "concurrent": 2,
        "information_security": 0,
        "it_technical": 1,
        "it_leader": 1,
    }


def test_an_agency_needs_an_it_leader_and_an_it_technical_officer() -> None:
    assert coverage_gaps(1, 1) == []
    assert coverage_gaps(0, 3) == ["it_leader"]
    assert coverage_gaps(2, 0) == ["it_technical"]
    assert coverage_gaps(0, 0) == ["it_leader", "it_technical"]
    agencies = [
        AgencyCoverage("A", "a", "state_agency", "province", 1, 2),
        AgencyCoverage("B", "b", "centre", "province", 0, 1),
    ]
    report = summarise_coverage(agencies)
    assert report["summary"] == {"agencies": 2, "compliant": 1, "failing": 1}
    assert report["failing"] == [
        {
            "unit_id": "B",
            "name_vi": "b",
            "kind": "centre",
            "level": "province",
            "has_it_leader": False,
            "it_technical": 1,
            "compliant": False,
            "missing": ["it_leader"],
        }
    ]
    assert [(a["unit_id"], a["compliant"]) for a in report["agencies"]] == [("A", True), ("B", False)]


def test_projection_schema_names_are_checked_and_numbered() -> None:
    assert next_schema("proj_9") == "proj_10"
    for bad in ("public", "proj_1; DROP TABLE x", "proj_", "Proj_1"):
        with pytest.raises(ValueError, match="projection schema"):
            check_schema(bad)


def test_the_progress_bar_counts_events_between_start_and_target_offsets() -> None:
    a, b = TopicPartition("t", 0), TopicPartition("t", 1)
    out = io.StringIO()
    bar = Progress(out, {a: 0, b: 10}, {a: 50, b: 60}, width=10)
    bar.show({a: 25, b: 36})
    bar.show({a: 25, b: 36})  # unchanged: not written again
    bar.show({a: 50, b: 60})
    assert out.getvalue() == "\r[#####.....]  51% 51/100 events\r[##########] 100% 100/100 events"


def test_recruitment_helpers() -> None:
    import datetime as dt

    from reporting.domain.recruitment import funnel, month_ends, rolling_attrition, window_start

    assert window_start(dt.date(2024, 12, 31)) == dt.date(2024, 1, 1)
    assert window_start(dt.date(2024, 2, 29)) == dt.date(2023, 3, 1)
    ends = month_ends(dt.date(2024, 3, 15), 3)
    assert ends == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 15)]
    assert rolling_attrition(3, [9, 6])["attrition_rate_pct"] == 40.0
    assert [s["conversion_pct"] for s in funnel({"applied": 4, "screened": 2})][:3] == [None, 50.0, 0.0]


def test_coverage_gaps_merge_overlaps_and_leave_no_gap_between_adjacent_shifts() -> None:
    import datetime as dt

    from reporting.domain.readiness import Interval, gaps, score, staffing

    def h(hour: int) -> dt.datetime:
        return dt.datetime(2024, 12, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hour)

    window = Interval(h(0), h(24))
    covered, holes = gaps(
        window, [Interval(h(2), h(6)), Interval(h(6), h(8)), Interval(h(7), h(10)), Interval(h(20), h(30))]
    )
    assert covered == 12 * 3600
    assert holes == [Interval(h(0), h(2)), Interval(h(10), h(20))]
    assert gaps(window, []) == (0.0, [window])
    assert staffing({"lead": 1, "analyst": 1}) == 1 / 3  # a lead, but no network admin and only 2 members
    assert score({"certified": 1, "coverage": 1, "drill_recency": 1, "staffing": 1, "responsiveness": 1}) == 100.0


def test_a_former_province_is_part_of_the_slice_and_echoed_only_when_given() -> None:
    plain = Slice(unit_id="P", sectors=("party_agency",))
    assert plain.as_dict() == {"unit_id": "P", "sectors": ["party_agency"], "levels": []}
    former = Slice(levels=("commune",), former_province="VP")
    assert not former.is_whole_province and former.without_former_province == Slice(levels=("commune",))
    assert former.as_dict()["former_province"] == "VP"
    assert former.query() == [("level", "commune"), ("former_province", "VP")]
    assert Slice(former_province="VP").without_former_province.is_whole_province
