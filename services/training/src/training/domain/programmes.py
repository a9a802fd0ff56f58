"""The programme catalogue: what a programme is, whether it counts as advanced, and certificate validity."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from cds_contracts.training import ProgrammeKind

from .errors import RuleViolationError


@dataclass(frozen=True)
class Programme:
    programme_id: str
    name_vi: str
    name_en: str | None
    kind: ProgrammeKind
    level: str
    hours: float
    provider: str
    issues_certificate: bool
    certificate_validity_months: int | None

    @property
    def advanced(self) -> bool:
        return is_advanced(self.kind, self.level)

    def certificate_for(self, passed: bool, completed_on: dt.date) -> tuple[dt.date, dt.date | None] | None:
        """(issued_on, expires_on) of the certificate a result earns, or None when it earns none."""
        if not (passed and self.issues_certificate):
            return None
        return completed_on, certificate_expiry(completed_on, self.certificate_validity_months)


def is_advanced(kind: str, level: str) -> bool:
    """Counts towards the plan's advanced classes: an advanced-IT programme, or any programme of level advanced."""
    return kind == "advanced_it" or level == "advanced"


def check_certificate_terms(issues_certificate: bool, validity_months: int | None) -> None:
    if validity_months is not None and not issues_certificate:
        raise RuleViolationError("certificate_validity_months is set but the programme issues no certificate")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def certificate_expiry(issued_on: dt.date, validity_months: int | None) -> dt.date | None:
    return None if validity_months is None else add_months(issued_on, validity_months)
