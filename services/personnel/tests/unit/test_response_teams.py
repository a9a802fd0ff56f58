"""Pure rules of incident-response teams: coverage arithmetic, membership, shifts and incidents."""

from __future__ import annotations

import datetime as dt

import pytest

from cds_plumbing.clock import PROVINCE_TZ
from personnel.domain import response_teams as rt
from personnel.domain.errors import ConflictError, NotFoundError, RuleViolationError
from personnel.domain.officers import Officer, OfficerPeriod
from personnel.domain.response_teams import Incident, Membership, ResponseTeam, Shift, Span

D = dt.date
VN = PROVINCE_TZ
UTC = dt.UTC


def at(day: int, hour: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=VN)


def shift(sid: str, start: dt.datetime, end: dt.datetime, primary: str = "A", backup: str | None = None) -> Shift:
    return Shift(sid, start, end, primary, backup)


MEMBERS = [Membership("A", "lead", D(2025, 1, 1)), Membership("B", "analyst", D(2025, 1, 1))]
WINDOW = Span(at(1), at(3))  # two days


def gaps(result: rt.Coverage) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(g.start, g.end) for g in result.gaps]


# --- coverage arithmetic ---


def test_adjacent_shifts_leave_no_gap() -> None:
    result = rt.coverage(WINDOW, [shift("1", at(1), at(2)), shift("2", at(2), at(3), "B")], MEMBERS)
    assert result.gaps == ()
    assert result.covered == (WINDOW,)
    assert result.covered_seconds == result.total_seconds == 2 * 86400
    assert result.coverage_pct == 100.0


def test_overlapping_shifts_merge_and_the_hole_is_exact() -> None:
    shifts = [
        shift("1", at(1, 0), at(1, 12)),
        shift("2", at(1, 8), at(1, 20), "B"),  # overlaps the first
        shift("3", at(2, 6), at(3, 0)),
    ]
    result = rt.coverage(WINDOW, shifts, MEMBERS)
    assert [(c.start, c.end) for c in result.covered] == [(at(1, 0), at(1, 20)), (at(2, 6), at(3, 0))]
    assert gaps(result) == [(at(1, 20), at(2, 6))]
    assert result.covered_seconds == (20 + 18) * 3600
    assert result.coverage_pct == round(100 * 38 / 48, 2)


def test_shifts_are_clipped_to_the_window_and_empty_edges_are_gaps() -> None:
    shifts = [shift("1", at(1, 0) - dt.timedelta(days=1), at(1, 6)), shift("2", at(2, 18), at(4))]
    result = rt.coverage(Span(at(1), at(3)), shifts, MEMBERS)
    assert gaps(result) == [(at(1, 6), at(2, 18))]
    assert result.covered_seconds == 12 * 3600
    assert rt.coverage(WINDOW, [], MEMBERS).gaps == (WINDOW,)
    assert rt.coverage(WINDOW, [], MEMBERS).coverage_pct == 0.0


def test_cancelled_shifts_cover_nothing() -> None:
    cancelled = Shift("1", at(1), at(3), "A", None, cancelled=True)
    assert gaps(rt.coverage(WINDOW, [cancelled], MEMBERS)) == [(at(1), at(3))]


def test_a_shift_whose_primary_left_no_longer_covers_from_the_day_they_left() -> None:
    members = [Membership("A", "lead", D(2025, 1, 1), left_on=D(2025, 3, 2), left_reason="departed"), MEMBERS[1]]
    result = rt.coverage(WINDOW, [shift("1", at(1, 12), at(3), "A", backup="B")], members)
    assert gaps(result) == [(at(1, 0), at(1, 12)), (at(2, 0), at(3, 0))]  # the backup does not cover
    status = rt.shift_status(shift("1", at(1, 12), at(3), "A", backup="B"), members)
    assert status.uncovered and not status.backup_unfilled
    later = rt.shift_status(shift("2", at(2, 6), at(2, 18), "B", backup="A"), members)
    assert not later.uncovered and later.backup_unfilled


def test_mixed_time_zones_compare_as_instants() -> None:
    utc_shift = shift("1", dt.datetime(2025, 2, 28, 17, tzinfo=UTC), dt.datetime(2025, 3, 1, 17, tzinfo=UTC))
    result = rt.coverage(WINDOW, [utc_shift], MEMBERS)  # 2025-03-01 00:00 → 2025-03-02 00:00 in Hà Nội
    assert gaps(result) == [(at(2), at(3))]


def test_a_window_must_end_after_it_starts() -> None:
    with pytest.raises(RuleViolationError, match="window"):
        rt.coverage(Span(at(2), at(1)), [], MEMBERS)


def test_merge_keeps_disjoint_spans_apart_and_joins_touching_ones() -> None:
    spans = [Span(at(2), at(3)), Span(at(1), at(2)), Span(at(5), at(6)), Span(at(5, 6), at(5, 12))]
    assert rt.merge(spans) == [Span(at(1), at(3)), Span(at(5), at(6))]


# --- teams and membership ---

TEAM = ResponseTeam("DUC-1", "Đội ứng cứu", "provincial", "VP", D(2024, 6, 1))


def officer(departed: D | None = None, appointed: D | None = None) -> Officer:
    appointed = appointed or D(2024, 1, 1)
    period = OfficerPeriod(appointed, departed and departed - dt.timedelta(days=1), "SO", "dedicated", ())
    return Officer("CB-1", "Nguyễn Văn A", 1990, "male", "civil_servant", appointed, departed, None, None, (period,))


def test_only_one_provincial_team() -> None:
    rt.check_formation("provincial", None)
    rt.check_formation("unit", "DUC-1")
    with pytest.raises(ConflictError, match="already has"):
        rt.check_formation("provincial", "DUC-1")


def test_joining_rules() -> None:
    rt.check_join(TEAM, officer(), D(2024, 6, 1), [])
    with pytest.raises(ConflictError, match="only a correction"):
        rt.check_join(TEAM, officer(departed=D(2025, 1, 1)), D(2024, 7, 1), [])
    with pytest.raises(ConflictError, match="before the team was formed"):
        rt.check_join(TEAM, officer(), D(2024, 5, 31), [])
    with pytest.raises(ConflictError, match="before officer CB-1 was appointed"):
        rt.check_join(TEAM, officer(appointed=D(2024, 9, 1)), D(2024, 7, 1), [])
    with pytest.raises(ConflictError, match="already a member"):
        rt.check_join(TEAM, officer(), D(2024, 7, 1), [Membership("CB-1", "lead", D(2024, 6, 1))])
    past = [Membership("CB-1", "lead", D(2024, 6, 1), D(2024, 8, 1), "left")]
    rt.check_join(TEAM, officer(), D(2024, 8, 1), past)  # rejoining is fine once the last membership ended
    with pytest.raises(ConflictError, match="previous membership"):
        rt.check_join(TEAM, officer(), D(2024, 7, 15), past)


def test_leaving_rules() -> None:
    m = Membership("CB-1", "lead", D(2024, 6, 1))
    assert rt.check_leave(m, "CB-1", D(2024, 6, 2)) is m
    with pytest.raises(NotFoundError, match="not an active member"):
        rt.check_leave(None, "CB-1", D(2024, 6, 2))
    with pytest.raises(ConflictError, match="must come after joining"):
        rt.check_leave(m, "CB-1", D(2024, 6, 1))


def test_a_departure_must_come_after_every_joining() -> None:
    rt.check_departure(D(2025, 1, 2), [("DUC-1", Membership("CB-1", "lead", D(2025, 1, 1)))])
    with pytest.raises(ConflictError, match="joined response team DUC-1"):
        rt.check_departure(D(2025, 1, 1), [("DUC-1", Membership("CB-1", "lead", D(2025, 1, 1)))])


def test_membership_counts_from_the_day_joined_up_to_the_day_left_in_the_province() -> None:
    m = Membership("A", "lead", D(2025, 3, 1), D(2025, 3, 2), "left")
    assert not m.member_at(at(1) - dt.timedelta(seconds=1))
    assert m.member_at(at(1)) and m.member_at(at(2) - dt.timedelta(seconds=1))
    assert not m.member_at(at(2))
    assert not m.active


# --- shifts ---


def test_shift_times_and_on_call_people() -> None:
    rt.check_shift_times(at(1), at(2))
    with pytest.raises(RuleViolationError, match="end after it starts"):
        rt.check_shift_times(at(2), at(2))
    rt.check_on_call(MEMBERS, at(1), "A", "B")
    rt.check_on_call(MEMBERS, at(1), "A", None)
    with pytest.raises(RuleViolationError, match="someone other"):
        rt.check_on_call(MEMBERS, at(1), "A", "A")
    with pytest.raises(RuleViolationError, match="primary Z is not an active member"):
        rt.check_on_call(MEMBERS, at(1), "Z", None)
    with pytest.raises(RuleViolationError, match="backup Z"):
        rt.check_on_call(MEMBERS, at(1), "A", "Z")
    gone = [Membership("A", "lead", D(2025, 1, 1), D(2025, 2, 1), "left"), MEMBERS[1]]
    with pytest.raises(RuleViolationError, match="not an active member"):
        rt.check_on_call(gone, at(1), "A", None)
    with pytest.raises(RuleViolationError, match="joined the team only on"):
        rt.check_on_call([Membership("A", "lead", D(2025, 3, 2))], at(1), "A", None)


def test_the_same_primary_may_not_be_on_call_twice_at_once() -> None:
    existing = [shift("1", at(1, 0), at(1, 12))]
    rt.check_no_overlap(shift("2", at(1, 12), at(2)), existing)  # adjacent
    rt.check_no_overlap(shift("2", at(1, 6), at(1, 18), "B"), existing)  # someone else
    rt.check_no_overlap(shift("1", at(1, 6), at(1, 18)), existing)  # itself (a reassignment)
    rt.check_no_overlap(shift("2", at(1, 6), at(1, 18)), [Shift("1", at(1), at(1, 12), "A", cancelled=True)])
    with pytest.raises(ConflictError, match="already primary on shift 1"):
        rt.check_no_overlap(shift("2", at(1, 11), at(1, 18)), existing)


def test_reassign_and_cancel_rules() -> None:
    s = shift("1", at(1), at(2), "A", "B")
    rt.check_reassign(s, "B", "A")
    with pytest.raises(RuleViolationError, match="already has"):
        rt.check_reassign(s, "A", "B")
    rt.check_cancel(s)
    gone = Shift("1", at(1), at(2), "A", "B", cancelled=True)
    with pytest.raises(ConflictError, match="cancelled"):
        rt.check_reassign(gone, "B", None)
    with pytest.raises(ConflictError, match="already cancelled"):
        rt.check_cancel(gone)


# --- incidents ---


def test_an_incident_is_acknowledged_by_members_then_resolved() -> None:
    reported = Incident("SC-1", at(1, 8))
    reported.check_acknowledge(at(1, 8), ["A", "B"], MEMBERS)
    with pytest.raises(ConflictError, match="before the incident was reported"):
        reported.check_acknowledge(at(1, 7), ["A"], MEMBERS)
    with pytest.raises(RuleViolationError, match="at least one"):
        reported.check_acknowledge(at(1, 9), [], MEMBERS)
    with pytest.raises(RuleViolationError, match="twice"):
        reported.check_acknowledge(at(1, 9), ["A", "A"], MEMBERS)
    with pytest.raises(RuleViolationError, match="responder Z"):
        reported.check_acknowledge(at(1, 9), ["A", "Z"], MEMBERS)
    with pytest.raises(ConflictError, match="must be acknowledged"):
        reported.check_resolve(at(1, 10))

    acknowledged = Incident("SC-1", at(1, 8), at(1, 9), ("A",))
    with pytest.raises(ConflictError, match="already acknowledged"):
        acknowledged.check_acknowledge(at(1, 10), ["A"], MEMBERS)
    acknowledged.check_resolve(at(1, 9))
    with pytest.raises(ConflictError, match="before the incident was acknowledged"):
        acknowledged.check_resolve(at(1, 8))

    resolved = Incident("SC-1", at(1, 8), at(1, 9), ("A",), at(1, 10), "false_positive")
    with pytest.raises(ConflictError, match="already resolved"):
        resolved.check_resolve(at(1, 11))


def test_an_incident_is_not_reported_before_the_team_was_formed() -> None:
    rt.check_report(TEAM, dt.datetime(2024, 5, 31, 17, tzinfo=UTC))  # 2024-06-01 00:00 in Hà Nội
    with pytest.raises(ConflictError, match="before the team was formed"):
        rt.check_report(TEAM, dt.datetime(2024, 5, 31, 16, 59, tzinfo=UTC))


def test_a_member_with_a_leaving_date_ahead_still_counts_until_then() -> None:
    import datetime as dt

    import pytest

    from cds_plumbing.clock import day_start
    from personnel.domain.errors import RuleViolationError
    from personnel.domain.response_teams import Membership, require_member

    leaving = Membership("o1", "analyst", dt.date(2024, 1, 10), left_on=dt.date(2025, 1, 1), left_reason="left")
    require_member([leaving], "o1", day_start(dt.date(2024, 12, 31)), "primary")  # still a member that day
    with pytest.raises(RuleViolationError, match="not an active member"):
        require_member([leaving], "o1", day_start(dt.date(2025, 1, 1)), "primary")
    with pytest.raises(RuleViolationError, match="joined the team only on"):
        require_member([leaving], "o1", day_start(dt.date(2024, 1, 1)), "primary")
