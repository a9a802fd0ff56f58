"""Handlers for org-unit commands, including reorganisations that carry officers, teams and sub-units."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from cds_contracts.personnel_officers import OfficerTransferred
from cds_contracts.personnel_org_units import (
    OrgUnitDissolved,
    OrgUnitMoved,
    OrgUnitRegistered,
    OrgUnitRenamed,
    OrgUnitsMerged,
    OrgUnitSplit,
)
from cds_contracts.personnel_response_teams import ResponseTeamMoved
from cds_contracts.personnel_teams import CommunityTeamMoved
from personnel.domain import units as rules
from personnel.domain.errors import ConflictError, NotFoundError
from personnel.domain.units import Unit, UnitVersion

from .commands import DissolveUnit, MergeUnits, MoveUnit, RegisterUnit, RenameUnit, SplitUnit
from .unit_of_work import UnitOfWork


async def load_unit(uow: UnitOfWork, unit_id: str, *, lock: bool = True) -> Unit:
    unit = await uow.units.get(unit_id, lock=lock)
    if unit is None:
        raise NotFoundError(f"unit {unit_id} does not exist")
    return unit


async def register_unit(uow: UnitOfWork, cmd: RegisterUnit) -> UnitVersion:
    if await uow.units.existing_ids([cmd.unit_id]):
        raise ConflictError(f"unit code {cmd.unit_id} is already used")
    parent = None
    if cmd.parent_id is not None:
        parent = (await load_unit(uow, cmd.parent_id, lock=False)).require_active(cmd.valid_from, "parent")
    rules.check_parent_level(cmd.level, parent)
    version = UnitVersion(
        cmd.unit_id, cmd.valid_from, None, cmd.name_vi, cmd.name_en, cmd.kind, cmd.level, cmd.parent_id
    )
    await uow.units.insert(version)
    await uow.publish(OrgUnitRegistered(**cmd.model_dump()))
    return version


async def rename_unit(uow: UnitOfWork, unit_id: str, cmd: RenameUnit) -> UnitVersion:
    unit = await load_unit(uow, unit_id)
    unit.require_active(cmd.effective_date)
    new = await uow.units.change_version(unit, cmd.effective_date, "rename", name_vi=cmd.name_vi, name_en=cmd.name_en)
    await uow.publish(OrgUnitRenamed(unit_id=unit_id, **cmd.model_dump()))
    return new


async def move_unit(uow: UnitOfWork, unit_id: str, cmd: MoveUnit, *, causation_id: UUID | None = None) -> UnitVersion:
    unit = await load_unit(uow, unit_id)
    current = unit.require_active(cmd.effective_date)
    level = cmd.level or current.level
    parent = None
    if cmd.parent_id is not None:
        parent = (await load_unit(uow, cmd.parent_id, lock=False)).require_active(cmd.effective_date, "parent")
    rules.check_parent_level(level, parent)
    # The new parent holds from effective_date on (later changes of this unit are refused), so it must not
    # lie under the unit on that day nor on any later day the tree changes: a move recorded earlier but
    # dated later (P under C from June) would otherwise close a cycle with this one (C under P from March).
    rules.check_not_cycle(unit_id, cmd.parent_id, await uow.units.descendants_from(unit_id, cmd.effective_date))
    new = await uow.units.change_version(unit, cmd.effective_date, "move", parent_id=cmd.parent_id, level=level)
    await uow.publish(
        OrgUnitMoved(unit_id=unit_id, parent_id=cmd.parent_id, level=level, effective_date=cmd.effective_date),
        causation_id=causation_id,
    )
    return new


async def _carry(uow: UnitOfWork, old: Unit, to: UnitVersion, day: dt.date, cause: UUID) -> None:
    """Move what lives in `old` on `day` (officers, teams, sub-units) to the successor `to`."""
    for officer_id in await uow.officers.serving_in(old.unit_id):
        officer = await uow.officers.get(officer_id, lock=True)
        assert officer is not None
        plan = officer.plan_change(day, "reorganisation")
        await uow.officers.change_period(officer, plan, day, unit_id=to.unit_id)
        await uow.publish(
            OfficerTransferred(
                officer_id=officer_id,
                from_unit_id=old.unit_id,
                to_unit_id=to.unit_id,
                effective_date=day,
                reason="reorganisation",
            ),
            causation_id=cause,
        )
    for team in await uow.teams.in_commune(old.unit_id):
        await uow.teams.move(team["team_id"], team["valid_from"], to.unit_id, day)
        await uow.publish(
            CommunityTeamMoved(team_id=team["team_id"], commune_id=to.unit_id, effective_date=day), causation_id=cause
        )
    for team_id in await uow.response_teams.of_unit(old.unit_id):
        await uow.response_teams.move(team_id, to.unit_id)
        await uow.publish(
            ResponseTeamMoved(team_id=team_id, unit_id=to.unit_id, effective_date=day), causation_id=cause
        )
    for child in await uow.units.children_on(old.unit_id, day):
        await move_unit(uow, child.unit_id, MoveUnit(parent_id=to.unit_id, effective_date=day), causation_id=cause)


async def merge_units(uow: UnitOfWork, cmd: MergeUnits) -> None:
    rules.check_merge(cmd.successor_id, cmd.predecessor_ids)
    day = cmd.effective_date
    successor = (await load_unit(uow, cmd.successor_id)).require_active(day, "successor")
    olds = [await load_unit(uow, p) for p in sorted(cmd.predecessor_ids)]
    for old in olds:
        merged = ending(old, day, "merged unit")
        rules.check_merge_into(successor, merged, await uow.units.descendants_from(old.unit_id, rules_day_before(day)))
    envelope = await uow.publish(OrgUnitsMerged(**cmd.model_dump(exclude={"dissolve_districts"})))
    for old in olds:
        if cmd.dissolve_districts:
            await _dissolve_districts(uow, old, successor, day, envelope.event_id)
        await _carry(uow, old, successor, day, envelope.event_id)
        await uow.units.cease(old, day)
        await uow.units.add_lineage(old.unit_id, successor.unit_id, "merge", day)


async def _dissolve_districts(uow: UnitOfWork, old: Unit, to: UnitVersion, day: dt.date, cause: UUID) -> None:
    """End every district-level unit under `old` on `day`, what lives in it carried to `to` first (so its
    communes sit directly under the successor, as the 2025 reform did), as part of the same merge."""
    pending = [old.unit_id]
    while pending:
        for child in await uow.units.children_on(pending.pop(), day):
            if child.level != "district":
                pending.append(child.unit_id)
                continue
            district = await load_unit(uow, child.unit_id)
            district.require_active(rules_day_before(day), "district")
            await _carry(uow, district, to, day, cause)
            await uow.units.cease(district, day)
            await uow.publish(OrgUnitDissolved(unit_id=district.unit_id, effective_date=day), causation_id=cause)


async def split_unit(uow: UnitOfWork, unit_id: str, cmd: SplitUnit) -> None:
    officers_to = cmd.officers_to or cmd.successor_ids[0]
    rules.check_split(unit_id, cmd.successor_ids, officers_to)
    day = cmd.effective_date
    old = await load_unit(uow, unit_id)
    ending(old, day)
    successors = {s: (await load_unit(uow, s)).require_active(day, "successor") for s in cmd.successor_ids}
    envelope = await uow.publish(
        OrgUnitSplit(unit_id=unit_id, successor_ids=tuple(cmd.successor_ids), effective_date=day)
    )
    await _carry(uow, old, successors[officers_to], day, envelope.event_id)
    await uow.units.cease(old, day)
    for s in cmd.successor_ids:
        await uow.units.add_lineage(unit_id, s, "split", day)


async def dissolve_unit(uow: UnitOfWork, unit_id: str, cmd: DissolveUnit) -> None:
    day = cmd.effective_date
    unit = await load_unit(uow, unit_id)
    ending(unit, day)
    rules.check_dissolvable(
        unit_id,
        day,
        children=len(await uow.units.children_on(unit_id, day)),
        officers=len(await uow.officers.serving_in(unit_id)),
        teams=len(await uow.teams.in_commune(unit_id)) + len(await uow.response_teams.of_unit(unit_id)),
    )
    await uow.units.cease(unit, day)
    await uow.publish(OrgUnitDissolved(unit_id=unit_id, effective_date=day))


def ending(unit: Unit, day: dt.date, role: str = "unit") -> UnitVersion:
    """A unit a reorganisation ends on `day`: it exists the day before, and does not end already (a merger,
    split or dissolution sent twice must not run again: a second dissolution published a second event)."""
    version = unit.require_active(rules_day_before(day), role)
    if not unit.active_on(day):
        raise ConflictError(f"{role} {unit.unit_id} already ends on {rules_day_before(day)}")
    return version


def rules_day_before(day: dt.date) -> dt.date:
    """A unit ending on `day` must still exist the day before."""
    return day - dt.timedelta(days=1)
