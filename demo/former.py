"""SYNTHETIC data sets for the former Phú Thọ and Hòa Bình provinces, and the three-province merger of 2025-07-01.

Only Vĩnh Phúc's figures come from the source article (README, "The demo data set"). For the two other
former provinces the demo has no source, so everything here is generated and labelled as such: every
unit's name says "giả lập" (synthetic) in Vietnamese and "synthetic" in English, the codes carry the
province's code (PTC, HB), and no real commune or district name is used. The shapes are plausible: a
province with departments, a Party agency and an office of the People's Committee; districts (a city
first) with 10-20 communes each; an IT leader and an IT technical officer in every agency, most officers
concurrent, a few on information security; community technology teams in every commune.

`extend(ds)` appends them to a Vĩnh Phúc data set (after Vĩnh Phúc's own rows, so its codes and figures
stay exactly as they are) and turns the final `merge [VP] -> PT` into one merge of the three roots.
Each province draws from its own `random.Random(f"{seed}:{code}")`: deterministic, and independent of
Vĩnh Phúc's generator. Before the merger every former root's own officers move to a province-level unit
of the same former province (nobody serves in the new province's own unit), so each officer descends from
exactly one former province and the three lineage slices add up to the merged province.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from .dataset import FIGURES_DAY, REORGANISATION_DAY, Call, DataSet, Row

START = dt.date(2020, 1, 1)
SYNTHETIC_VI, SYNTHETIC_EN = "giả lập", "synthetic"
# (code, Vietnamese name, English name) of the province-level agencies every synthetic province has
AGENCIES = (
    ("VPUB", "Văn phòng UBND tỉnh", "Office of the Provincial People's Committee", "peoples_committee"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs", "state_agency"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology", "state_agency"),
    ("STC", "Sở Tài chính", "Department of Finance", "state_agency"),
    ("SYT", "Sở Y tế", "Department of Health", "state_agency"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training", "state_agency"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment", "state_agency"),
    ("VPTU", "Văn phòng Tỉnh ủy", "Office of the Provincial Party Committee", "party_agency"),
)


@dataclass(frozen=True)
class Spec:
    """A synthetic former province: its code, names, number of districts and communes per district."""

    code: str
    name_vi: str
    name_en: str
    districts: int
    communes: tuple[int, int]


FORMER = (
    Spec("PTC", "Tỉnh Phú Thọ (cũ)", "Former Phu Tho Province", 13, (12, 20)),
    Spec("HB", "Tỉnh Hòa Bình (cũ)", "Former Hoa Binh Province", 10, (10, 18)),
)
PHASES = ("create", "regroup", "transfer", "dissolve")  # of the merger day's calls, in a valid order
SIZES = {"province": (18, 26), "district": (22, 30), "commune": (9, 13)}
TEAMS_PER_COMMUNE, MEMBERS_PER_TEAM = (4, 8), (4, 8)
AFFILIATIONS = ("youth_union", "womens_union", "farmers_association", "veterans", "other")
AFFILIATION_WEIGHTS = (0.4, 0.27, 0.2, 0.08, 0.05)


def synthetic(name: str) -> str:
    return f"{name} ({SYNTHETIC_VI})"


def extend(ds: DataSet, specs: tuple[Spec, ...] = FORMER) -> None:
    """Append the synthetic provinces to `ds` and make its final root merge the three-province merger."""
    final = ds.reorganisation.pop()
    assert final.path == "/api/v1/units/merge" and final.body["predecessor_ids"] == [ds.root_id], final
    departed = {c.path.split("/")[4] for c in ds.departures}
    vp_root_staff = [o for o in ds.officers if o["unit_id"] == ds.root_id and o["officer_id"] not in departed]
    ds.reorganisation += _transfers(vp_root_staff, f"{ds.prefix}VP-SNV")
    for spec in specs:
        _Province(ds, spec, random.Random(f"{ds.seed}:{spec.code}")).run()  # noqa: S311
    roots = [ds.root_id, *ds.former_roots]
    ds.reorganisation.append(Call("personnel", "/api/v1/units/merge", final.body | {"predecessor_ids": roots}))
    ds.notes.append(f"former provinces {', '.join(ds.former_roots)} are SYNTHETIC (generated, not from a source)")


def _transfers(officers: list[Row], to_unit: str) -> list[Call]:
    """The officers' transfers to `to_unit` on the merger day."""
    body = {"to_unit_id": to_unit, "effective_date": REORGANISATION_DAY.isoformat()}
    return [Call("personnel", f"/api/v1/officers/{o['officer_id']}/transfer", body, phase="transfer") for o in officers]


class _Province:
    def __init__(self, ds: DataSet, spec: Spec, rng: random.Random) -> None:
        self.ds, self.spec, self.rng = ds, spec, rng
        self.root = f"{ds.prefix}{spec.code}"
        self.officers: list[Row] = []
        self.upper: set[str] = set()  # province- and district-level units

    def n(self, x: float) -> int:
        return max(1, round(x * self.ds.scale))

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def unit(self, code: str, name_vi: str, name_en: str, kind: str, level: str, parent: str | None) -> str:
        row: Row = {"unit_id": code, "name_vi": synthetic(name_vi), "name_en": f"{name_en} ({SYNTHETIC_EN})"}
        row |= {"kind": kind, "level": level, "parent_id": parent, "valid_from": START.isoformat()}
        self.ds.units.append(row)
        return code

    def run(self) -> None:
        s, root = self.spec, self.root
        self.ds.former_roots.append(self.unit(root, s.name_vi, s.name_en, "peoples_committee", "province", None))
        root_staff = self.staff(root, SIZES["province"], "province")
        for code, vi, en, kind in AGENCIES:
            self.staff(self.unit(f"{root}-{code}", vi, en, kind, "province", root), SIZES["province"], "province")
        # the root's own officers go to its office on the merger day (module docstring: one lineage each)
        calls = _transfers(root_staff, f"{root}-VPUB")
        for d in range(1, s.districts + 1):
            city = d == 1  # the first district is the province's city, its communes wards
            dcode = f"{root}-D{d:02d}"
            kind_vi, kind_en = ("Thành phố", "City") if city else ("Huyện", "District")
            district = self.unit(
                dcode,
                f"{kind_vi} {s.code}-{d:02d}",
                f"{kind_en} {s.code}-{d:02d}",
                "peoples_committee",
                "district",
                root,
            )
            district_staff = self.staff(district, SIZES["district"], "district")
            communes = []
            for c in range(1, self.n(self.rng.randint(*s.communes)) + 1):
                kind_vi, kind_en = ("Phường", "Ward") if city else ("Xã", "Commune")
                label = f"{s.code}-{d:02d}-{c:02d}"
                code = self.unit(
                    f"{dcode}-C{c:02d}",
                    f"{kind_vi} {label}",
                    f"{kind_en} {label}",
                    "peoples_committee",
                    "commune",
                    district,
                )
                self.staff(code, SIZES["commune"], "commune")
                self.teams(code, city)
                communes.append(code)
            calls += self.reorganise(dcode, communes, district_staff, city)
        self.infosec()
        # All districts at once, phase by phase (each phase needs only the ones before it): the loader sends
        # a phase's calls together instead of some 400 one after the other.
        self.ds.reorganisation += sorted(calls, key=lambda c: PHASES.index(c.phase))

    # --- people -------------------------------------------------------------------------------------------
    def officer(self, unit: str, assignment: str, functions: list[str], level: str) -> Row:
        if level != "commune":
            self.upper.add(unit)
        # Names are placeholders by design: a synthetic province gets no invented "real-looking" people.
        number = len(self.officers) + 1
        row: Row = {
            "officer_id": f"{self.root}-CB-{number:05d}",
            "full_name": f"Cán bộ giả lập {self.spec.code} {number:05d}",
            "birth_year": self.rng.randint(1968, 1998),
            "gender": self.rng.choice(("female", "male")),
            "unit_id": unit,
            "employment_category": "cadre" if level == "commune" and "it_leader" in functions else "civil_servant",
            "assignment": assignment,
            "functions": functions,
            "effective_date": self.day(START, dt.date(2024, 6, 30)).isoformat(),
        }
        self.officers.append(row)
        self.ds.officers.append(row)
        return row

    def staff(self, unit: str, size: tuple[int, int], level: str) -> list[Row]:
        commune = level == "commune"
        rows = [
            self.officer(unit, "concurrent", ["it_leader"], level),
            self.officer(unit, "concurrent" if commune else "dedicated", ["it_technical"], level),
        ]
        count = self.rng.randint(*size) if commune else max(2, round(self.rng.randint(*size) * self.ds.scale))
        for _ in range(count - 2):
            dedicated = not commune and self.rng.random() < 0.06
            functions = ["it_technical"] if self.rng.random() < 0.1 else ["cds_network_member"]
            rows.append(self.officer(unit, "dedicated" if dedicated else "concurrent", functions, level))
        return rows

    def infosec(self) -> None:
        """About 3% of the officers also work on information security, the province's IT technical ones first."""
        wanted = max(1, round(0.03 * len(self.officers)))
        technical = [o for o in self.officers if "it_technical" in o["functions"] and o["unit_id"] in self.upper]
        for row in (technical + self.rng.sample(self.officers, len(self.officers)))[:wanted]:
            if "information_security" not in row["functions"]:
                row["functions"] = [*row["functions"], "information_security"]

    def teams(self, commune: str, ward: bool) -> None:
        for j in range(1, self.rng.randint(*TEAMS_PER_COMMUNE) + 1):
            team = {
                "team_id": f"{commune}-T{j:02d}",
                "commune_id": commune,
                "village": f"Tổ dân phố số {j}" if ward else f"Thôn {j}",
                "established_on": self.day(dt.date(2022, 4, 1), dt.date(2023, 6, 30)).isoformat(),
            }
            self.ds.teams.append(team)
            since = dt.date.fromisoformat(team["established_on"])
            for k in range(self.rng.randint(*MEMBERS_PER_TEAM)):
                self.ds.members.append(
                    {
                        "team_id": team["team_id"],
                        "member_id": f"{team['team_id']}-M{k + 1:02d}",
                        "full_name": f"Thành viên giả lập {team['team_id']}-{k + 1:02d}",
                        "affiliation": self.rng.choices(AFFILIATIONS, AFFILIATION_WEIGHTS)[0],
                        "role": "leader" if k == 0 else "member",
                        "joined_on": self.day(since, FIGURES_DAY).isoformat(),
                    }
                )

    # --- 2025-07-01 -----------------------------------------------------------------------------------------
    def reorganise(self, district: str, communes: list[str], staff: list[Row], city: bool) -> list[Call]:
        """Communes in groups of 1-3: a group of one moves under the successor, a larger group merges into a new
        commune; the district's officers go to the first group's commune and the district is dissolved."""
        day, successor, calls, seat = REORGANISATION_DAY.isoformat(), self.ds.successor_id, [], ""
        rest, g = list(communes), 0
        while rest:
            size = min(len(rest), self.rng.choice((1, 2, 2, 3, 3)))
            group, rest = rest[:size], rest[size:]
            if size == 1:
                move = {"parent_id": successor, "effective_date": day}
                calls.append(Call("personnel", f"/api/v1/units/{group[0]}/move", move, phase="regroup"))
                code = group[0]
            else:
                g += 1
                code = f"{district}-N{g:02d}"
                label = f"{code.removeprefix(self.ds.prefix)}"
                body = {
                    "unit_id": code,
                    "name_vi": synthetic(f"{'Phường' if city else 'Xã'} mới {label}"),
                    "name_en": f"New {'ward' if city else 'commune'} {label} ({SYNTHETIC_EN})",
                    "kind": "peoples_committee",
                    "level": "commune",
                    "parent_id": successor,
                    "valid_from": day,
                }
                calls.append(Call("personnel", "/api/v1/units", body, phase="create"))
                merge = {"successor_id": code, "predecessor_ids": group, "effective_date": day}
                calls.append(Call("personnel", "/api/v1/units/merge", merge, phase="regroup"))
            seat = seat or code
        calls += _transfers(staff, seat)
        calls.append(Call("personnel", f"/api/v1/units/{district}/dissolve", {"effective_date": day}, phase="dissolve"))
        return calls
