"""A small world of people on the running stack, for the personal-data tests: under a fresh province root
P, a district D and its commune C, and a department O outside D. In C: two officers (one leaves the
public service to a named employer, after an exit interview with notes), a community technology team
with a member, a response team of D with both officers (one has left it), a training class with an
enrolment, a vacancy with a rejected application. Every name carries the world's prefix, so a search
for it finds this world's data only."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings
from tests.support.e2e import eventually, ok

PORTS = {"personnel": "8001", "training": "8002", "recruitment": "8003", "reporting": "8004"}


def base(service: str) -> str:
    return f"http://127.0.0.1:{os.environ.get(f'{service.upper()}_HTTP_PORT', PORTS[service])}"


def token(role: Role, unit: str | None = None, subject: str = "e2e-people") -> str:
    return mint_token(ServiceSettings(service_name="e2e"), role, unit=unit, subject=subject)


def client(service: str, role: Role = Role.PROVINCE_ADMIN, unit: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token(role, unit)}"}
    return httpx.Client(base_url=base(service), headers=headers, timeout=60)


@dataclass
class World:
    x: str
    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # what must vanish on erasure

    def unit(self, key: str) -> str:
        return f"{self.x}-{key}"


def build() -> World:
    w = World(x=f"PD{uuid.uuid4().hex[:6].upper()}")
    x = w.x
    with client("personnel") as p, client("training") as t, client("recruitment") as c:
        for key, level, parent, kind in (
            ("P", "province", None, "peoples_committee"),
            ("D", "district", "P", "peoples_committee"),
            ("C", "commune", "D", "peoples_committee"),
            ("O", "province", "P", "state_agency"),
        ):
            body = {"unit_id": w.unit(key), "name_vi": f"Đơn vị {key}", "kind": kind, "level": level,
                    "parent_id": w.unit(parent) if parent else None, "valid_from": "2020-01-01"}  # fmt: skip
            ok(p.post("/api/v1/units", json=body), 201)
        for key, name in (("stays", f"Nguyễn Văn Ở {x}"), ("leaves", f"Trần Thị Đi {x}")):
            officer: dict[str, Any] = {
                "officer_id": f"{x}-{key}", "full_name": name, "birth_year": 1990, "gender": "female",
                "unit_id": w.unit("C"), "employment_category": "civil_servant", "assignment": "dedicated",
                "functions": ["information_security"], "effective_date": "2023-01-02",
            }  # fmt: skip
            w.ids[key] = ok(p.post("/api/v1/officers", json=officer), 201)["officer_id"]
            w.names[key] = name
        team = ok(
            p.post("/api/v1/community-teams", json={"commune_id": w.unit("C"), "established_on": "2023-05-01"}), 201
        )
        w.ids["team"] = team["team_id"]
        w.names["member"] = f"Lê Thị Thành Viên {x}"
        member = {
            "full_name": w.names["member"],
            "affiliation": "womens_union",
            "role": "leader",
            "joined_on": "2023-06-01",
        }
        w.ids["member"] = ok(p.post(f"/api/v1/community-teams/{w.ids['team']}/members", json=member), 201)["member_id"]
        rt = {
            "team_id": f"{x}-DUC",
            "name": "Đội ứng cứu",
            "scope": "unit",
            "unit_id": w.unit("D"),
            "formed_on": "2024-01-01",
        }
        w.ids["response_team"] = ok(p.post("/api/v1/response-teams", json=rt), 201)["team_id"]
        for key, role in (("stays", "lead"), ("leaves", "analyst")):
            join = {"officer_id": w.ids[key], "role": role, "joined_on": "2024-01-01"}
            ok(p.post(f"/api/v1/response-teams/{w.ids['response_team']}/members", json=join), 201)
        ok(
            p.post(
                f"/api/v1/response-teams/{w.ids['response_team']}/members/{w.ids['leaves']}/leave",
                json={"left_on": "2024-06-01"},
            )
        )
        w.names["destination"] = f"Công ty Cổ phần {x}"
        departure = {"effective_date": "2024-09-01", "reason": "private_sector", "destination": w.names["destination"]}
        ok(p.post(f"/api/v1/officers/{w.ids['leaves']}/departure", json=departure))

        # Training: a class of C with the officer who stays (once training knows them and their unit).
        eventually(lambda: t.get(f"/api/v1/officers/{w.ids['stays']}").status_code == 200, "the officer in training")
        eventually(lambda: t.get(f"/api/v1/units/{w.unit('C')}").status_code == 200, "the unit in training")
        programme = {"programme_id": f"{x}-PR", "name_vi": "ATTT", "kind": "infosec_sysadmin", "level": "basic",
                     "hours": 8, "provider": "Sở", "issues_certificate": False}  # fmt: skip
        ok(t.post("/api/v1/programmes", json=programme), 201)
        klass = {"programme_id": f"{x}-PR", "plan_year": 2024, "title": "Lớp ATTT", "starts_on": "2024-05-06",
                 "ends_on": "2024-05-10", "organiser_unit_id": w.unit("C"), "capacity": 10}  # fmt: skip
        w.ids["class"] = ok(t.post("/api/v1/classes", json=klass), 201)["class_id"]
        enrol = {"officer_id": w.ids["stays"], "enrolled_on": "2024-04-20"}
        ok(t.post(f"/api/v1/classes/{w.ids['class']}/enrolments", json=enrol), 201)

        # Recruitment: a vacancy in C with a rejected application; the exit interview of the leaver.
        eventually(lambda: c.get(f"/api/v1/departures/{w.ids['leaves']}").status_code == 200, "the departure")
        vacancy = {
            "unit_id": w.unit("C"),
            "function": "information_security",
            "positions": 1,
            "opened_on": "2025-01-01",
        }
        w.ids["vacancy"] = ok(c.post("/api/v1/vacancies", json=vacancy), 201)["vacancy_id"]
        w.names["candidate"] = f"Phạm Văn Ứng Viên {x}"
        candidate = {"full_name": w.names["candidate"], "birth_year": 1996, "gender": "male",
                     "email": f"{x.lower()}@example.vn", "phone": "0912 000 111", "degree": "engineer",
                     "degree_field": "it"}  # fmt: skip
        application = {"vacancy_id": w.ids["vacancy"], "candidate": candidate}
        w.ids["application"] = ok(c.post("/api/v1/applications", json=application), 201)["application_id"]
        w.names["rejection"] = f"Thiếu kinh nghiệm {x}"
        reject = {"to_stage": "rejected", "reason": w.names["rejection"]}
        ok(c.post(f"/api/v1/applications/{w.ids['application']}/stage", json=reject))
        w.names["notes"] = f"Ghi chú phỏng vấn {x}"
        interview = {
            "officer_id": w.ids["leaves"],
            "reasons": ["pay"],
            "interviewed_on": "2024-09-05",
            "notes": w.names["notes"],
        }
        ok(c.post("/api/v1/exit-interviews", json=interview), 201)
    return w


def values(body: Any, path: str) -> list[Any]:
    """The values at a JSON path like `items[].full_name` or `candidate.email`."""
    found = [body]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part.removesuffix("[]")
        found = [v.get(key) for v in found if isinstance(v, dict)]
        if many:
            found = [item for v in found for item in (v or [])]
    return found
