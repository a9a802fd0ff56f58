"""Bulk import of units, officers, teams and members from CSV or JSON Lines.

All rows are validated first (each row on its own, then against the file and the database, through the
domain's rules: import_checks.py); any error rejects the whole file with every row's errors listed, and
nothing is written. A valid file is written with bulk statements, and its events go through the outbox in
the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from cds_contracts import Event
from cds_contracts.personnel_org_units import OrgUnitRegistered
from cds_contracts.personnel_teams import CommunityTeamEstablished, CommunityTeamMemberJoined
from personnel.adapters.statistics import refresh_statistics
from personnel.domain.errors import DomainError
from personnel.domain.officers import Officer
from personnel.domain.vocabulary import code_for, field_for

from .commands import AppointOfficer, EstablishTeam, FormResponseTeam, RegisterUnit
from .import_checks import (
    MemberRow,
    ResponseMemberRow,
    RowError,
    check_members,
    check_officers,
    check_teams,
    check_units,
    pending_unit,
)
from .officer_handlers import appointed_event, new_officer_id, officer_from, profile_event
from .team_handlers import new_member_id, new_team_id
from .unit_of_work import UnitOfWork

Kind = Literal["units", "officers", "teams", "members"]
Format = Literal["csv", "jsonl"]
MAX_ROWS = 50_000


MODELS: dict[str, type[BaseModel]] = {
    "units": RegisterUnit,
    "officers": AppointOfficer,
    "teams": EstablishTeam,
    "members": MemberRow,
    # only in a province package (packages.py)
    "response_teams": FormResponseTeam,
    "response_members": ResponseMemberRow,
}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ImportRejectedError(DomainError):
    def __init__(self, errors: list[RowError], rows: int) -> None:
        super().__init__(f"{len(errors)} error(s) in {rows} row(s); nothing was imported")
        self.errors = errors
        self.rows = rows


def parse(text: str, fmt: Format) -> list[tuple[int, dict[str, Any]]]:
    """(row number as the user sees it, raw record) pairs. A file the parsers cannot read is rejected
    with the line where they stopped (a cell over csv's 128 KiB limit, a JSON line nested too deeply)."""
    text = text.lstrip("\ufeff")
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        try:
            return [(i + 2, dict(r)) for i, r in enumerate(reader)]  # line 1 is the header
        except csv.Error as exc:
            raise ImportRejectedError([RowError(reader.line_num, None, f"not readable as CSV: {exc}")], 0) from exc
    rows = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportRejectedError([RowError(i, None, f"not valid JSON: {exc.msg}")], i) from exc
        except (RecursionError, ValueError) as exc:  # nesting past the parser's depth, a number too long
            raise ImportRejectedError([RowError(i, None, f"not readable as JSON: {type(exc).__name__}")], i) from exc
        if not isinstance(value, dict):
            raise ImportRejectedError([RowError(i, None, "each line must be a JSON object")], i)
        rows.append((i, value))
    return rows


def _translate(kind: str, raw: dict[str, Any], fields: set[str]) -> tuple[dict[str, Any], list[str | None]]:
    """The row by field, and its unknown headers (None: values beyond the header's columns, which csv keys
    under None)."""
    out: dict[str, Any] = {}
    unknown: list[str | None] = []
    for header, value in raw.items():
        field = None if header is None else field_for(kind, str(header), fields)
        if field is None:
            unknown.append(None if header is None else str(header))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            if field == "functions":
                value = [code_for(field, v) for v in re.split(r"[;,|]", value) if v.strip()]
            else:
                value = code_for(field, value)
                if m := _DMY.match(value):
                    value = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
        out[field] = value
    return out, unknown


def validate_rows(kind: str, rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[int, Any]], list[RowError]]:
    model = MODELS[kind]
    fields = set(model.model_fields)
    good: list[tuple[int, Any]] = []
    errors: list[RowError] = []
    for row, raw in rows:
        data, unknown = _translate(kind, raw, fields)
        errors += [
            RowError(row, h, "unknown column" if h else "more values than the header has columns") for h in unknown
        ]
        try:
            # a CSV cell is text: numbers may come as "1985" here, unlike in a JSON request body
            good.append((row, model.model_validate(data, strict=False)))
        except ValidationError as exc:
            errors += [RowError(row, ".".join(str(p) for p in e["loc"]) or None, e["msg"]) for e in exc.errors()]
    return good, errors


def read_rows(kind: Kind, text: str, fmt: Format) -> tuple[int, list[tuple[int, Any]]]:
    """Parse and validate every row (CPU only: the route runs it in a thread, off the event loop)."""
    rows = parse(text, fmt)
    if not rows:
        raise ImportRejectedError([RowError(0, None, "the file has no data rows")], 0)
    if len(rows) > MAX_ROWS:
        raise ImportRejectedError([RowError(0, None, f"at most {MAX_ROWS} rows per import")], len(rows))
    good, errors = validate_rows(kind, rows)
    if errors:
        raise ImportRejectedError(sorted(errors, key=lambda e: e.row), len(rows))
    return len(rows), good


async def write_rows(uow: UnitOfWork, kind: Kind, count: int, good: list[tuple[int, Any]]) -> int:
    """Check rows already validated by read_rows against the file and the database, then write them."""
    errors = await _check_and_write(uow, kind, good)
    if errors:
        raise ImportRejectedError(sorted(errors, key=lambda e: e.row), count)
    await refresh_statistics(uow.conn, [kind])
    return count


async def _check_and_write(uow: UnitOfWork, kind: Kind, good: list[tuple[int, Any]]) -> list[RowError]:
    rows = [c for _, c in good]
    if kind == "units":
        ordered, errors = await check_units(uow, good)
        if not errors:
            await insert_units(uow, ordered)
    elif kind == "officers":
        if not (errors := await check_officers(uow, good)):
            await insert_officers(uow, rows)
    elif kind == "teams":
        if not (errors := await check_teams(uow, good)):
            await insert_teams(uow, rows)
    elif not (errors := await check_members(uow, good)):
        await insert_members(uow, rows)
    return errors


# Writers of checked rows: bulk statements, and the events through the outbox in the same transaction.
# A province package calls them too, chunk by chunk (packages.py).


async def insert_units(uow: UnitOfWork, ordered: list[RegisterUnit]) -> None:
    """`ordered` parents first (check_units' order)."""
    await uow.units.insert_many([pending_unit(c).latest for c in ordered])
    await uow.publish_many([OrgUnitRegistered(**c.model_dump()) for c in ordered])


async def insert_officers(uow: UnitOfWork, rows: list[AppointOfficer]) -> None:
    officers: list[Officer] = [officer_from(c, c.officer_id or new_officer_id()) for c in rows]
    await uow.officers.insert_many(officers)
    await uow.publish_many([e for o in officers for e in (profile_event(o), appointed_event(o))])


async def insert_teams(uow: UnitOfWork, rows: list[EstablishTeam]) -> None:
    teams = [(c.team_id or new_team_id(), c.commune_id, c.village, c.established_on) for c in rows]
    await uow.teams.insert_many(teams)
    events: list[Event] = [
        CommunityTeamEstablished(team_id=t, commune_id=c, village=v, established_on=d) for t, c, v, d in teams
    ]
    await uow.publish_many(events)


async def insert_members(uow: UnitOfWork, rows: list[MemberRow]) -> None:
    members: list[tuple[str, str, str, str, str, dt.date]] = [
        (c.team_id, c.member_id or new_member_id(), c.full_name, c.affiliation, c.role, c.joined_on) for c in rows
    ]
    await uow.teams.add_members(members)
    events: list[Event] = [
        CommunityTeamMemberJoined(team_id=t, member_id=m, affiliation=a, role=r, joined_on=j)
        for t, m, _, a, r, j in members
    ]
    await uow.publish_many(events)
