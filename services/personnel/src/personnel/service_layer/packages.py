"""Province packages: a whole organisation's data set (org tree with dates, officers, community teams and
their members, response teams and their members) taken in one all-or-nothing operation.

1. `read` (CPU, off the event loop): the package's files (package_files.py), then every row of every
   file validated on its own, exactly as the per-kind import does (imports.validate_rows).
2. `check`: the rows against each other and the database through the domain's rules (import_checks.py),
   kind by kind in FILES order, each kind seeing the rows of the kinds before it (`Known`).
3. `run` (in the background, after the route answered 202): `check` again inside the one transaction that
   writes (the database may have changed since the route's check), then every kind in chunks through the
   bulk writers, the events through the outbox, progress on the import record between chunks, and
   'succeeded' on the record in the same transaction. Any error rolls everything back and the record
   says 'failed' with the reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from cds_contracts import Event
from cds_contracts.personnel_response_teams import ResponseTeamFormed, ResponseTeamMemberJoined
from personnel.adapters import package_imports_repo as records
from personnel.adapters.statistics import refresh_statistics
from personnel.domain.response_teams import Membership, ResponseTeam

from .commands import FormResponseTeam, RegisterUnit
from .import_checks import (
    Known,
    ResponseMemberRow,
    RowError,
    check_members,
    check_officers,
    check_response_members,
    check_response_teams,
    check_teams,
    check_units,
)
from .imports import insert_members, insert_officers, insert_teams, insert_units, validate_rows
from .officer_handlers import officer_from
from .package_files import FILES, Limits, PackageRejectedError, read_package
from .response_team_handlers import new_team_id
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
CHUNK = 2_000  # rows per bulk statement: bounds each statement's time and spaces the progress updates
EVENTS_PER_ROW = {kind: 2 if kind == "officers" else 1 for kind in FILES}  # an officer: profile + appointment
Progress = Callable[[str, int], Awaitable[None]]


@dataclass(frozen=True)
class Package:
    file_name: str
    sha256: str
    size_bytes: int
    files: dict[str, str]  # kind → the file its rows came from
    counts: dict[str, int]  # kind → rows sent
    rows: dict[str, list[tuple[int, Any]]]  # kind → (row, validated command) of the rows that passed
    errors: list[RowError]  # rows that failed validation on their own

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def events(self) -> int:
        return sum(n * EVENTS_PER_ROW[kind] for kind, n in self.counts.items())


def read(data: bytes, file_name: str, limits: Limits) -> Package:
    found = read_package(data, file_name, limits)
    rows: dict[str, list[tuple[int, Any]]] = {}
    errors: list[RowError] = []
    for kind, (file, raw) in found.items():
        rows[kind], bad = validate_rows(kind, raw)
        errors += [dataclasses.replace(e, file=file) for e in bad]
    return Package(
        file_name,
        hashlib.sha256(data).hexdigest(),
        len(data),
        files={kind: file for kind, (file, _) in found.items()},
        counts={kind: len(raw) for kind, (_, raw) in found.items()},
        rows=rows,
        errors=errors,
    )


async def check(uow: UnitOfWork, package: Package) -> tuple[list[RegisterUnit], list[RowError]]:
    """Every cross-row and database error of the package, with its file; and the units parents-first."""
    known = Known()
    rows = package.rows
    errors: dict[str, list[RowError]] = {}
    ordered, errors["units"] = await check_units(uow, rows.get("units", []), known)
    errors["officers"] = await check_officers(uow, rows.get("officers", []), known)
    known.officers = {c.officer_id: officer_from(c, c.officer_id) for _, c in rows.get("officers", []) if c.officer_id}
    errors["teams"] = await check_teams(uow, rows.get("teams", []), known)
    errors["members"] = await check_members(uow, rows.get("members", []), known)
    teams, errors["response_teams"] = await check_response_teams(uow, rows.get("response_teams", []), known)
    errors["response_members"] = await check_response_members(uow, rows.get("response_members", []), teams, known)
    found = [dataclasses.replace(e, file=package.files.get(kind)) for kind, errs in errors.items() for e in errs]
    return ordered, found


def sort_errors(errors: list[RowError]) -> list[RowError]:
    order = {file: i for i, file in enumerate(FILES.values())}
    return sorted(errors, key=lambda e: (order.get(e.file or "", -1), e.file or "", e.row))


async def insert_response_teams(uow: UnitOfWork, rows: Sequence[FormResponseTeam]) -> None:
    events: list[Event] = []
    for c in rows:
        team = ResponseTeam(c.team_id or new_team_id(), c.name, c.scope, c.unit_id, c.formed_on)
        await uow.response_teams.insert(team)
        events.append(
            ResponseTeamFormed(
                team_id=team.team_id, name=team.name, scope=c.scope, unit_id=team.unit_id, formed_on=team.formed_on
            )
        )
    await uow.publish_many(events)


async def insert_response_members(uow: UnitOfWork, rows: Sequence[ResponseMemberRow]) -> None:
    for c in rows:
        await uow.response_teams.add_member(c.team_id, Membership(c.officer_id, c.role, c.joined_on))
    await uow.publish_many(
        [
            ResponseTeamMemberJoined(team_id=c.team_id, officer_id=c.officer_id, role=c.role, joined_on=c.joined_on)
            for c in rows
        ]
    )


WRITERS: dict[str, Callable[[UnitOfWork, Any], Awaitable[None]]] = {
    "units": insert_units,
    "officers": insert_officers,
    "teams": insert_teams,
    "members": insert_members,
    "response_teams": insert_response_teams,
    "response_members": insert_response_members,
}


async def write(uow: UnitOfWork, package: Package, ordered_units: list[RegisterUnit], progress: Progress) -> None:
    done = 0
    for kind, rows in package.rows.items():
        items = ordered_units if kind == "units" else [c for _, c in rows]
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            await WRITERS[kind](uow, chunk)
            done += len(chunk)
            await progress(f"writing {kind}", done)
    await refresh_statistics(uow.conn, package.rows)


class StoppingError(Exception):
    """The service is shutting down: the import gives up between two chunks (and rolls back)."""


async def run(pool: asyncpg.Pool, stop: asyncio.Event, import_id: UUID, package: Package, actor: str | None) -> None:
    """Write the package (a background task). Its events carry the import id as their correlation id."""

    async def progress(phase: str, done: int) -> None:
        if stop.is_set():
            raise StoppingError("the service stopped during the import; nothing of it was written")
        async with pool.acquire() as conn:
            await records.progress(conn, import_id, phase, done)

    # The run is alive while this connection holds its lock: killed, the record is failed on the next read.
    async with pool.acquire() as alive:
        await records.hold(alive, import_id)
        try:
            await _run(pool, stop, import_id, package, actor, progress)
        finally:
            await records.release(alive, import_id)


async def _run(
    pool: asyncpg.Pool, stop: asyncio.Event, import_id: UUID, package: Package, actor: str | None, progress: Progress
) -> None:
    if not await _committed(pool, stop, import_id):
        log.warning("package %s: its record never committed (the request was rolled back); not imported", import_id)
        return
    try:
        await progress("checking", 0)
        async with UnitOfWork(pool, actor, correlation_id=import_id) as uow:
            ordered, errors = await check(uow, package)
            if errors:
                raise PackageRejectedError(sort_errors(errors), package.total)
            await write(uow, package, ordered, progress)
            await records.succeed(uow.conn, import_id)
        log.info("package %s imported: %s", import_id, package.counts)
    except (Exception, asyncio.CancelledError) as exc:
        if isinstance(exc, PackageRejectedError | StoppingError):
            reason = str(exc)
        elif isinstance(exc, asyncpg.UniqueViolationError):  # another import or command took a code meanwhile
            reason = f"a code of the package was taken meanwhile ({exc.detail or exc}); nothing was written"
        else:
            reason = _unexpected(exc)
        if isinstance(exc, PackageRejectedError):
            reason += ": " + "; ".join(f"{e.file} row {e.row} {e.field or ''}: {e.message}" for e in exc.errors[:20])
        try:
            async with pool.acquire() as conn:
                await records.fail(conn, import_id, reason)
        finally:
            if isinstance(exc, asyncio.CancelledError):
                raise


async def _committed(pool: asyncpg.Pool, stop: asyncio.Event, import_id: UUID, timeout_s: float = 60) -> bool:
    """Wait until the import record is visible: a keyed request commits it with its stored answer just after
    the route returned, and rolls it back when a concurrent request with the same key won."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        async with pool.acquire() as conn:
            if await records.get(conn, import_id) is not None:
                return True
        if stop.is_set() or asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)


def _unexpected(exc: BaseException) -> str:
    """The record says what kind of failure it was; the details (which may quote rows) go to the log only."""
    log.error("package import failed", exc_info=exc)
    return f"the import failed ({type(exc).__name__}); nothing of it was written; see the service log"
