"""Incident-response teams (đội ứng cứu sự cố an toàn thông tin mạng): membership, on-call rotation,
coverage and incidents.

Membership is dated like everything else in personnel: a member counts from `joined_on` up to the day
before `left_on` (`left_on` is the first day they no longer count). On-call shifts are instants
(`starts_at` inclusive, `ends_at` exclusive); a day starts at 00:00 in the province (Asia/Ho_Chi_Minh),
so a primary who left on day d covers nothing from d 00:00 on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cds_plumbing.clock import day_start, province_day

from .errors import ConflictError, NotFoundError, RuleViolationError
from .officers import Officer

ROLES = ("lead", "coordinator", "analyst", "network_admin", "liaison")


@dataclass(frozen=True)
class Span:
    """A half-open interval of time [start, end)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def clip(self, start: dt.datetime, end: dt.datetime | None) -> Span | None:
        """The part of this span inside [start, end) (end None = unbounded), or None when empty."""
        lo = max(self.start, start)
        hi = self.end if end is None else min(self.end, end)
        return Span(lo, hi) if lo < hi else None


@dataclass(frozen=True)
class ResponseTeam:
    team_id: str
    name: str
    scope: str
    unit_id: str
    formed_on: dt.date


@dataclass(frozen=True)
class Membership:
    officer_id: str
    role: str
    joined_on: dt.date
    left_on: dt.date | None = None
    left_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.left_on is None

    @property
    def starts(self) -> dt.datetime:
        return day_start(self.joined_on)

    @property
    def ends(self) -> dt.datetime | None:
        return None if self.left_on is None else day_start(self.left_on)

    def member_at(self, at: dt.datetime) -> bool:
        return self.starts <= at and (self.ends is None or at < self.ends)


@dataclass(frozen=True)
class Shift:
    shift_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    primary_officer_id: str
    backup_officer_id: str | None = None
    cancelled: bool = False

    @property
    def span(self) -> Span:
        return Span(self.starts_at, self.ends_at)

    def overlaps(self, other: Shift) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class Incident:
    incident_id: str
    reported_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    responder_ids: tuple[str, ...] = ()
    resolved_at: dt.datetime | None = None
    outcome: str | None = None

    def check_acknowledge(self, at: dt.datetime, responder_ids: Sequence[str], members: Sequence[Membership]) -> None:
        if self.resolved_at is not None:
            raise ConflictError(f"incident {self.incident_id} was resolved at {self.resolved_at}")
        if self.acknowledged_at is not None:
            raise ConflictError(f"incident {self.incident_id} was already acknowledged at {self.acknowledged_at}")
        if at < self.reported_at:
            raise ConflictError(f"acknowledged at {at}, before the incident was reported ({self.reported_at})")
        if not responder_ids:
            raise RuleViolationError("an acknowledgement names at least one responder")
        if len(set(responder_ids)) != len(responder_ids):
            raise RuleViolationError("a responder is listed twice")
        for officer_id in responder_ids:
            require_member(members, officer_id, at, "responder")

    def check_resolve(self, at: dt.datetime) -> None:
        if self.resolved_at is not None:
            raise ConflictError(f"incident {self.incident_id} was already resolved at {self.resolved_at}")
        if self.acknowledged_at is None:
            raise ConflictError(f"incident {self.incident_id} must be acknowledged before it is resolved")
        if at < self.acknowledged_at:
            raise ConflictError(f"resolved at {at}, before the incident was acknowledged ({self.acknowledged_at})")


# --- teams and membership -------------------------------------------------------------------------


def check_formation(scope: str, provincial_team_id: str | None) -> None:
    if scope == "provincial" and provincial_team_id is not None:
        raise ConflictError(f"the province already has its incident-response team ({provincial_team_id})")


def active_membership(members: Iterable[Membership], officer_id: str) -> Membership | None:
    return next((m for m in members if m.officer_id == officer_id and m.active), None)


def check_join(team: ResponseTeam, officer: Officer, joined_on: dt.date, history: Sequence[Membership]) -> None:
    """`history` holds the officer's memberships of this team, past and present."""
    officer.require_serving()
    if joined_on < team.formed_on:
        raise ConflictError(f"joined on {joined_on}, before the team was formed ({team.formed_on})")
    if joined_on < officer.appointed_on:
        raise ConflictError(f"joined on {joined_on}, before officer {officer.officer_id} was appointed")
    if active_membership(history, officer.officer_id) is not None:
        raise ConflictError(f"officer {officer.officer_id} is already a member of team {team.team_id}")
    last_left = max((m.left_on for m in history if m.left_on is not None), default=None)
    if last_left is not None and joined_on < last_left:
        raise ConflictError(f"joined on {joined_on}, before their previous membership ended ({last_left})")


def check_leave(membership: Membership | None, officer_id: str, leaving_on: dt.date) -> Membership:
    if membership is None:
        raise NotFoundError(f"officer {officer_id} is not an active member of this team")
    if leaving_on <= membership.joined_on:
        raise ConflictError(f"leaving on {leaving_on} must come after joining ({membership.joined_on})")
    return membership


def check_departure(day: dt.date, memberships: Iterable[tuple[str, Membership]]) -> None:
    """A departure closes every active membership on its date, so it must come after each joining."""
    for team_id, m in memberships:
        if day <= m.joined_on:
            raise ConflictError(
                f"departure on {day} must come after the officer joined response team {team_id} ({m.joined_on})"
            )


def require_member(members: Iterable[Membership], officer_id: str, at: dt.datetime, what: str) -> None:
    """422 unless the officer is a member at `at` (a leaving date still ahead does not count yet)."""
    mine = [m for m in members if m.officer_id == officer_id]
    if any(m.member_at(at) for m in mine):
        return
    current = next((m for m in mine if m.ends is None or at < m.ends), None)
    if current is not None and at < current.starts:
        raise RuleViolationError(f"{what} {officer_id} joined the team only on {current.joined_on}, after {at}")
    raise RuleViolationError(f"{what} {officer_id} is not an active member of this team at {at}")


# --- on-call rotation -----------------------------------------------------------------------------


def check_shift_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise RuleViolationError("shift times need a time zone")
    if ends_at <= starts_at:
        raise RuleViolationError(f"a shift must end after it starts ({starts_at} → {ends_at})")


def check_on_call(
    members: Sequence[Membership], starts_at: dt.datetime, primary_officer_id: str, backup_officer_id: str | None
) -> None:
    if backup_officer_id is not None and backup_officer_id == primary_officer_id:
        raise RuleViolationError("the backup must be someone other than the primary")
    require_member(members, primary_officer_id, starts_at, "primary")
    if backup_officer_id is not None:
        require_member(members, backup_officer_id, starts_at, "backup")


def check_no_overlap(shift: Shift, others: Iterable[Shift]) -> None:
    """The same primary may not be on call twice at once in a team (adjacent shifts are fine)."""
    for other in others:
        if (
            other.shift_id != shift.shift_id
            and not other.cancelled
            and other.primary_officer_id == shift.primary_officer_id
            and other.overlaps(shift)
        ):
            raise ConflictError(
                f"{shift.primary_officer_id} is already primary on shift {other.shift_id} "
                f"({other.starts_at} → {other.ends_at})"
            )


def check_reassign(shift: Shift, primary_officer_id: str, backup_officer_id: str | None) -> None:
    if shift.cancelled:
        raise ConflictError(f"shift {shift.shift_id} was cancelled")
    if (primary_officer_id, backup_officer_id) == (shift.primary_officer_id, shift.backup_officer_id):
        raise RuleViolationError("the shift already has this primary and backup")


def check_cancel(shift: Shift) -> None:
    if shift.cancelled:
        raise ConflictError(f"shift {shift.shift_id} was already cancelled")


def on_call_spans(shift: Shift, members: Iterable[Membership], officer_id: str) -> list[Span]:
    """The parts of a shift during which `officer_id` is a member of the team."""
    if shift.cancelled:
        return []
    spans = (shift.span.clip(m.starts, m.ends) for m in members if m.officer_id == officer_id)
    return [s for s in spans if s is not None]


@dataclass(frozen=True)
class ShiftStatus:
    """How a shift stands now: uncovered when its primary is not a member for all of it."""

    uncovered: bool
    backup_unfilled: bool


def shift_status(shift: Shift, members: Sequence[Membership]) -> ShiftStatus:
    covered = sum(s.seconds for s in on_call_spans(shift, members, shift.primary_officer_id))
    backed = (
        sum(s.seconds for s in on_call_spans(shift, members, shift.backup_officer_id))
        if shift.backup_officer_id is not None
        else 0.0
    )
    return ShiftStatus(uncovered=covered < shift.span.seconds, backup_unfilled=backed < shift.span.seconds)


# --- coverage -------------------------------------------------------------------------------------


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of spans as disjoint spans in time order; overlapping and adjacent spans merge."""
    merged: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and s.start <= merged[-1].end:
            if s.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, s.end)
        else:
            merged.append(s)
    return merged


@dataclass(frozen=True)
class Coverage:
    window: Span
    covered: tuple[Span, ...]
    gaps: tuple[Span, ...]

    @property
    def covered_seconds(self) -> float:
        return sum(s.seconds for s in self.covered)

    @property
    def total_seconds(self) -> float:
        return self.window.seconds

    @property
    def coverage_pct(self) -> float:
        return round(100 * self.covered_seconds / self.total_seconds, 2) if self.total_seconds else 0.0


def coverage(window: Span, shifts: Iterable[Shift], members: Sequence[Membership]) -> Coverage:
    """Which part of `window` has a primary on call who is still a member, and the exact gaps.

    Cancelled shifts cover nothing; a shift covers only while its primary is a member (from the day they
    left it no longer does); the union is clipped to the window, and gaps are the maximal uncovered spans.
    """
    if window.end <= window.start:
        raise RuleViolationError(f"the window must end after it starts ({window.start} → {window.end})")
    pieces = (p for s in shifts for p in on_call_spans(s, members, s.primary_officer_id))
    clipped = (p.clip(window.start, window.end) for p in pieces)
    covered = merge(p for p in clipped if p is not None)
    gaps: list[Span] = []
    cursor = window.start
    for s in covered:
        if cursor < s.start:
            gaps.append(Span(cursor, s.start))
        cursor = s.end
    if cursor < window.end:
        gaps.append(Span(cursor, window.end))
    return Coverage(window, tuple(covered), tuple(gaps))


# --- incidents ------------------------------------------------------------------------------------


def check_report(team: ResponseTeam, reported_at: dt.datetime) -> None:
    if province_day(reported_at) < team.formed_on:
        raise ConflictError(f"reported at {reported_at}, before the team was formed ({team.formed_on})")
