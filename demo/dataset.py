"""The demo data set: the request bodies of every HTTP call, in load order, and the expected figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Service = Literal["personnel", "training", "recruitment"]
Row = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request to a service's public API; `body` is the JSON body as the service's command expects it."""

    service: Service
    path: str
    body: Row
    method: Literal["POST", "PUT"] = "POST"
    phase: str = ""  # consecutive calls of one named phase are independent: the loader sends them together


@dataclass(frozen=True)
class Finding:
    """A drill finding (training generates its id), closed on `closed_on` when given."""

    drill_id: str
    body: Row
    closed_on: str | None = None


@dataclass(frozen=True)
class Application:
    """A candidate's way through a vacancy's pipeline (recruitment generates the application id).

    `stages` are the moves after `applied`, in order; the last may be `rejected` or `declined` (with
    `reason`). With `hire`, the accepted application is then hired with that body."""

    vacancy_id: str
    candidate: Row
    stages: tuple[str, ...]
    reason: str | None = None
    hire: Row | None = None


@dataclass
class DataSet:
    """Everything the loader sends, step by step, and the totals reporting must then show (`expected`)."""

    seed: int
    scale: float
    prefix: str
    today: dt.date
    root_id: str
    successor_id: str
    response_team_id: str
    units: list[Row] = field(default_factory=list)  # personnel import rows (JSON Lines)
    officers: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)
    personnel: list[Call] = field(default_factory=list)  # qualifications, the incident-response team
    departures: list[Call] = field(default_factory=list)
    training: list[Call] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    recruitment: list[Call] = field(default_factory=list)  # policy, staffing plans, vacancies
    applications: list[Application] = field(default_factory=list)
    exit_interviews: list[Call] = field(default_factory=list)
    reorganisation: list[Call] = field(default_factory=list)
    coverage_exceptions: list[Row] = field(default_factory=list)  # agencies deliberately left non-compliant
    notes: list[str] = field(default_factory=list)
    former_roots: list[str] = field(default_factory=list)  # SYNTHETIC former provinces merged with Vĩnh Phúc
    expected: dict[str, Any] = field(default_factory=dict)

    @property
    def reorganisation_day(self) -> dt.date:
        return REORGANISATION_DAY


FIGURES_DAY = dt.date(2024, 12, 31)
REORGANISATION_DAY = dt.date(2025, 7, 1)
