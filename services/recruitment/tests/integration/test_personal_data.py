"""Candidates' personal data in recruitment: erasure on request, the retention job (tested with an injected
clock), personnel's officer erasure reaching the candidate record and the exit-interview notes, and the
personal fields of applications, departures and exit interviews following the caller's role and unit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from cds_contracts.personnel_officers import OfficerAppointed, OfficerDepartedV1
from cds_contracts.topics import PERSONNEL_OFFICER_PROFILE
from cds_plumbing.auth import Role
from cds_plumbing.db import create_pool
from recruitment.service_layer.erasure import erase_expired
from services.recruitment.tests.integration.test_api import (
    HIRE,
    Api,
    apply,
    eventually,
    move,
    ok,
    open_vacancy,
    province,
)

pytestmark = pytest.mark.integration
ERASE = {"reference": "DSR-2026-031"}


async def dump(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        rows = [dict(r) for t in tables for r in await conn.fetch(f'SELECT * FROM "{t["tablename"]}"')]
        return json.dumps(rows, default=str, ensure_ascii=False)
    finally:
        await conn.close()


async def retention_pass(dsn: str, now: dt.datetime, months: int = 12) -> list[str]:
    pool = await create_pool(dsn, 1, 2)
    try:
        return await erase_expired(pool, now, months)
    finally:
        await pool.close()


def candidate_of(api: Api, application_id: str) -> dict[str, Any]:
    return ok(api.client.get(f"/api/v1/applications/{application_id}"))["candidate"]  # type: ignore[no-any-return]


def test_candidates_never_hired_are_erased_twelve_months_after_their_applications_closed(api: Api) -> None:
    province(api)
    c = api.client
    vacancy = open_vacancy(api, positions=1)
    rejected = apply(api, vacancy, "Đặng Văn Loại")
    ok(c.post(f"/api/v1/applications/{rejected}/stage", json={"to_stage": "rejected", "reason": "thiếu chứng chỉ"}))
    hired = apply(api, vacancy, "Vũ Thị Nhận")
    move(api, hired, "screened", "interviewed", "offered", "accepted")
    ok(c.post(f"/api/v1/applications/{hired}/hire", json=HIRE), 202)
    still_open = apply(api, open_vacancy(api), "Bùi Văn Chờ")  # its vacancy is still open: not closed yet
    expired_vacancy = open_vacancy(api)
    waiting = apply(api, expired_vacancy, "Hồ Thị Hết")
    ok(c.post(f"/api/v1/vacancies/{expired_vacancy}/close", json={"outcome": "cancelled"}))

    now = dt.datetime.now(dt.UTC)

    def run(at: dt.datetime) -> list[str]:  # one pass of the retention job, at an injected time
        return api.client.portal.call(retention_pass, api.database, at)  # type: ignore[union-attr]

    assert run(now + dt.timedelta(days=360)) == []  # eleven-odd months: nothing is due yet
    due = run(now + dt.timedelta(days=368))
    assert sorted(due) == sorted(candidate_of(api, a)["candidate_id"] for a in (rejected, waiting))
    assert run(now + dt.timedelta(days=368)) == []  # done once
    for gone in (rejected, waiting):
        erased = candidate_of(api, gone)
        assert erased["erased"] is True and erased["full_name"] is None and erased["email"] is None
    assert candidate_of(api, hired)["full_name"] == "Vũ Thị Nhận"
    assert candidate_of(api, still_open)["full_name"] == "Bùi Văn Chờ"
    history = ok(c.get(f"/api/v1/applications/{rejected}"))["stage_history"]
    assert [(h["to_stage"], h["reason"]) for h in history] == [("applied", None), ("rejected", None)]  # facts stay

    everything = api.client.portal.call(dump, api.database)  # type: ignore[union-attr]
    for name in ("Đặng Văn Loại", "Hồ Thị Hết", "thiếu chứng chỉ"):
        assert name not in everything
    log = ok(c.get("/api/v1/audit/personal-data-access", params={"actor": "retention"}))["items"]
    assert {e["subject_ids"][0] for e in log} == set(due)
    assert all(e["operation"] == "retention (12 months after the last application closed)" for e in log)


async def officer_erased(bootstrap: str, prefix: str, officer_id: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(prefix + PERSONNEL_OFFICER_PROFILE.name, None, key=officer_id.encode())
    finally:
        await producer.stop()


def test_erasure_on_request_and_through_personnels_officer_erasure(api: Api) -> None:
    province(api)
    c = api.client
    vacancy = open_vacancy(api, positions=2)
    asked = apply(api, vacancy, "Lý Thị Xoá")
    hired = apply(api, vacancy, "Mai Văn Tuyển")
    move(api, hired, "screened", "interviewed", "offered", "accepted")
    ok(c.post(f"/api/v1/applications/{hired}/hire", json=HIRE), 202)
    api.produce(
        OfficerAppointed(
            officer_id="CB-HIRED",
            unit_id="TD-A",
            employment_category="civil_servant",
            assignment="dedicated",
            effective_date="2025-03-01",
            application_id=hired,
        ),
        OfficerDepartedV1(
            officer_id="CB-HIRED",
            unit_id="TD-A",
            effective_date="2025-09-01",
            reason="private_sector",
            destination="FPT",
        ),
    )
    eventually(lambda: c.get("/api/v1/departures/CB-HIRED").status_code == 200, "the departure")
    interview = {"officer_id": "CB-HIRED", "reasons": ["pay"], "interviewed_on": "2025-09-05", "notes": "Lương thấp"}
    ok(c.post("/api/v1/exit-interviews", json=interview), 201)

    # On request: province_admin only, idempotent, logged.
    candidate_id = candidate_of(api, asked)["candidate_id"]
    path = f"/api/v1/candidates/{candidate_id}/erasure"
    assert c.post(path, json=ERASE, headers=api.token(Role.UNIT_EDITOR, "TD")).status_code == 403
    first = ok(c.post(path, json=ERASE))
    assert (first["subject_kind"], first["already_erased"]) == ("candidate", False)
    assert ok(c.post(path, json=ERASE))["already_erased"] is True
    assert c.post("/api/v1/candidates/UV-NOBODY/erasure", json=ERASE).status_code == 404

    # Personnel erased the officer the hire became: its tombstone reaches the candidate and the notes.
    api.client.portal.call(officer_erased, api.bootstrap, api.prefix, "CB-HIRED")  # type: ignore[union-attr]
    eventually(lambda: candidate_of(api, hired)["erased"], "the hired candidate erased")
    (notes,) = ok(c.get("/api/v1/exit-interviews"))["items"]
    assert (notes["notes"], notes["reasons"]) == (None, ["pay"])  # the answer's code stays for the figures
    everything = api.client.portal.call(dump, api.database)  # type: ignore[union-attr]
    for gone in ("Lý Thị Xoá", "Mai Văn Tuyển", "Lương thấp", "FPT"):
        assert gone not in everything, gone
    hired_candidate = candidate_of(api, hired)["candidate_id"]
    tombstones = [
        r["key"] for r in api.outbox() if r["topic"] == "recruitment.candidate-profile" and r["payload"] is None
    ]
    assert hired_candidate in tombstones and candidate_id not in tombstones  # never on the topic: none needed


def test_personal_fields_follow_the_role_and_the_vacancy_unit(api: Api) -> None:
    province(api)
    in_td = apply(api, open_vacancy(api, unit_id="TD-A"), "Ngô Thị Trong")
    elsewhere = apply(api, open_vacancy(api, unit_id="SO-KHCN"), "Ngô Văn Ngoài")

    def names(headers: dict[str, str]) -> dict[str, Any]:
        items = ok(api.client.get("/api/v1/applications", headers=headers))["items"]
        return {i["application_id"]: i["full_name"] for i in items}

    assert names(api.token(Role.VIEWER)) == {in_td: None, elsewhere: None}
    assert names(api.token(Role.UNIT_EDITOR, "TD")) == {in_td: "Ngô Thị Trong", elsewhere: None}
    assert names(api.token(Role.PROVINCE_ADMIN)) == {in_td: "Ngô Thị Trong", elsewhere: "Ngô Văn Ngoài"}
    detail = ok(api.client.get(f"/api/v1/applications/{in_td}", headers=api.token(Role.UNIT_EDITOR, "SO-KHCN")))
    assert {detail["candidate"][k] for k in ("full_name", "email", "phone", "birth_year")} == {None}
    assert detail["stage"] == "applied" and detail["unit_id"] == "TD-A"
