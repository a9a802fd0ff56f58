"""The generated incident-response team, training year and recruitment (see `demo.generator` for the choices)."""

from __future__ import annotations

import datetime as dt
import random

from cds_contracts.training import PlanTargets
from cds_plumbing.clock import PROVINCE_TZ, day_start

from .dataset import Call, DataSet, Finding, Row

TEAM_FORMED = "2023-03-01"
GAP_SHIFT = 19  # the second half of day 9 from the load day is left uncovered (documented gap)
# The contract's model checks the names: a target renamed or added there cannot be missed here.
PLAN_2024 = PlanTargets(
    classes=10,
    trainees_province=100,
    trainees_district=100,
    trainees_commune=100,
    advanced_classes=1,
    advanced_trainees=30,
    drills=1,
).model_dump()


def _n(ds: DataSet, x: float) -> int:
    return max(1, round(x * ds.scale))


def _iso(when: dt.datetime) -> str:
    return when.isoformat()


def response_team(
    ds: DataSet, by_unit: dict[str, list[Row]], centre: str, techs: list[Row], groups: dict[str, list[str]]
) -> list[str]:
    """Form the provincial team (12 members), its on-call rota for 32 days from today and its incidents; the
    centre's technical officers get their degrees. Returns the member ids."""
    p, skhcn, team = ds.prefix, f"{ds.prefix}VP-SKHCN", ds.response_team_id
    body: Row
    for i, tech in enumerate(techs):
        body = {
            "degree_level": ("engineer", "bachelor", "master")[i % 3],
            "field": ("it", "electronics_telecom")[i % 2],
        }
        ds.personnel.append(
            Call("personnel", f"/api/v1/officers/{tech['officer_id']}/qualifications", body | {"year": 2012 + i % 8})
        )
    pool = [r["officer_id"] for r in techs]
    pool += [
        r["officer_id"] for d in groups["department"] for r in by_unit[d][:2] if r["functions"][0] == "it_technical"
    ]
    pool = list(dict.fromkeys(pool))[:10]
    roles = ["analyst"] * 4 + ["network_admin"] * 3 + ["liaison"] * 3
    members = [(by_unit[centre][0]["officer_id"], "lead"), (by_unit[skhcn][0]["officer_id"], "coordinator")]
    members += list(zip(pool, roles, strict=False))
    scope = "unit" if ds.prefix else "provincial"
    name = "Đội ứng cứu sự cố an toàn thông tin mạng tỉnh Vĩnh Phúc"
    body = {"team_id": team, "name": name, "scope": scope, "unit_id": skhcn, "formed_on": TEAM_FORMED}
    ds.personnel.append(Call("personnel", "/api/v1/response-teams", body))
    for officer, role in members:
        body = {"officer_id": officer, "role": role, "joined_on": TEAM_FORMED}
        ds.personnel.append(Call("personnel", f"/api/v1/response-teams/{team}/members", body))
    rota = [m for m, _ in members[2:]] or [m for m, _ in members]
    midnight = day_start(ds.today)
    for i in range(64):
        if i == GAP_SHIFT:
            continue
        start = midnight + dt.timedelta(hours=12 * i)
        body = {
            "shift_id": f"{p}CA-{i + 1:03d}",
            "starts_at": _iso(start),
            "ends_at": _iso(start + dt.timedelta(hours=12)),
        }
        body |= {
            "primary_officer_id": rota[i % len(rota)],
            "backup_officer_id": members[0][0] if len(rota) == 1 else rota[(i + 3) % len(rota)],
        }
        ds.personnel.append(Call("personnel", f"/api/v1/response-teams/{team}/shifts", body))
    if len(rota) > 1 and body["backup_officer_id"] == body["primary_officer_id"]:
        raise AssertionError("rota too small")
    incidents = [
        (
            "2024-11",
            dt.datetime(2024, 11, 5, 9, 20, tzinfo=PROVINCE_TZ),
            "high",
            groups["district"][0],
            35,
            300,
            "Phát hiện mã độc trên máy trạm của bộ phận một cửa",
        ),
        (
            "R1",
            midnight - dt.timedelta(days=55) + dt.timedelta(hours=14, minutes=30),
            "medium",
            skhcn,
            25,
            360,
            "Dò quét mật khẩu hàng loạt vào cổng dịch vụ công trực tuyến",
        ),
        (
            "R2",
            midnight - dt.timedelta(days=20) + dt.timedelta(hours=9, minutes=10),
            "high",
            centre,
            12,
            210,
            "Truy cập bất thường vào hệ thống thư điện tử công vụ",
        ),
    ]
    for key, at, severity, unit, ack, resolve, summary in incidents:
        incident = f"{p}SC-{key}"
        body = {"incident_id": incident, "reported_at": _iso(at), "severity": severity, "affected_unit_id": unit}
        ds.personnel.append(Call("personnel", f"/api/v1/response-teams/{team}/incidents", body | {"summary": summary}))
        acked = {"acknowledged_at": _iso(at + dt.timedelta(minutes=ack)), "responder_ids": [pool[0], pool[-1]]}
        ds.personnel.append(Call("personnel", f"/api/v1/response-teams/{team}/incidents/{incident}/acknowledge", acked))
        done = {"resolved_at": _iso(at + dt.timedelta(minutes=resolve)), "outcome": "true_positive"}
        ds.personnel.append(Call("personnel", f"/api/v1/response-teams/{team}/incidents/{incident}/resolve", done))
    return [m for m, _ in members]


def _programmes(ds: DataSet) -> dict[str, str]:
    p, provider = ds.prefix, "Sở Khoa học và Công nghệ"
    specs = [
        (
            "upgrade",
            "Bồi dưỡng nâng cao kiến thức công nghệ thông tin",
            "IT knowledge upgrade",
            "it_upgrade",
            "basic",
            40,
            None,
        ),
        (
            "advanced",
            "Đào tạo nghiệp vụ nâng cao cho cán bộ CNTT chuyên trách",
            "Advanced training for dedicated IT officers",
            "advanced_it",
            "advanced",
            80,
            24,
        ),
        (
            "investment",
            "Quản lý đầu tư ứng dụng công nghệ thông tin",
            "Managing investment in IT applications",
            "it_investment_management",
            "intermediate",
            24,
            None,
        ),
        (
            "infosec",
            "Quản trị mạng và bảo đảm an toàn thông tin",
            "Network administration and information security",
            "infosec_sysadmin",
            "intermediate",
            60,
            36,
        ),
    ]
    ids = {}
    for key, name_vi, name_en, kind, level, hours, months in specs:
        ids[key] = f"{p}CT-{kind.upper().replace('_', '-')}"
        body: Row = {"programme_id": ids[key], "name_vi": name_vi, "name_en": name_en, "kind": kind, "level": level}
        body |= {"hours": hours, "provider": provider, "issues_certificate": months is not None}
        body["certificate_validity_months"] = months
        ds.training.append(Call("training", "/api/v1/programmes", body))
    return ids


def _class(
    ds: DataSet,
    class_id: str,
    programme: str,
    year: int,
    title: str,
    start: dt.date,
    days: int,
    organiser: str,
    trainees: list[str],
    levels: list[str],
) -> None:
    end = start + dt.timedelta(days=days - 1)
    body: Row = {"class_id": class_id, "programme_id": programme, "plan_year": year, "title": title}
    body |= {"starts_on": start.isoformat(), "ends_on": end.isoformat(), "place": "Trung tâm Hạ tầng số, Vĩnh Yên"}
    body |= {"organiser_unit_id": organiser, "capacity": len(trainees), "target_levels": levels}
    path = f"/api/v1/classes/{class_id}"
    ds.training.append(Call("training", "/api/v1/classes", body))
    enrolled = (start - dt.timedelta(days=14)).isoformat()
    ds.training += [
        Call("training", f"{path}/enrolments", {"officer_id": o, "enrolled_on": enrolled}) for o in trainees
    ]
    ds.training.append(Call("training", f"{path}/start", {"started_on": start.isoformat()}))
    results = [
        {"officer_id": o, "passed": True, "score": 70 + (i * 7) % 28, "hours": days * 8} for i, o in enumerate(trainees)
    ]
    ds.training.append(Call("training", f"{path}/results", {"completed_on": end.isoformat(), "results": results}))
    ds.training.append(Call("training", f"{path}/complete", {"completed_on": end.isoformat()}))


def training(
    ds: DataSet,
    rng: random.Random,
    by_unit: dict[str, list[Row]],
    level_of: dict[str, str],
    centre: str,
    groups: dict[str, list[str]],
    team: list[str],
) -> None:
    """The 2024 plan and its classes (every trainee passes), the 2024 live-fire drill and its findings, the
    2025 investment-management and information-security courses, and a tabletop drill 40 days ago."""
    p, skhcn = ds.prefix, f"{ds.prefix}VP-SKHCN"
    ids = _programmes(ds)
    targets = {k: _n(ds, v) for k, v in PLAN_2024.items()}
    targets["advanced_classes"], targets["drills"] = 1, 1
    decision = "Kế hoạch số 35/KH-SKHCN ngày 15/01/2024"
    ds.training.append(Call("training", "/api/v1/plans", {"year": 2024, "targets": targets, "decision": decision}))
    serving = [r for rows in by_unit.values() for r in rows if r["effective_date"] <= "2023-12-31"]
    taken: set[str] = set()

    def sample(rows: list[Row], k: int) -> list[str]:
        free = [r["officer_id"] for r in rows if r["officer_id"] not in taken]
        chosen = rng.sample(free, min(k, len(free)))
        taken.update(chosen)
        return chosen

    trainees: list[tuple[str, str]] = []
    for level in ("province", "district", "commune"):
        pool = [r for r in serving if level_of[r["unit_id"]] == level]
        trainees += [(o, level) for o in sample(pool, targets[f"trainees_{level}"])]
    classes = targets["classes"]
    size = -(-len(trainees) // classes)
    for i in range(classes):
        chunk = trainees[i * size : (i + 1) * size]
        levels = sorted({lv for _, lv in chunk})
        start = dt.date(2024, 3, 4) + dt.timedelta(weeks=3 * i)
        title = f"Lớp bồi dưỡng nâng cao kiến thức CNTT số {i + 1}/2024"
        _class(
            ds, f"{p}LH-2024-{i + 1:02d}", ids["upgrade"], 2024, title, start, 5, skhcn, [o for o, _ in chunk], levels
        )
    dedicated = [r for r in serving if r["assignment"] == "dedicated"]
    advanced = sample(dedicated, targets["advanced_trainees"])
    title = "Lớp đào tạo nghiệp vụ nâng cao cho cán bộ CNTT chuyên trách 2024"
    _class(ds, f"{p}LH-2024-NC", ids["advanced"], 2024, title, dt.date(2024, 8, 12), 10, skhcn, advanced, [])
    drill = f"{p}DT-2024-THUCCHIEN"
    units = [skhcn, centre, *groups["district"], *groups["department"][1:4]]
    net_admins = [by_unit[d][1]["officer_id"] for d in groups["district"] if len(by_unit[d]) > 1]
    body: Row = {"drill_id": drill, "title": "Diễn tập thực chiến bảo đảm an toàn thông tin mạng năm 2024"}
    body |= {
        "scenario": "Tấn công mã hóa dữ liệu (ransomware) vào hệ thống quản lý văn bản và điều hành",
        "format": "live_fire",
        "held_on": "2024-10-17",
        "plan_year": 2024,
        "unit_ids": units,
        "officer_ids": list(dict.fromkeys(team + net_admins)),
        "objectives": ["Phát hiện và ngăn chặn tấn công", "Khôi phục hệ thống từ bản sao lưu", "Phối hợp giữa các cấp"],
    }
    ds.training.append(Call("training", "/api/v1/drills", body))
    findings = [
        ("Chưa có phương án sao lưu dữ liệu dự phòng ngoài trụ sở", groups["district"][0], "2025-01-31", "2025-01-20"),
        ("Quy trình phối hợp giữa Đội ứng cứu và các đơn vị chưa rõ đầu mối", skhcn, "2025-03-31", "2025-03-14"),
        ("Một số máy chủ chưa cập nhật bản vá bảo mật", groups["department"][2], "2025-06-30", None),
    ]
    for text, owner, due, closed in findings:
        ds.findings.append(Finding(drill, {"description": text, "owner_unit_id": owner, "due_on": due}, closed))
    leaders = [
        by_unit[u][0]["officer_id"]
        for u in groups["department"] + groups["district"]
        if "it_leader" in by_unit[u][0]["functions"]
    ][:25]
    _class(
        ds,
        f"{p}LH-2025-QLDT",
        ids["investment"],
        2025,
        "Lớp quản lý đầu tư ứng dụng CNTT 2025",
        dt.date(2025, 3, 10),
        5,
        skhcn,
        leaders,
        [],
    )
    infosec = list(dict.fromkeys(team[2:] + [r["officer_id"] for r in dedicated]))[:25]
    _class(
        ds,
        f"{p}LH-2025-ATTT",
        ids["infosec"],
        2025,
        "Lớp chuyên sâu quản trị mạng và an toàn thông tin 2025",
        dt.date(2025, 5, 12),
        10,
        skhcn,
        infosec,
        [],
    )
    held = ds.today - dt.timedelta(days=40)
    body = {"drill_id": f"{p}DT-GANNHAT", "title": "Diễn tập trên bàn: sự cố lộ lọt dữ liệu", "format": "tabletop"}
    body |= {
        "scenario": "Lộ lọt dữ liệu cá nhân từ cổng dịch vụ công",
        "held_on": held.isoformat(),
        "plan_year": held.year,
        "unit_ids": [skhcn, centre],
        "officer_ids": team,
        "objectives": [],
    }
    ds.training.append(Call("training", "/api/v1/drills", body))
