"""The generated recruitment: an incentive policy, 2024 staffing plans, vacancies and their pipelines (the
same at every scale). Document numbers, people and e-mail addresses are invented."""

from __future__ import annotations

import random
from typing import NamedTuple

from .dataset import Application, Call, DataSet, Row
from .places import FAMILY, GIVEN, MIDDLE

Stages = tuple[str, ...]
PIPELINE: Stages = ("screened", "interviewed", "offered", "accepted")


class Vacancy(NamedTuple):
    key: str
    unit: str  # code under the province, e.g. SKHCN
    function: str
    positions: int
    opened_on: str
    hires: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (hired_on, the new officer's functions)
    others: tuple[tuple[Stages, str | None], ...] = ()  # applications that stop short: (stages, reason)


VACANCIES = (
    Vacancy("2024-01", "SKHCN", "it_technical", 2, "2024-03-01",
            hires=(("2024-06-03", ("it_technical",)), ("2024-07-01", ("it_technical",))),
            others=((("rejected",), "Không đáp ứng yêu cầu về chuyên ngành đào tạo"),)),
    Vacancy("2024-02", "SKHCN", "information_security", 1, "2024-03-01",
            hires=(("2024-06-17", ("information_security", "it_technical")),),
            others=(((*PIPELINE[:3], "declined"), "Nhận lời mời của doanh nghiệp tư nhân với mức lương cao hơn"),)),
    Vacancy("2024-03", "VPTU", "it_technical", 1, "2024-04-15", hires=(("2024-08-01", ("it_technical",)),)),
    Vacancy("2024-04", "SYT", "information_security", 1, "2024-05-02",
            hires=(("2024-09-03", ("information_security",)),),
            others=((("screened", "rejected"), "Thiếu kinh nghiệm vận hành hệ thống"),)),
    Vacancy("2024-05", "STC", "data", 1, "2024-06-03", hires=(("2024-10-01", ("cds_network_member",)),)),
    Vacancy("2024-06", "TTHTS", "information_security", 2, "2024-09-16",
            others=((PIPELINE[:2], None), (PIPELINE[:1], None), (("rejected",), "Hồ sơ không đầy đủ"))),
    Vacancy("2025-01", "SNV", "it_technical", 1, "2025-03-03",
            others=(((*PIPELINE[:3], "declined"), "Lý do gia đình"), ((), None))),
)  # fmt: skip
POLICY: Row = {
    "name": "Chính sách thu hút, đãi ngộ nhân lực công nghệ thông tin, an toàn thông tin",
    "document_number": "15/2023/NQ-HĐND",
    "document_date": "2023-12-12",
    "monthly_allowance_vnd": 5_000_000,
    "housing": False,
    "training_sponsorship": True,
    "other_benefits": "Hỗ trợ một lần 50 triệu đồng khi được tiếp nhận",
    "eligibility": "Kỹ sư, cử nhân CNTT, ATTT, điện tử viễn thông tốt nghiệp loại giỏi trở lên hoặc thạc sĩ",
    "effective_from": "2024-01-01",
}
# unit code ("" = the province): it_technical, information_security, data, leadership (a child within its parent)
QUOTAS = (("", (220, 160, 20, 180)), ("SKHCN", (16, 10, 4, 2)), ("TTHTS", (12, 8, 2, 1)), ("VPTU", (3, 2, 1, 1)))


def hires_with_infosec() -> int:
    return sum("information_security" in functions for v in VACANCIES for _, functions in v.hires)


def recruitment(ds: DataSet, rng: random.Random) -> None:
    """The policy (a resolution of the provincial People's Council), staffing plans, seven vacancies: five
    filled by six hires in 2024, two still open with candidates in the pipeline."""
    p = ds.prefix
    policy = f"{p}CS-THUHUT-2024"
    ds.recruitment.append(Call("recruitment", "/api/v1/incentive-policies", {"policy_id": policy, **POLICY}))
    for code, (tech, sec, data, lead) in QUOTAS:
        unit = f"{p}VP-{code}" if code else ds.root_id
        quotas = {"it_technical": tech, "information_security": sec, "data": data, "leadership": lead}
        ds.recruitment.append(Call("recruitment", f"/api/v1/staffing-plans/{unit}/2024", {"quotas": quotas}, "PUT"))
    for v in VACANCIES:
        vacancy = f"{p}VT-{v.key}"
        body = {"vacancy_id": vacancy, "unit_id": f"{p}VP-{v.unit}", "function": v.function, "positions": v.positions}
        body |= {
            "title": f"Tuyển dụng {v.function.replace('_', ' ')}",
            "policy_ids": [policy],
            "opened_on": v.opened_on,
        }
        ds.recruitment.append(Call("recruitment", "/api/v1/vacancies", body))
        for stages, reason in v.others:
            ds.applications.append(Application(vacancy, _candidate(ds, rng), stages, reason))
        for hired_on, functions in v.hires:
            hire = {"employment_category": "civil_servant", "assignment": "dedicated", "functions": list(functions)}
            hire["hired_on"] = hired_on
            ds.applications.append(Application(vacancy, _candidate(ds, rng), PIPELINE, None, hire))


def _candidate(ds: DataSet, rng: random.Random) -> Row:
    gender = rng.choice(("female", "male"))
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
    local = f"{ds.prefix.lower().strip('-.')}." if ds.prefix else ""
    return {
        "full_name": name,
        "birth_year": rng.randint(1990, 2001),
        "gender": gender,
        "email": f"{local}ungvien{len(ds.applications) + 1:03d}@example.vn",
        "degree": rng.choice(("engineer", "bachelor", "master")),
        "degree_field": rng.choice(("it", "electronics_telecom")),
    }
