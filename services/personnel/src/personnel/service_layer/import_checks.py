"""Checks of validated import rows against each other and the database, stated through the domain's rules.

A bulk import does not restate what a unit, a team or a membership must satisfy: it asks the same rules
the single commands ask (`domain/units.py`, `domain/teams.py`, `domain/response_teams.py`) and turns each
refusal into an error on its row. `Known` holds what the same batch adds before it is written (a province
package's units, teams and officers), so a row may rest on another row of the package as on a stored one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cds_contracts.bounds import Id
from personnel.domain import response_teams as response_rules
from personnel.domain import teams as team_rules
from personnel.domain import units as unit_rules
from personnel.domain.errors import ConflictError, DomainError
from personnel.domain.officers import Officer
from personnel.domain.response_teams import ResponseTeam
from personnel.domain.units import Unit, UnitVersion

from .commands import (
    AddResponseTeamMember,
    AddTeamMember,
    AppointOfficer,
    EstablishTeam,
    FormResponseTeam,
    RegisterUnit,
)
from .unit_of_work import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    message: str
    file: str | None = None  # set by a province package, whose rows come from several files


@dataclass
class Known:
    """Units, community teams (id → established_on) and officers the batch itself adds."""

    units: dict[str, Unit] = field(default_factory=dict)
    teams: dict[str, dt.date] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)


class MemberRow(AddTeamMember):
    """A community-team member row names its team (the per-kind route takes it from the file too)."""

    team_id: Id


class ResponseMemberRow(AddResponseTeamMember):
    team_id: Id


def pending_unit(c: RegisterUnit) -> Unit:
    """The unit a registration row will create, as the domain sees a stored one."""
    version = UnitVersion(c.unit_id, c.valid_from, None, c.name_vi, c.name_en, c.kind, c.level, c.parent_id)
    return Unit(c.unit_id, c.valid_from, None, (version,))


def _rule(errors: list[RowError], row: int, what: str | None, check: Callable[..., T], *args: Any) -> T | None:
    """Run one domain rule; a refusal becomes the row's error (the domain's own message)."""
    try:
        return check(*args)
    except DomainError as exc:
        errors.append(RowError(row, what, str(exc)))
        return None


def _active(units: Mapping[str, Unit], unit_id: str, day: dt.date, role: str) -> UnitVersion:
    unit = units.get(unit_id)
    if unit is None:
        raise ConflictError(f"{role} {unit_id} does not exist on {day}")
    return unit.require_active(day, role)


def duplicates(rows: Iterable[tuple[int, str | None]], what: str) -> list[RowError]:
    seen: dict[str, int] = {}
    errors = []
    for row, key in rows:
        if key is None:
            continue
        if key in seen:
            errors.append(RowError(row, what, f"{key} already appears on row {seen[key]}"))
        seen.setdefault(key, row)
    return errors


async def units_by_id(uow: UnitOfWork, unit_ids: Iterable[str], known: Known) -> dict[str, Unit]:
    """The units named, from the batch first, then the database (units unknown to both are absent)."""
    out: dict[str, Unit] = {}
    for unit_id in set(unit_ids):
        unit = known.units.get(unit_id) or await uow.units.get(unit_id)
        if unit is not None:
            out[unit_id] = unit
    return out


async def check_units(
    uow: UnitOfWork, rows: list[tuple[int, RegisterUnit]], known: Known | None = None
) -> tuple[list[RegisterUnit], list[RowError]]:
    """Errors of unit rows, and the rows parents-first (so each parent exists when a child is inserted)."""
    known = known or Known()
    errors = duplicates(((r, c.unit_id) for r, c in rows), "unit_id")
    taken = await uow.units.existing_ids([c.unit_id for _, c in rows])
    errors += [RowError(r, "unit_id", f"unit code {c.unit_id} is already used") for r, c in rows if c.unit_id in taken]
    in_file = {c.unit_id: pending_unit(c) for _, c in rows}
    stored = await units_by_id(uow, {c.parent_id for _, c in rows if c.parent_id and c.parent_id not in in_file}, known)
    parents = {**stored, **in_file}
    for row, c in rows:
        if c.parent_id is None:
            continue
        parent = _rule(errors, row, "parent_id", _active, parents, c.parent_id, c.valid_from, "parent")
        if parent is not None:
            _rule(errors, row, "level", unit_rules.check_parent_level, c.level, parent)
    ordered: list[RegisterUnit] = []
    placed: set[str] = set()
    pending = [c for _, c in rows]
    while pending and not errors:
        ready = [c for c in pending if c.parent_id is None or c.parent_id not in in_file or c.parent_id in placed]
        if not ready:  # every row left rests on a cycle of parent links: each is named, with the units left
            left = ", ".join(sorted(c.unit_id for c in pending))
            row_of = {c.unit_id: r for r, c in rows}
            message = f"the parent links in the file form a cycle (among {left})"
            errors += [RowError(row_of[c.unit_id], "parent_id", message) for c in pending]
            break
        ordered += ready
        placed |= {c.unit_id for c in ready}
        pending = [c for c in pending if c.unit_id not in placed]
    known.units.update(in_file)
    return ordered, errors


async def check_officers(
    uow: UnitOfWork, rows: list[tuple[int, AppointOfficer]], known: Known | None = None
) -> list[RowError]:
    known = known or Known()
    errors = duplicates(((r, c.officer_id) for r, c in rows), "officer_id")
    given = [c.officer_id for _, c in rows if c.officer_id]
    taken = await uow.officers.existing_ids(given) if given else set()
    errors += [
        RowError(r, "officer_id", f"officer id {c.officer_id} is already used")
        for r, c in rows
        if c.officer_id in taken
    ]
    units = await units_by_id(uow, (c.unit_id for _, c in rows), known)
    for r, c in rows:
        _rule(errors, r, "unit_id", _active, units, c.unit_id, c.effective_date, "unit")
    return errors


async def check_teams(
    uow: UnitOfWork, rows: list[tuple[int, EstablishTeam]], known: Known | None = None
) -> list[RowError]:
    known = known or Known()
    errors = duplicates(((r, c.team_id) for r, c in rows), "team_id")
    given = [c.team_id for _, c in rows if c.team_id]
    taken = await uow.teams.existing_ids(given) if given else set()
    errors += [RowError(r, "team_id", f"team id {c.team_id} is already used") for r, c in rows if c.team_id in taken]
    units = await units_by_id(uow, (c.commune_id for _, c in rows), known)
    for r, c in rows:
        version = _rule(errors, r, "commune_id", _active, units, c.commune_id, c.established_on, "unit")
        if version is not None:
            _rule(errors, r, "commune_id", team_rules.check_commune, version)
    known.teams.update({c.team_id: c.established_on for _, c in rows if c.team_id})
    return errors


async def check_members(
    uow: UnitOfWork, rows: list[tuple[int, MemberRow]], known: Known | None = None
) -> list[RowError]:
    known = known or Known()
    errors = duplicates(((r, f"{c.team_id}/{c.member_id}" if c.member_id else None) for r, c in rows), "member_id")
    established: dict[str, dt.date] = {}
    for team_id in {c.team_id for _, c in rows}:
        stored = await uow.teams.get(team_id) if team_id not in known.teams else None
        day = known.teams.get(team_id) or (stored["established_on"] if stored else None)
        if day is not None:
            established[team_id] = day
    pairs = [(c.team_id, c.member_id) for _, c in rows if c.member_id]
    taken = await uow.teams.existing_members(pairs) if pairs else set()
    for r, c in rows:
        if c.team_id not in established:
            errors.append(RowError(r, "team_id", f"community team {c.team_id} does not exist"))
            continue
        already = bool(c.member_id) and (c.team_id, c.member_id) in taken
        _rule(
            errors,
            r,
            "member_id" if already else "joined_on",
            team_rules.check_join,
            established[c.team_id],
            c.joined_on,
            already,
            c.member_id or "",
        )
    return errors


async def check_response_teams(
    uow: UnitOfWork, rows: list[tuple[int, FormResponseTeam]], known: Known
) -> tuple[dict[str, ResponseTeam], list[RowError]]:
    """Errors of response-team rows; the teams with a code, for their members' rows to rest on."""
    errors = duplicates(((r, c.team_id) for r, c in rows), "team_id")
    for r, c in rows:
        if c.team_id and await uow.response_teams.exists(c.team_id):
            errors.append(RowError(r, "team_id", f"team id {c.team_id} is already used"))
    units = await units_by_id(uow, (c.unit_id for _, c in rows), known)
    provincial = await uow.response_teams.provincial_team()
    for r, c in rows:
        _rule(errors, r, "unit_id", _active, units, c.unit_id, c.formed_on, "unit")
        _rule(errors, r, "scope", response_rules.check_formation, c.scope, provincial)
        if c.scope == "provincial":
            provincial = provincial or c.team_id or f"row {r}"  # a second provincial row is refused too
    teams = {c.team_id: ResponseTeam(c.team_id, c.name, c.scope, c.unit_id, c.formed_on) for _, c in rows if c.team_id}
    return teams, errors


async def check_response_members(
    uow: UnitOfWork, rows: list[tuple[int, ResponseMemberRow]], teams: Mapping[str, ResponseTeam], known: Known
) -> list[RowError]:
    errors = duplicates(((r, f"{c.team_id}/{c.officer_id}") for r, c in rows), "officer_id")
    for r, c in rows:
        team = teams.get(c.team_id) or await uow.response_teams.get(c.team_id)
        officer = known.officers.get(c.officer_id) or await uow.officers.get(c.officer_id)
        if team is None:
            errors.append(RowError(r, "team_id", f"response team {c.team_id} does not exist"))
        if officer is None:
            errors.append(RowError(r, "officer_id", f"officer {c.officer_id} does not exist"))
        if team is None or officer is None:
            continue
        history = [] if c.team_id in teams else await uow.response_teams.memberships(c.team_id, c.officer_id)
        _rule(errors, r, "joined_on", response_rules.check_join, team, officer, c.joined_on, history)
    return errors
