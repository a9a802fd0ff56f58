"""Community technology teams (tổ Công nghệ cộng đồng) and their members."""

from __future__ import annotations

import datetime as dt

from .errors import ConflictError, RuleViolationError
from .units import UnitVersion


def check_commune(version: UnitVersion) -> None:
    if version.level != "commune":
        raise RuleViolationError(f"{version.unit_id} is a {version.level}-level unit; teams belong to communes")


def check_join(established_on: dt.date, joined_on: dt.date, already_member: bool, member_id: str) -> None:
    if already_member:
        raise ConflictError(f"{member_id} is already a member of this team")
    if joined_on < established_on:
        raise ConflictError(f"joined on {joined_on}, before the team was established ({established_on})")


def check_leave(joined_on: dt.date, left_on: dt.date | None, leaving_on: dt.date) -> None:
    if left_on is not None:
        raise ConflictError(f"the member already left on {left_on}")
    if leaving_on <= joined_on:
        raise ConflictError(f"leaving on {leaving_on} must come after joining ({joined_on})")
