"""Vacancies: open until filled, cancelled or expired; hires fill them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cds_contracts.recruitment import PositionFunction

from .errors import ConflictError, RuleViolationError


@dataclass(frozen=True)
class Vacancy:
    vacancy_id: str
    unit_id: str
    function: PositionFunction
    positions: int
    opened_on: dt.date
    closes_on: dt.date | None
    status: str
    closed_on: dt.date | None
    policy_ids: tuple[str, ...]

    def require_open(self, action: str) -> None:
        if self.status != "open":
            raise ConflictError(f"vacancy {self.vacancy_id} is {self.status}: cannot {action}")

    def require_accepting(self, day: dt.date) -> None:
        """Applications are accepted while open, from opened_on up to closes_on inclusive."""
        self.require_open("apply")
        if day < self.opened_on:
            raise ConflictError(f"vacancy {self.vacancy_id} opens for applications on {self.opened_on}")
        if self.closes_on is not None and day > self.closes_on:
            raise ConflictError(f"vacancy {self.vacancy_id} stopped taking applications on {self.closes_on}")

    def filled_by(self, hires: int) -> bool:
        return hires >= self.positions


def check_dates(opened_on: dt.date, closes_on: dt.date | None) -> None:
    if closes_on is not None and closes_on < opened_on:
        raise RuleViolationError(f"closes_on {closes_on} is before opened_on {opened_on}")


def check_close(vacancy: Vacancy, outcome: str, day: dt.date) -> None:
    vacancy.require_open("close it")
    if day < vacancy.opened_on:
        raise RuleViolationError(f"closed_on {day} is before the vacancy opened ({vacancy.opened_on})")
    if outcome == "expired" and (vacancy.closes_on is None or day <= vacancy.closes_on):
        raise RuleViolationError(
            f"vacancy {vacancy.vacancy_id} can expire only after its closing date ({vacancy.closes_on or 'none set'})"
        )


def check_hires_left(vacancy: Vacancy, hires: int) -> None:
    if hires >= vacancy.positions:
        raise ConflictError(
            f"vacancy {vacancy.vacancy_id} already has {hires} hire(s) for {vacancy.positions} position(s)"
        )
