"""Replays a data set against a small model of personnel's rules and computes what reporting must show.

`replay(ds)` applies the unit, officer, team and member rows, the hires, the departures and the
reorganisation in load order, checking the rules personnel enforces (a unit exists on the day it is
used, a parent's level, changes in date order per record, merges and dissolutions on valid days,
nothing left in a dissolved unit). `compute_expected(ds)` reads the figures off the replayed model the
way reporting computes them; `validate(ds)` lists every broken rule (empty when the data set is valid).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from .dataset import FIGURES_DAY, REORGANISATION_DAY, DataSet, Row
from .readiness import readiness, training_attainment

AGENCY_KINDS = ("party_agency", "state_agency", "peoples_committee", "public_service_unit", "centre")
LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}
ONE_DAY = dt.timedelta(days=1)


def _d(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@dataclass
class Period:
    start: dt.date
    end: dt.date | None
    unit: str
    assignment: str = ""
    functions: tuple[str, ...] = ()

    def on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Version(Period):
    kind: str = ""
    level: str = ""  # `unit` holds the parent id ("" for a root)


@dataclass
class Model:
    units: dict[str, list[Version]] = field(default_factory=dict)
    ceased: dict[str, dt.date] = field(default_factory=dict)  # last day of a unit that ended
    officers: dict[str, list[Period]] = field(default_factory=dict)
    departed: dict[str, tuple[dt.date, str]] = field(default_factory=dict)
    hires: dict[str, dt.date] = field(default_factory=dict)
    teams: dict[str, list[Period]] = field(default_factory=dict)
    members: list[tuple[str, dt.date, str]] = field(default_factory=list)
    merged: list[tuple[str, str, dt.date]] = field(default_factory=list)  # (predecessor, successor, day)
    errors: list[str] = field(default_factory=list)

    # --- units ----------------------------------------------------------------------------------------------
    def version(self, unit: str, day: dt.date) -> Version | None:
        if unit in self.ceased and day > self.ceased[unit]:
            return None
        return next((v for v in self.units.get(unit, []) if v.on(day)), None)

    def require(self, unit: str, day: dt.date, what: str) -> Version | None:
        v = self.version(unit, day)
        if v is None:
            self.errors.append(f"{what}: unit {unit} does not exist on {day}")
        return v

    def register(self, row: Row) -> None:
        day, parent = _d(row["valid_from"]), row.get("parent_id")
        if row["unit_id"] in self.units:
            self.errors.append(f"unit code {row['unit_id']} used twice")
        if parent and (pv := self.require(parent, day, f"parent of {row['unit_id']}")):
            self.check_level(row["level"], pv, row["unit_id"])
        self.units[row["unit_id"]] = [Version(day, None, parent or "", kind=row["kind"], level=row["level"])]

    def check_level(self, level: str, parent: Version, unit: str) -> None:
        if LEVEL_RANK[parent.level] > LEVEL_RANK[level]:
            self.errors.append(f"{unit}: a {level}-level unit under a {parent.level}-level parent")

    def children(self, unit: str, day: dt.date) -> list[str]:
        return [u for u in self.units if (v := self.version(u, day)) is not None and v.unit == unit]

    def move(self, unit: str, parent: str, day: dt.date) -> None:
        current = self.require(unit, day, "move")
        pv = self.require(parent, day, f"new parent of {unit}")
        if current is None or pv is None:
            return
        self.check_level(current.level, pv, unit)
        versions = self.units[unit]
        if day < versions[-1].start:
            self.errors.append(f"move of {unit} on {day} before its latest change")
        elif day == versions[-1].start:
            versions[-1].unit = parent
        else:
            versions[-1].end = day - ONE_DAY
            versions.append(Version(day, None, parent, kind=current.kind, level=current.level))

    def cease(self, unit: str, day: dt.date) -> None:
        versions = [v for v in self.units[unit] if v.start < day]
        if any(v.start > day for v in self.units[unit]) or not versions:
            self.errors.append(f"{unit} has changes after {day}")
            return
        versions[-1].end = day - ONE_DAY
        self.units[unit] = versions
        self.ceased[unit] = day - ONE_DAY

    def serving_in(self, unit: str) -> list[str]:
        return [o for o, ps in self.officers.items() if ps[-1].end is None and ps[-1].unit == unit]

    def open_teams(self, unit: str) -> list[str]:
        return [t for t, ps in self.teams.items() if ps[-1].end is None and ps[-1].unit == unit]

    def merge(self, successor: str, predecessors: list[str], day: dt.date) -> None:
        self.require(successor, day, "merge successor")
        for old in sorted(predecessors):
            if self.require(old, day - ONE_DAY, "merged unit") is None:
                continue
            for officer in self.serving_in(old):
                self.change_officer(officer, day, successor)
            for team in self.open_teams(old):
                self.teams[team][-1].end = day - ONE_DAY
                self.teams[team].append(Period(day, None, successor))
            for child in self.children(old, day):
                self.move(child, successor, day)
            self.cease(old, day)
            self.merged.append((old, successor, day))

    def dissolve(self, unit: str, day: dt.date) -> None:
        if self.require(unit, day - ONE_DAY, "dissolve") is None:
            return
        left = (self.children(unit, day), self.serving_in(unit), self.open_teams(unit))
        if any(left):
            self.errors.append(f"{unit} still has sub-units, officers or teams on {day}: {left}")
        self.cease(unit, day)

    # --- officers, teams --------------------------------------------------------------------------------------
    def appoint(self, row: Row, officer_id: str | None = None) -> None:
        day, oid = _d(row["effective_date"]), officer_id or row["officer_id"]
        self.require(row["unit_id"], day, f"appointment of {oid}")
        functions = tuple(row.get("functions", ()))
        if oid in self.officers:
            self.errors.append(f"officer id {oid} used twice")
        self.officers[oid] = [Period(day, None, row["unit_id"], row["assignment"], functions)]

    def change_officer(self, officer: str, day: dt.date, unit: str) -> None:
        ps = self.officers[officer]
        if officer in self.departed or day < ps[-1].start:
            self.errors.append(f"officer {officer}: change on {day} after departure or before the latest change")
            return
        self.require(unit, day, f"transfer of {officer}")
        if day == ps[-1].start:
            ps[-1].unit = unit
        else:
            ps[-1].end = day - ONE_DAY
            ps.append(Period(day, None, unit, ps[-1].assignment, ps[-1].functions))

    def depart(self, officer: str, day: dt.date, reason: str) -> None:
        ps = self.officers.get(officer)
        if ps is None or officer in self.departed or day <= ps[-1].start:
            self.errors.append(f"departure of {officer} on {day} refused")
            return
        ps[-1].end = day - ONE_DAY
        self.departed[officer] = (day, reason)

    def team(self, row: Row) -> None:
        v = self.require(row["commune_id"], _d(row["established_on"]), f"team {row['team_id']}")
        if v is not None and v.level != "commune":
            self.errors.append(f"team {row['team_id']} is not in a commune")
        self.teams[row["team_id"]] = [Period(_d(row["established_on"]), None, row["commune_id"])]

    # --- what reporting shows -----------------------------------------------------------------------------------
    def subtree(self, root: str, day: dt.date) -> set[str]:
        kids: dict[str, list[str]] = {}  # the day's tree, built once (children() per unit is quadratic)
        for unit in self.units:
            if (v := self.version(unit, day)) is not None:
                kids.setdefault(v.unit, []).append(unit)
        found, todo = set(), [root] if self.version(root, day) else []
        while todo:
            unit = todo.pop()
            found.add(unit)
            todo += kids.get(unit, [])
        return found

    def serving_on(self, day: dt.date, units: set[str]) -> list[Period]:
        return [p for ps in self.officers.values() for p in ps if p.on(day) and p.unit in units]

    def lineage(self, root: str, day: dt.date) -> set[str]:
        """The units on `day` that descend from `root`: in its subtree on some day up to `day`, or successors
        (by merge, on or before `day`) of such units: the lineage slice reporting offers as `former_province`."""
        starts = {v.start for vs in self.units.values() for v in vs if v.start <= day}
        found = set().union(*(self.subtree(root, d) for d in starts | {d - ONE_DAY for d in starts} | {day}))
        grown = True
        while grown:
            new = {successor for old, successor, d in self.merged if old in found and d <= day} - found
            found |= new
            grown = bool(new)
        return {u for u in found if self.version(u, day) is not None}

    def headcount(self, day: dt.date, root: str, units: set[str] | None = None) -> dict[str, int]:
        periods = self.serving_on(day, self.subtree(root, day) if units is None else units)
        out = {"total": len(periods)}
        out |= {a: sum(p.assignment == a for p in periods) for a in ("dedicated", "concurrent")}
        for function in ("information_security", "it_technical", "it_leader"):
            out[function] = sum(function in p.functions for p in periods)
        return out

    def coverage(self, day: dt.date, root: str) -> dict[str, Any]:
        agencies = sorted(u for u in self.subtree(root, day) if (v := self.version(u, day)) and v.kind in AGENCY_KINDS)
        failing = []
        for unit in agencies:
            own = self.serving_on(day, {unit})
            missing = [f for f in ("it_leader", "it_technical") if not any(f in p.functions for p in own)]
            if missing:
                failing.append({"unit_id": unit, "missing": missing})
        return {"agencies": len(agencies), "compliant": len(agencies) - len(failing), "failing": failing}

    def community(self, day: dt.date, root: str, units: set[str] | None = None) -> dict[str, Any]:
        units = self.subtree(root, day) if units is None else units
        teams = {t for t, ps in self.teams.items() if any(p.on(day) and p.unit in units for p in ps)}
        joined = [a for t, j, a in self.members if t in teams and j <= day]
        return {
            "teams": len(teams),
            "members": len(joined),
            "members_by_affiliation": dict(sorted(Counter(joined).items())),
        }

    def attrition(self, as_of: dt.date, root: str) -> dict[str, Any]:
        start, units = as_of.replace(year=as_of.year - 1) + ONE_DAY, self.subtree(root, as_of)
        left = [
            (o, r) for o, (d, r) in self.departed.items() if start <= d <= as_of and self.officers[o][-1].unit in units
        ]
        ends = [dt.date(as_of.year, m + 1, 1) - ONE_DAY for m in range(1, 12)] + [as_of]
        average = mean(len(self.serving_on(d, units)) for d in ends)
        private = sum(r == "private_sector" for _, r in left)
        return {
            "departures": len(left),
            "average_headcount": round(average, 1),
            "attrition_rate_pct": round(100 * len(left) / average, 1),
            "private_sector_share_pct": round(100 * private / len(left), 1) if left else None,
        }


def replay(ds: DataSet) -> Model:
    m = Model()
    for row in ds.units:
        m.register(row)
    for row in ds.officers:
        m.appoint(row)
    for row in ds.teams:
        m.team(row)
    established = {t["team_id"]: t["established_on"] for t in ds.teams}
    for row in ds.members:
        if row["joined_on"] < established.get(row["team_id"], "9999"):
            m.errors.append(f"member {row['member_id']} joined before the team was established")
        m.members.append((row["team_id"], _d(row["joined_on"]), row["affiliation"]))
    vacancy_unit = {c.body["vacancy_id"]: c.body["unit_id"] for c in ds.recruitment if c.path == "/api/v1/vacancies"}
    for i, app in enumerate(a for a in ds.applications if a.hire):
        assert app.hire is not None
        oid = f"hire-{i + 1}"
        m.appoint({**app.hire, "unit_id": vacancy_unit[app.vacancy_id], "effective_date": app.hire["hired_on"]}, oid)
        m.hires[oid] = _d(app.hire["hired_on"])
    for call in ds.departures:
        m.depart(call.path.split("/")[4], _d(call.body["effective_date"]), call.body["reason"])
    for call in ds.reorganisation:
        parts, body = call.path.split("/"), call.body
        if call.path == "/api/v1/units":
            m.register(body)
        elif call.path == "/api/v1/units/merge":
            m.merge(body["successor_id"], body["predecessor_ids"], _d(body["effective_date"]))
        elif parts[-1] == "move":
            m.move(parts[4], body["parent_id"], _d(body["effective_date"]))
        elif parts[-1] == "dissolve":
            m.dissolve(parts[4], _d(body["effective_date"]))
        elif parts[-1] == "transfer":
            m.change_officer(parts[4], _d(body["effective_date"]), body["to_unit_id"])
        else:
            m.errors.append(f"unknown reorganisation call {call.path}")
    return m


def validate(ds: DataSet) -> list[str]:
    """Every rule the data set breaks (empty when personnel would accept all of it in load order)."""
    return replay(ds).errors


def compute_expected(ds: DataSet) -> dict[str, Any]:
    m = replay(ds)
    if m.errors:
        raise AssertionError(f"the generated data set breaks personnel's rules: {m.errors[:5]}")
    days = {"2024-12-31": (FIGURES_DAY, ds.root_id), "today": (ds.today, ds.successor_id)}
    by_year = Counter(d.year for d, _ in m.departed.values())
    hires_2024 = sum(d.year == 2024 for d in m.hires.values())
    filled = Counter(a.vacancy_id for a in ds.applications if a.hire)
    vacancies = [c.body for c in ds.recruitment if c.path == "/api/v1/vacancies"]
    open_vacancies = [v["vacancy_id"] for v in vacancies if filled[v["vacancy_id"]] < v["positions"]]
    return {
        "root_id": ds.root_id,
        "successor_id": ds.successor_id,
        "today": ds.today.isoformat(),
        "reorganised_on": REORGANISATION_DAY.isoformat(),
        "officers": {k: m.headcount(d, root) for k, (d, root) in days.items()},
        "coverage": {k: m.coverage(d, root) for k, (d, root) in days.items()},
        "community_teams": {k: m.community(d, root) for k, (d, root) in days.items()},
        "training_2024": training_attainment(ds, 2024),
        "departures_by_year": {str(y): n for y, n in sorted(by_year.items())},
        "attrition_2024": m.attrition(FIGURES_DAY, ds.root_id),
        "hires": {"total": len(m.hires), "in_2024": hires_2024},
        "open_vacancies": {"count": len(open_vacancies), "ids": open_vacancies},
        "readiness": readiness(ds),
        "former": {r: _former(m, ds, r) for r in [ds.root_id, *ds.former_roots]},
        "units": {
            "before": len(m.subtree(ds.root_id, FIGURES_DAY)),
            "after": len(m.subtree(ds.successor_id, ds.today)),
            "communes_before": sum(1 for u in m.subtree(ds.root_id, FIGURES_DAY) if m.units[u][0].level == "commune"),
        },
    }


def _former(m: Model, ds: DataSet, root: str) -> dict[str, Any]:
    """A former province's own figures on 31/12/2024 and its share of the merged province today."""
    first = m.units[root][0]
    today = m.lineage(root, ds.today)
    name = next(u["name_vi"] for u in ds.units if u["unit_id"] == root)
    return {
        "name_vi": name,
        "synthetic": root != ds.root_id,
        "units_2024": len(m.subtree(root, FIGURES_DAY)) if first.start <= FIGURES_DAY else 0,
        "officers": {"2024-12-31": m.headcount(FIGURES_DAY, root), "today": m.headcount(ds.today, root, today)},
        "community_teams": {
            "2024-12-31": m.community(FIGURES_DAY, root),
            "today": m.community(ds.today, root, today),
        },
    }
