"""The training views sliced by unit subtree, sector and level, over HTTP (the real router, in-process)
on the real PostgreSQL, before and after the 2025-07-01 reorganisation (world: sliced_world.py).

Training: K1 (completed 2024-05-05) passed by a1 (P.SKHCN, province), a3 (D, district), a4 (C1,
commune); K2 (completed 2024-06-05) passed by a6 (P.TU, province) and failed by a5 (C2, commune); K3 of
the 2025 plan (2025-09-10) passed by a4, now in C12. Drill DR1 (2024-10-01) with P.SKHCN and C1;
findings F1 (owner C1, due 2024-11-01) and F2 (owner P.TU, due 2025-03-01) stay open."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from cds_contracts import Event
from cds_contracts import training as t
from services.reporting.tests.integration.scenario import Feeder
from services.reporting.tests.integration.sliced_world import client, get, tree

pytestmark = pytest.mark.integration
D = dt.date
END_2024, END_2025 = D(2024, 12, 31), D(2025, 12, 31)
TARGETS = t.PlanTargets(
    classes=2,
    trainees_province=2,
    trainees_district=1,
    trainees_commune=2,
    advanced_classes=0,
    advanced_trainees=0,
    drills=1,
)


def klass(cid: str, year: int, done: dt.date, trainees: dict[str, tuple[str, str, bool]]) -> list[Event]:
    """A class completed on `done`; trainees: officer -> (unit, level, passed)."""
    events: list[Event] = [
        t.ClassScheduled(
            class_id=cid,
            programme_id="PG",
            programme_kind="infosec_sysadmin",
            advanced=False,
            plan_year=year,
            title=cid,
            starts_on=done - dt.timedelta(days=4),
            ends_on=done,
            organiser_unit_id="P.SKHCN",
            capacity=30,
        )
    ]
    for oid, (uid, level, passed) in trainees.items():
        events += [
            t.TraineeEnrolled(
                class_id=cid, officer_id=oid, unit_id=uid, level=level, enrolled_on=done - dt.timedelta(9)
            ),
            t.TrainingCompleted(
                class_id=cid, officer_id=oid, unit_id=uid, passed=passed, score=80, hours=40, completed_on=done
            ),
        ]
    return [*events, t.ClassCompleted(class_id=cid, completed_on=done)]


def certificate(cid: str, klass_id: str, oid: str, issued: dt.date, expires: dt.date) -> Event:
    return t.CertificateIssued(
        class_id=klass_id,
        certificate_id=cid,
        officer_id=oid,
        programme_id="PG",
        programme_kind="infosec_sysadmin",
        name="ATTT",
        issued_on=issued,
        expires_on=expires,
    )


def training() -> list[Event]:
    return [
        t.TrainingPlanAdopted(plan_id="2024", year=2024, targets=TARGETS),
        *klass(
            "K1",
            2024,
            D(2024, 5, 5),
            {"a1": ("P.SKHCN", "province", True), "a3": ("D", "district", True), "a4": ("C1", "commune", True)},
        ),
        *klass("K2", 2024, D(2024, 6, 5), {"a6": ("P.TU", "province", True), "a5": ("C2", "commune", False)}),
        *klass("K3", 2025, D(2025, 9, 10), {"a4": ("C12", "commune", True)}),
        certificate("CERT-A", "K1", "a1", D(2024, 5, 5), D(2025, 1, 20)),
        certificate("CERT-B", "K1", "a4", D(2024, 5, 5), D(2025, 2, 10)),
        certificate("CERT-C", "K3", "a4", D(2025, 9, 10), D(2026, 1, 15)),
        t.DrillConducted(
            drill_id="DR1",
            title="Diễn tập",
            scenario="ransomware",
            format="live_fire",
            held_on=D(2024, 10, 1),
            plan_year=2024,
            unit_ids=("P.SKHCN", "C1"),
            officer_ids=("a1", "a4"),
        ),
        t.FindingRecorded(
            drill_id="DR1", finding_id="F1", description="backups", owner_unit_id="C1", due_on=D(2024, 11, 1)
        ),
        t.FindingRecorded(
            drill_id="DR1", finding_id="F2", description="logs", owner_unit_id="P.TU", due_on=D(2025, 3, 1)
        ),
    ]


@pytest.fixture
async def c(rpool: asyncpg.Pool, feeder: Feeder) -> AsyncIterator[httpx.AsyncClient]:
    for events in (tree(), training()):
        assert (await feeder.feed(events)).applied == len(events)
    async with client(rpool) as http:
        yield http


async def _actuals(c: httpx.AsyncClient, as_of: dt.date, **params: object) -> tuple[dict[str, int], list[int]]:
    body = await get(c, "training/attainment", as_of, year=2024, **params)
    done = body["completion"]
    return {k: v["actual"] for k, v in body["targets"].items() if v["actual"]}, [
        done["enrolled"],
        done["passed"],
        done["failed"],
    ]


async def test_attainment_counts_the_slices_trainees_against_the_provincial_plan(c: httpx.AsyncClient) -> None:
    whole = await get(c, "training/attainment", END_2024, year=2024)
    assert whole["slice"] == {"unit_id": None, "sectors": [], "levels": []} and whole["as_of"] == "2024-12-31"
    assert {k: v["target"] for k, v in whole["targets"].items()}["trainees_commune"] == 2
    # classes 2/2, province 2/2, district 1/1, commune 1/2, drills 1/1 (advanced targets not planned).
    assert whole["overall_attainment_pct"] == 90.0
    all_ = {"classes": 2, "trainees_province": 2, "trainees_district": 1, "trainees_commune": 1, "drills": 1}
    assert await _actuals(c, END_2024) == (all_, [5, 4, 1])
    # People's Committees: a3 (D), a4 (C1) passed, a5 (C2) failed; K1 and K2 had them; DR1 had C1.
    pcs = {"classes": 2, "trainees_district": 1, "trainees_commune": 1, "drills": 1}
    assert await _actuals(c, END_2024, sector="peoples_committee") == (pcs, [3, 2, 1])
    assert await _actuals(c, END_2024, unit_id="D") == (pcs, [3, 2, 1])
    province = await get(c, "training/attainment", END_2024, year=2024, level="province")
    assert province["overall_attainment_pct"] == 60.0  # (100 + 100 + 0 + 0 + 100) / 5: targets stay whole
    assert await _actuals(c, END_2024, sector="party_agency") == ({"classes": 1, "trainees_province": 1}, [1, 1, 0])
    # By 2024-05-31 only K1 was completed and no drill held.
    k1 = {"classes": 1, "trainees_province": 1, "trainees_district": 1, "trainees_commune": 1}
    assert await _actuals(c, D(2024, 5, 31)) == (k1, [3, 3, 0])
    # After the merger, C12's slice takes in C1's and C2's trainees and drill; no district is left.
    c12 = {"classes": 2, "trainees_commune": 1, "drills": 1}
    assert await _actuals(c, END_2025, unit_id="C12") == (c12, [2, 1, 1])
    assert await _actuals(c, END_2025, level="district") == ({}, [0, 0, 0])


async def test_trained_share_by_the_officers_unit_on_the_day(c: httpx.AsyncClient) -> None:
    def shares(body: dict[str, object]) -> dict[str, tuple[int, int]]:
        return {u["unit_id"]: (u["officers"], u["trained_12m"]) for u in body["units"]}  # type: ignore[attr-defined]

    # On 2024-12-31: a1, a3, a4, a5, a6 serve (a2 retired); all but a5 passed in the last 12 months.
    whole = await get(c, "training/trained-share", END_2024)
    assert shares(whole)["P"] == (5, 4) and whole["totals"]["trained_share_pct"] == 80.0
    pcs = await get(c, "training/trained-share", END_2024, sector="peoples_committee")
    # P rolls up only the People's Committees under it: D, C1, C2 (not P.SKHCN nor P.TU).
    assert shares(pcs) == {"P": (3, 2), "D": (3, 2), "C1": (1, 1), "C2": (1, 0)}
    assert pcs["totals"] == {"officers": 3, "trained_12m": 2, "trained_share_pct": 66.7}
    communes = await get(c, "training/trained-share", END_2024, level="commune")
    assert shares(communes) == {"C1": (1, 1), "C2": (1, 0)} and communes["totals"]["trained_share_pct"] == 50.0
    sub = await get(c, "training/trained-share", END_2024, unit_id="P.SKHCN")
    assert shares(sub) == {"P.SKHCN": (1, 1), "P.TT": (0, 0)} and sub["unit_id"] == "P.SKHCN"
    # On 2025-12-31 only K3 (a4, in C12) is within 12 months; a1, a3 (now P), a4, a6 serve.
    after = await get(c, "training/trained-share", END_2025)
    assert shares(after)["P"] == (4, 1) and shares(after)["C12"] == (1, 1) and "D" not in shares(after)
    assert (await get(c, "training/trained-share", END_2025, unit_id="C12"))["totals"]["trained_share_pct"] == 100.0


async def test_expiring_certificates_by_the_holders_unit(c: httpx.AsyncClient) -> None:
    async def ids(as_of: dt.date, **params: object) -> list[tuple[str, str, int]]:
        body = await get(c, "training/certificates/expiring", as_of, days=90, **params)
        return [(x["certificate_id"], x["unit_id"], x["days_left"]) for x in body["certificates"]]

    assert await ids(END_2024) == [("CERT-A", "P.SKHCN", 20), ("CERT-B", "C1", 41)]
    assert await ids(END_2024, level="commune") == [("CERT-B", "C1", 41)]
    assert await ids(END_2024, sector="state_agency") == [("CERT-A", "P.SKHCN", 20)]
    assert await ids(END_2024, unit_id="D") == [("CERT-B", "C1", 41)]
    assert await ids(END_2025, unit_id="C12") == [("CERT-C", "C12", 15)]
    assert await ids(END_2025, level="province") == []


async def test_drills_by_the_units_taking_part_and_owning_findings(c: httpx.AsyncClient) -> None:
    async def rows(as_of: dt.date, **params: object) -> tuple[dict[str, tuple[int, int, int]], dict[str, int]]:
        body = await get(c, "training/drills", as_of, year=2024, **params)
        got = {u["unit_id"]: (u["drills"], u["open_findings"], u["overdue_findings"]) for u in body["units"]}
        return got, body["totals"]

    everyone = {"C1": (1, 1, 1), "P.SKHCN": (1, 0, 0), "P.TU": (0, 1, 0)}
    assert await rows(END_2024) == (everyone, {"open_findings": 2, "overdue_findings": 1})
    assert await rows(END_2024, sector="peoples_committee") == (
        {"C1": (1, 1, 1)},
        {"open_findings": 1, "overdue_findings": 1},
    )
    assert await rows(END_2024, level="province") == (
        {"P.SKHCN": (1, 0, 0), "P.TU": (0, 1, 0)},
        {"open_findings": 1, "overdue_findings": 0},
    )
    # C1's drill and its finding (now overdue for over a year) stay with the commune that absorbed it.
    assert await rows(END_2025, unit_id="C12") == ({"C1": (1, 1, 1)}, {"open_findings": 1, "overdue_findings": 1})
