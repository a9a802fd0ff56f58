"""Deterministic generator of the Vĩnh Phúc demo data set (pure: no I/O; `today` only places the relative items).

`generate(seed, scale, prefix)` draws everything from one `random.Random(seed)`; the same arguments give
the same data set. At scale 1 it reproduces the source article's figures (README, "The demo data set"): more than
3,100 CĐS officers (most concurrent), nearly 150 on information security, the centre's 10 technical
officers, an IT leader and an IT technical officer in every agency but the named exceptions, 1,240
community technology teams with nearly 9,900 members, the 2024 training plan (10 classes / 300 trainees
+ 1 advanced class / 30 dedicated IT officers + 1 live-fire drill) fully attained, departures 2023-2025
mostly to the private sector, an incentive policy with hires in 2024, and the 2025-07-01 reorganisation
(Vĩnh Phúc merged into Phú Thọ, communes merged or moved under the province, districts dissolved).
Counts scale with `scale`; the unit structure keeps every department, Party agency and district, and at
least one commune per district.

Real names: the province, departments, the centre, Party agencies, public service units, the 9 districts
and their 136 communes (listed in `demo.places`, from the pre-2025 map). Plausible, generated: every
person, village, the 2025 groupings and the new communes' names, unit codes and document numbers.

Decisions: the 10 plan classes are the 10 IT-upgrade classes; the IT-investment-management course and an
information-security course (whose certificates make the response team "certified") run in 2025 under
plan year 2025, for which no plan is adopted. Recruitment is the same at every scale. Relative to `today`
(the load day): 32 days of 12-hour on-call shifts from today's midnight with one 12-hour gap on day 9,
two incidents in the last 90 days and a tabletop drill 40 days ago. A prefixed (trial) data set forms the
incident-response team with scope `unit`, so a trial never takes the province's single provincial team.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from cds_plumbing import clock

from . import former as former_provinces
from . import places, plans, recruitment
from .dataset import FIGURES_DAY, REORGANISATION_DAY, Call, DataSet, Row
from .expected import compute_expected

START = dt.date(2020, 1, 1)
# officers per agency at scale 1, drawn from (low, high), by kind of agency (communes: COMMUNE_SIZE)
SIZES = {"root": (10, 14), "department": (22, 32), "party": (12, 18), "psu": (14, 22), "district": (34, 44)}
COMMUNE_SIZE = (14, 18)
DEPARTURES = {2023: 58, 2024: 84, 2025: 41}
REASONS = (("private_sector", 0.64), ("other_public_body", 0.16), ("retirement", 0.12), ("other", 0.08))
PRIVATE = (
    "Doanh nghiệp phần mềm tại Hà Nội",
    "Doanh nghiệp viễn thông trong tỉnh",
    "Công ty công nghệ tại KCN Bình Xuyên",
    "Ngân hàng thương mại cổ phần",
    "Công ty an ninh mạng tư nhân",
)
AFFILIATIONS = (
    ("youth_union", 0.38),
    ("womens_union", 0.27),
    ("farmers_association", 0.21),
    ("veterans", 0.06),
    ("police", 0.03),
    ("teachers", 0.02),
    ("health_workers", 0.02),
    ("other", 0.01),
)


def today_in_province() -> dt.date:
    return clock.today()


def generate(
    seed: int = 2024,
    scale: float = 1.0,
    prefix: str = "",
    today: dt.date | None = None,
    *,
    expected: bool = True,
    former: bool = False,
) -> DataSet:
    """The demo data set; `today` (default: today in Asia/Ho_Chi_Minh) only dates shifts, recent incidents
    and the recent drill. `expected=False` skips computing the expected figures (minutes at large scales).
    `former=True` adds the SYNTHETIC former Phú Thọ and Hòa Bình and merges the three roots (demo.former);
    Vĩnh Phúc's own rows are the same either way."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(seed)  # noqa: S311
    return _Generator(rng, seed, scale, prefix, today or today_in_province()).run(expected=expected, former=former)


class _Generator:
    def __init__(self, rng: random.Random, seed: int, scale: float, prefix: str, today: dt.date) -> None:
        self.rng, self.scale, self.p = rng, scale, prefix
        team_id = f"{prefix}DUCSC-VP"
        self.ds = DataSet(seed, scale, prefix, today, f"{prefix}VP", f"{prefix}PT", team_id)
        self.unit: dict[str, Row] = {}  # unit rows by code
        self.by_unit: dict[str, list[Row]] = {}  # officer rows per unit (never departing ones)
        self.level_of: dict[str, str] = {}

    def n(self, x: float, minimum: int = 1) -> int:
        return max(minimum, round(x * self.scale))

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def pick(self, weighted: Sequence[tuple[str, float]]) -> str:
        return self.rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]

    def name(self) -> tuple[str, str]:
        gender = self.rng.choice(("female", "male"))
        middle, given = self.rng.choice(places.MIDDLE[gender]), self.rng.choice(places.GIVEN[gender])
        return f"{self.rng.choice(places.FAMILY)} {middle} {given}", gender

    # --- structure -------------------------------------------------------------------------------------
    def add_unit(self, code: str, name: str, name_en: str | None, kind: str, level: str, parent: str | None) -> str:
        row = {"unit_id": code, "name_vi": name, "name_en": name_en, "kind": kind, "level": level}
        row |= {"parent_id": parent, "valid_from": START.isoformat()}
        assert code not in self.unit, code
        self.unit[code] = row
        self.level_of[code] = level
        self.ds.units.append(row)
        return code

    def structure(self) -> dict[str, list[str]]:
        p, root = self.p, self.ds.root_id
        groups: dict[str, list[str]] = {k: [] for k in ("root", "department", "party", "psu", "district", "commune")}
        self.add_unit(root, *places.PROVINCE, "peoples_committee", "province", None)
        groups["root"].append(root)
        for code, name, en in places.DEPARTMENTS:
            groups["department"].append(self.add_unit(f"{p}VP-{code}", name, en, "state_agency", "province", root))
        code, name, en = places.CENTRE
        self.centre = self.add_unit(f"{p}VP-{code}", name, en, "centre", "province", f"{p}VP-SKHCN")
        for code, name, en in places.PARTY_AGENCIES:
            groups["party"].append(self.add_unit(f"{p}VP-{code}", name, en, "party_agency", "province", root))
        for code, name, en, parent in places.PUBLIC_SERVICE_UNITS:
            up = f"{p}VP-{parent}" if parent else root
            groups["psu"].append(self.add_unit(f"{p}VP-{code}", name, en, "public_service_unit", "province", up))
        self.communes_of: dict[str, list[str]] = {}
        for dcode, dname, _, communes in places.DISTRICTS:
            district = self.add_unit(f"{p}VP-{dcode}", dname, None, "peoples_committee", "district", root)
            groups["district"].append(district)
            kept = communes[: self.n(len(communes))]
            self.communes_of[district] = [
                self.add_unit(f"{district}-{places.slug(c)}", c, None, "peoples_committee", "commune", district)
                for c in kept
            ]
            groups["commune"] += self.communes_of[district]
        return groups

    # --- officers ----------------------------------------------------------------------------------------
    def officer(self, unit: str, assignment: str, functions: list[str], appointed: dt.date, **extra: Any) -> Row:
        full_name, gender = self.name()
        level = self.level_of[unit]
        kind = self.unit[unit]["kind"]
        category = "public_employee" if kind in ("centre", "public_service_unit") else "civil_servant"
        if level == "commune" and "it_leader" in functions:
            category = "cadre"
        row = {
            "officer_id": f"{self.p}CB-{len(self.ds.officers) + 1:05d}",
            "full_name": full_name,
            "birth_year": self.rng.randint(1968, 1998),
            "gender": gender,
            "unit_id": unit,
            "employment_category": category,
            "assignment": assignment,
            "functions": functions,
            "effective_date": appointed.isoformat(),
        } | extra
        self.ds.officers.append(row)
        return row

    def staff_agency(self, unit: str, size: int, lacks: str | None) -> None:
        commune = self.level_of[unit] == "commune"
        early = (START, dt.date(2022, 12, 31))
        rows = []
        leader = None if lacks == "it_leader" else self.officer(unit, "concurrent", ["it_leader"], self.day(*early))
        tech_assignment = "concurrent" if commune else "dedicated"
        tech = (
            None if lacks == "it_technical" else self.officer(unit, tech_assignment, ["it_technical"], self.day(*early))
        )
        rows += [r for r in (leader, tech) if r is not None]
        for _ in range(size - len(rows)):
            functions = ["cds_network_member"]
            if lacks != "it_technical" and self.rng.random() < (0.10 if commune else 0.15):
                functions = ["it_technical"]
            dedicated = not commune and self.rng.random() < 0.08
            late = self.rng.random() < 0.08
            appointed = self.day(dt.date(2024, 1, 2), dt.date(2024, 9, 30)) if late else self.day(*early)
            rows.append(self.officer(unit, "dedicated" if dedicated else "concurrent", functions, appointed))
        self.by_unit[unit] = rows

    def staff(self, groups: dict[str, list[str]]) -> None:
        exceptions = {groups["psu"][0]: "it_leader"}
        rng_communes = sorted(groups["commune"])
        for unit in self.rng.sample(rng_communes, min(self.n(3), len(rng_communes))):
            exceptions[unit] = "it_technical"
        self.ds.coverage_exceptions = [
            {"unit_id": u, "name_vi": self.unit[u]["name_vi"], "missing": what} for u, what in exceptions.items()
        ]
        for kind, units in groups.items():
            low, high = SIZES.get(kind, COMMUNE_SIZE)
            for unit in units:
                size = self.rng.randint(low, high)  # communes are already fewer at a smaller scale
                self.staff_agency(unit, size if kind == "commune" else self.n(size, 2), exceptions.get(unit))
        director = self.officer(self.centre, "dedicated", ["it_leader"], dt.date(2020, 3, 2))
        techs = [
            self.officer(self.centre, "dedicated", ["it_technical"], self.day(START, dt.date(2022, 6, 30)))
            for _ in range(self.n(10))
        ]
        self.by_unit[self.centre] = [director, *techs]
        self.centre_techs = techs

    def infosec(self, groups: dict[str, list[str]], hires_with_infosec: int) -> None:
        """Add information_security to exactly n(147) - hires officers serving on 2024-12-31 (never departing)."""
        wanted = max(1, self.n(147) - hires_with_infosec)
        chosen: list[Row] = self.centre_techs[: max(1, round(0.6 * len(self.centre_techs)))]
        for kind in ("department", "party", "district"):
            chosen += [r for u in groups[kind] for r in self.by_unit[u][1:2] if "it_technical" in r["functions"]]
        chosen = chosen[:wanted]
        rest = [r for rows in self.by_unit.values() for r in rows if r not in chosen]
        weights = [{"province": 3, "district": 2}.get(self.level_of[r["unit_id"]], 1) for r in rest]
        while len(chosen) < wanted:
            r = self.rng.choices(rest, weights)[0]
            if r not in chosen:
                chosen.append(r)
        for r in chosen:
            r["functions"] = [*r["functions"], "information_security"]

    def departures(self, groups: dict[str, list[str]]) -> None:
        pools = [(groups["department"], 0.35), (groups["district"], 0.25), (groups["commune"], 0.25)]
        pools += [(groups["psu"], 0.10), (groups["party"], 0.05)]
        for year, count in DEPARTURES.items():
            last = dt.date(2025, 6, 30) if year == 2025 else dt.date(year, 12, 31)
            for _ in range(self.n(count)):
                units = self.rng.choices([u for u, _ in pools], [w for _, w in pools])[0]
                unit = self.rng.choice(units)
                functions = ["it_technical"] if self.rng.random() < 0.6 else ["cds_network_member"]
                assignment = "dedicated" if self.rng.random() < 0.4 else "concurrent"
                row = self.officer(unit, assignment, functions, self.day(START, dt.date(2022, 6, 30)))
                reason = self.pick(REASONS)
                destination = {"private_sector": self.rng.choice(PRIVATE), "other_public_body": "Cơ quan nhà nước"}
                body: Row = {"effective_date": self.day(dt.date(year, 1, 2), last).isoformat(), "reason": reason}
                body["destination"] = destination.get(reason)
                self.ds.departures.append(Call("personnel", f"/api/v1/officers/{row['officer_id']}/departure", body))
        self.ds.departures.sort(key=lambda c: c.body["effective_date"])
        private_2024 = [
            c
            for c in self.ds.departures
            if c.body["reason"] == "private_sector" and "2024" in c.body["effective_date"][:4]
        ]
        for i, c in enumerate(private_2024[::2]):
            reasons = (["private_sector_offer", "pay"], ["pay", "workload"], ["career", "private_sector_offer"])[i % 3]
            officer = c.path.split("/")[4]
            interview = {"officer_id": officer, "reasons": reasons, "interviewed_on": c.body["effective_date"]}
            self.ds.exit_interviews.append(Call("recruitment", "/api/v1/exit-interviews", interview))

    # --- community teams -----------------------------------------------------------------------------------
    def allocate(self, total: int, slots: int, minimum: int) -> list[int]:
        weights = [self.rng.uniform(0.7, 1.3) for _ in range(slots)]
        spare = max(0, total - minimum * slots)
        counts = [minimum + int(spare * w / sum(weights)) for w in weights]
        for i in self.rng.sample(range(slots), slots)[: total - sum(counts)]:
            counts[i] += 1
        return counts

    def community_teams(self, communes: list[str]) -> None:
        teams_total = self.n(1240)
        per_commune = self.allocate(teams_total, len(communes), 1 if teams_total >= len(communes) else 0)
        for commune, count in zip(communes, per_commune, strict=True):
            ward = self.unit[commune]["name_vi"].startswith("Phường")
            for j in range(1, count + 1):
                self.ds.teams.append(
                    {
                        "team_id": f"{self.p}TCN-{len(self.ds.teams) + 1:05d}",
                        "commune_id": commune,
                        "village": f"Tổ dân phố số {j}" if ward else f"Thôn {j}",
                        "established_on": self.day(dt.date(2022, 4, 1), dt.date(2023, 6, 30)).isoformat(),
                    }
                )
        sizes = self.allocate(self.n(9868), len(self.ds.teams), 1)
        for team, size in zip(self.ds.teams, sizes, strict=True):
            since = dt.date.fromisoformat(team["established_on"])
            for k in range(size):
                self.member(team, "leader" if k == 0 else "member", self.day(since, FIGURES_DAY))
        for _ in range(self.n(160)):  # joined in the first half of 2025
            self.member(self.rng.choice(self.ds.teams), "member", self.day(dt.date(2025, 1, 2), dt.date(2025, 6, 30)))

    def member(self, team: Row, role: str, joined: dt.date) -> None:
        affiliation = "youth_union" if role == "leader" and self.rng.random() < 0.6 else self.pick(AFFILIATIONS)
        self.ds.members.append(
            {
                "team_id": team["team_id"],
                "member_id": f"{self.p}TV-{len(self.ds.members) + 1:06d}",
                "full_name": self.name()[0],
                "affiliation": affiliation,
                "role": role,
                "joined_on": joined.isoformat(),
            }
        )

    # --- reorganisation ----------------------------------------------------------------------------------
    def reorganisation(self, groups: dict[str, list[str]]) -> None:
        day, p, root, successor = REORGANISATION_DAY.isoformat(), self.p, self.ds.root_id, self.ds.successor_id
        calls = self.ds.reorganisation
        new = {"unit_id": successor, "name_vi": places.SUCCESSOR[0], "name_en": places.SUCCESSOR[1]}
        new |= {"kind": "peoples_committee", "level": "province", "valid_from": day}
        calls.append(Call("personnel", "/api/v1/units", new))
        departed = {c.path.split("/")[4] for c in self.ds.departures}
        for (dcode, dname, city, _), district in zip(places.DISTRICTS, groups["district"], strict=True):
            communes, seat_successor = list(self.communes_of[district]), ""
            while communes:
                size = self.rng.choice((1, 2, 2, 3, 3, 3)) if seat_successor else min(3, len(communes))
                group, communes = communes[:size], communes[size:]
                if len(group) == 1:
                    move = {"parent_id": successor, "effective_date": day}
                    calls.append(Call("personnel", f"/api/v1/units/{group[0]}/move", move))
                    code = group[0]
                else:
                    first = self.unit[group[0]]["name_vi"]
                    if seat_successor:  # named after its first commune
                        name = f"{'Phường' if first.startswith('Phường') else 'Xã'} {places.base_name(first)}"
                    else:  # the group with the district's seat takes the district's name
                        name = f"{'Phường' if city else 'Xã'} {places.base_name(dname)}"
                    code = f"{p}PT-{dcode}-{places.slug(name)}"
                    body = {"unit_id": code, "name_vi": name, "kind": "peoples_committee", "level": "commune"}
                    calls.append(Call("personnel", "/api/v1/units", body | {"parent_id": successor, "valid_from": day}))
                    merge = {"successor_id": code, "predecessor_ids": group, "effective_date": day}
                    calls.append(Call("personnel", "/api/v1/units/merge", merge))
                seat_successor = seat_successor or code
            for row in self.district_staff[district]:
                if row["officer_id"] not in departed:
                    body = {"to_unit_id": seat_successor, "effective_date": day}
                    calls.append(Call("personnel", f"/api/v1/officers/{row['officer_id']}/transfer", body))
            calls.append(Call("personnel", f"/api/v1/units/{district}/dissolve", {"effective_date": day}))
        merge = {"successor_id": successor, "predecessor_ids": [root], "effective_date": day}
        calls.append(Call("personnel", "/api/v1/units/merge", merge))

    def run(self, *, expected: bool = True, former: bool = False) -> DataSet:
        groups = self.structure()
        self.staff(groups)
        recruitment.recruitment(self.ds, self.rng)
        self.infosec(groups, recruitment.hires_with_infosec())
        self.departures(groups)
        self.district_staff = {d: [r for r in self.ds.officers if r["unit_id"] == d] for d in groups["district"]}
        self.community_teams(groups["commune"])
        team = plans.response_team(self.ds, self.by_unit, self.centre, self.centre_techs, groups)
        plans.training(self.ds, self.rng, self.by_unit, self.level_of, self.centre, groups, team)
        self.reorganisation(groups)
        self.ds.notes.append(f"{len(self.ds.coverage_exceptions)} agencies are left non-compliant on purpose")
        if former:  # after everything Vĩnh Phúc draws from `rng`, so its data set stays the same
            former_provinces.extend(self.ds)
        if expected:
            self.ds.expected = compute_expected(self.ds)
        return self.ds
