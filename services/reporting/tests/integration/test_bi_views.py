"""The `reporting.v_*` views BI tools query, on the real PostgreSQL: hand-computed rows for the scenario
(province before and after the 2025 reorganisation, a training year, a vacancy filled), the views
following a schema swap, and BI-VIEWS.md naming exactly the views that exist."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from reporting.adapters.projection_schema import create_schema, swap_in
from services.reporting.tests.integration.scenario import Feeder, correction, history, reorganisation
from services.reporting.tests.integration.test_recruitment_views import recruitment
from services.reporting.tests.integration.test_training_views import year_2024

pytestmark = pytest.mark.integration
D = dt.date
DOC = Path(__file__).resolve().parents[2] / "BI-VIEWS.md"  # services/reporting/BI-VIEWS.md


@pytest.fixture
async def fed(feeder: Feeder) -> Feeder:
    for events in (history() + reorganisation() + correction(), year_2024(), recruitment()):
        result = await feeder.feed(events)
        assert result.dead_lettered == 0 and result.applied == len(events)
    return feeder


async def _rows(pool: asyncpg.Pool, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in await pool.fetch(sql, *args)]


async def test_units_lineage_and_dated_assignments_without_names(rpool: asyncpg.Pool, fed: Feeder) -> None:
    units = await _rows(rpool, "SELECT unit_id, valid_from, valid_to, parent_id, sector FROM reporting.v_units")
    assert len(units) == 10  # P and C3 have two versions each
    assert {u for u in units if u[0] in ("P", "C3", "C12", "D", "P.HTH")} == {
        ("P", D(2020, 1, 1), D(2025, 6, 30), None, "peoples_committee"),
        ("P", D(2025, 7, 1), None, None, "peoples_committee"),
        ("C3", D(2020, 1, 1), D(2025, 6, 30), "D", "peoples_committee"),
        ("C3", D(2025, 7, 1), None, "P", "peoples_committee"),
        ("C12", D(2025, 7, 1), None, "P", "peoples_committee"),
        ("D", D(2020, 1, 1), D(2025, 6, 30), "P", "peoples_committee"),
        ("P.HTH", D(2020, 1, 1), None, "P", "other"),
    }
    assert set(await _rows(rpool, "SELECT * FROM reporting.v_unit_lineage")) == {
        ("C1", "C12", "merge", D(2025, 7, 1)),
        ("C2", "C12", "merge", D(2025, 7, 1)),
    }
    sql = """SELECT valid_from, valid_to, unit_id, assignment, information_security, it_technical, it_leader
             FROM reporting.v_officer_assignments WHERE officer_id = $1 ORDER BY valid_from"""
    assert await _rows(rpool, sql, "O7") == [
        (D(2024, 6, 1), D(2024, 12, 31), "C3", "concurrent", False, False, False),
        (D(2025, 1, 1), None, "C3", "dedicated", False, True, False),
    ]
    # O6's departure was corrected to 1 August 2025: the period ends the day before.
    assert await _rows(rpool, sql, "O6") == [(D(2023, 1, 1), D(2025, 7, 31), "C3", "dedicated", True, False, False)]
    columns = await rpool.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'reporting' AND column_name ~ 'name'"
    )
    assert {c["column_name"] for c in columns} == {"name_vi", "name_en"}  # unit names only, never a person's


async def test_headcount_today_and_month_ends(rpool: asyncpg.Pool, fed: Feeder) -> None:
    today = {
        r[0]: r[1:]
        for r in await _rows(rpool, "SELECT unit_id, total, dedicated, it_leader FROM reporting.v_headcount_today")
    }
    # O6 left on 2025-08-01; O3 moved to P, O4 and O5 to C12 on 2025-07-01.
    assert today == {"P": (1, 1, 1), "P.SKHCN": (2, 1, 1), "P.HTH": (1, 0, 0), "C12": (2, 0, 1), "C3": (1, 1, 0)}
    sql = "SELECT unit_id, total FROM reporting.v_monthly_headcount WHERE month = $1"
    assert dict(await _rows(rpool, sql, "2024-12")) == {"P.SKHCN": 2, "P.HTH": 1, "D": 1, "C1": 1, "C2": 1, "C3": 2}
    assert dict(await _rows(rpool, sql, "2025-07")) == {"P": 1, "P.SKHCN": 2, "P.HTH": 1, "C12": 2, "C3": 2}
    assert dict(await _rows(rpool, sql, "2025-08")) == {"P": 1, "P.SKHCN": 2, "P.HTH": 1, "C12": 2, "C3": 1}
    first = await _rows(rpool, "SELECT min(month), min(month_end) FROM reporting.v_monthly_headcount")
    assert first == [("2021-03", D(2021, 3, 31))]
    assert dict(await _rows(rpool, sql, "2021-03")) == {"P.SKHCN": 2}
    c3 = await _rows(
        rpool,
        "SELECT information_security FROM reporting.v_monthly_headcount WHERE month = '2025-07' AND unit_id = 'C3'",
    )
    assert c3 == [(1,)]


async def test_departures_and_community_teams(rpool: asyncpg.Pool, fed: Feeder) -> None:
    assert await _rows(
        rpool, "SELECT officer_id, departure_date, month, reason, unit_id FROM reporting.v_departures"
    ) == [("O6", D(2025, 8, 1), "2025-08", "other_public_body", "C3")]
    columns = await _rows(
        rpool, "SELECT column_name FROM information_schema.columns WHERE table_name = 'v_departures' ORDER BY 1"
    )
    assert ("destination",) not in columns  # the destination employer is personal data: it stays in personnel
    teams = await _rows(rpool, "SELECT team_id, valid_from, valid_to, commune_id FROM reporting.v_community_teams")
    assert set(teams) == {
        ("T1", D(2023, 5, 1), D(2025, 6, 30), "C1"),
        ("T1", D(2025, 7, 1), None, "C12"),
        ("T2", D(2023, 5, 1), D(2025, 6, 30), "C2"),
        ("T2", D(2025, 7, 1), None, "C12"),
        ("T3", D(2023, 6, 1), None, "C3"),
        ("T4", D(2025, 9, 1), None, "C3"),
    }
    members = await _rows(rpool, "SELECT commune_id, affiliation, members FROM reporting.v_team_members_by_affiliation")
    # m5 left T3 in January 2025
    assert set(members) == {
        ("C12", "youth_union", 2),
        ("C12", "womens_union", 1),
        ("C3", "police", 1),
        ("C3", "health_workers", 1),
    }


async def test_training_and_recruitment(rpool: asyncpg.Pool, fed: Feeder) -> None:
    assert await _rows(rpool, "SELECT * FROM reporting.v_training_plans") == [(2024, 1, 2, 2, 1, 1, 1, 1, 1)]
    results = await _rows(
        rpool, "SELECT class_id, officer_id, level, passed, counts_as_passed FROM reporting.v_training_results"
    )
    assert set(results) == {
        ("K1", "o1", "province", True, True),
        ("K1", "o3", "district", True, True),
        ("K2", "o2", "province", True, True),
        ("K2", "o4", "commune", False, False),
        ("K2", "o5", "commune", None, False),  # withdrew
        ("ADV", "o3", "district", True, True),
    }
    vacancies = await _rows(
        rpool, "SELECT vacancy_id, function, positions, closed_on, outcome, hired FROM reporting.v_vacancies"
    )
    assert set(vacancies) == {
        ("V1", "information_security", 1, D(2024, 6, 1), "filled", 1),
        ("V2", "data", 2, None, None, 0),
    }
    assert await _rows(
        rpool, "SELECT application_id, vacancy_id, unit_id, hired_on, officer_id, appointed FROM reporting.v_hires"
    ) == [("A1", "V1", "S", D(2024, 6, 1), "o11", True)]


async def test_the_views_follow_a_swap_to_a_rebuilt_schema(rpool: asyncpg.Pool, fed: Feeder) -> None:
    count = "SELECT count(*) FROM reporting.v_officer_assignments"
    assert await rpool.fetchval(count) == 12  # O3, O4 and O5 changed unit on 2025-07-01, O7 its assignment
    async with rpool.acquire() as conn:
        await create_schema(conn, "proj_2")
        assert await swap_in(conn, "proj_2", rebuild_consumer="rebuild-test", live_consumer="x") == "proj_1"
    assert not await rpool.fetchval("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'proj_1')")
    assert await _views(rpool) == _documented()  # none was dropped with proj_1
    assert await rpool.fetchval(count) == 0  # they read the new, still empty, schema
    await fed.feed(history())  # the live consumer now writes into proj_2 (new offsets and event ids)
    assert await rpool.fetchval(count) == 9  # no reorganisation there: only O7 has two periods
    by_commune = "SELECT commune_id, sum(members) FROM reporting.v_team_members_by_affiliation GROUP BY 1"
    assert dict(await _rows(rpool, by_commune)) == {"C1": 2, "C2": 1, "C3": 2}


async def test_bi_views_md_names_exactly_the_views_that_exist(rpool: asyncpg.Pool) -> None:
    assert await _views(rpool) == _documented()


async def _views(pool: asyncpg.Pool) -> set[str]:
    rows = await pool.fetch("SELECT table_name FROM information_schema.views WHERE table_schema = 'reporting'")
    return {r["table_name"] for r in rows}


def _documented() -> set[str]:
    assert Path(DOC).is_file()
    return set(re.findall(r"reporting\.(v_\w+)", DOC.read_text(encoding="utf-8")))
