"""Training figures on the real PostgreSQL, fed through the projection consumer, against hand-computed
numbers: plan attainment (and an amendment, and a class cancelled after the fact), completion rate,
trained share by unit, certificates expiring within 90 days, drills and open findings."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from cds_contracts import Event
from cds_contracts import training as t
from cds_contracts.personnel_officers import OfficerAppointed
from cds_contracts.personnel_org_units import OrgUnitRegistered
from reporting.domain.slices import WHOLE_PROVINCE, Slice, UnknownUnitError
from reporting.service_layer import training_views as tv
from reporting.service_layer.officer_views import ViewContext
from services.reporting.tests.integration.scenario import Feeder

pytestmark = pytest.mark.integration
D = dt.date
TARGETS = t.PlanTargets(
    classes=2,
    trainees_province=2,
    trainees_district=1,
    trainees_commune=1,
    advanced_classes=1,
    advanced_trainees=1,
    drills=1,
)


def units_and_officers() -> list[Event]:
    def unit(uid: str, level: str, parent: str | None) -> Event:
        return OrgUnitRegistered(
            unit_id=uid,
            name_vi=uid,
            kind="peoples_committee",
            level=level,
            parent_id=parent,
            valid_from=D(2020, 1, 1),
        )

    def officer(oid: str, uid: str) -> Event:
        return OfficerAppointed(
            officer_id=oid,
            unit_id=uid,
            employment_category="civil_servant",
            assignment="concurrent",
            functions=(),
            effective_date=D(2023, 1, 1),
        )

    return [
        unit("P", "province", None),
        unit("D", "district", "P"),
        unit("C", "commune", "D"),
        officer("o1", "P"),
        officer("o2", "P"),
        officer("o3", "D"),
        officer("o4", "C"),
        officer("o5", "C"),
    ]


def klass(cid: str, advanced: bool = False) -> t.ClassScheduled:
    return t.ClassScheduled(
        class_id=cid,
        programme_id="PG",
        programme_kind="advanced_it" if advanced else "it_upgrade",
        advanced=advanced,
        plan_year=2024,
        title=cid,
        starts_on=D(2024, 5, 1),
        ends_on=D(2024, 5, 5),
        organiser_unit_id="P",
        capacity=30,
    )


def enrol(cid: str, oid: str, unit: str, level: str) -> t.TraineeEnrolled:
    return t.TraineeEnrolled(
        class_id=cid,
        officer_id=oid,
        unit_id=unit,
        level=level,
        enrolled_on=D(2024, 4, 20),
    )


def result(cid: str, oid: str, unit: str, passed: bool = True) -> t.TrainingCompleted:
    return t.TrainingCompleted(
        class_id=cid, officer_id=oid, unit_id=unit, passed=passed, score=80, hours=40, completed_on=D(2024, 5, 5)
    )


def done(cid: str) -> t.ClassCompleted:
    return t.ClassCompleted(class_id=cid, completed_on=D(2024, 5, 5))


def year_2024() -> list[Event]:
    return [
        t.TrainingPlanAdopted(plan_id="2024", year=2024, targets=TARGETS),
        # K1: o1 (province) and o3 (district) pass; K2: o2 (province) passes, o4 (commune) fails, o5 withdraws.
        klass("K1"),
        enrol("K1", "o1", "P", "province"),
        enrol("K1", "o3", "D", "district"),
        t.ClassStarted(class_id="K1", started_on=D(2024, 5, 1)),
        result("K1", "o1", "P"),
        result("K1", "o3", "D"),
        done("K1"),
        klass("K2"),
        enrol("K2", "o2", "P", "province"),
        enrol("K2", "o4", "C", "commune"),
        enrol("K2", "o5", "C", "commune"),
        t.EnrolmentWithdrawn(class_id="K2", officer_id="o5", withdrawn_on=D(2024, 5, 2)),
        result("K2", "o2", "P"),
        result("K2", "o4", "C", passed=False),
        done("K2"),
        t.CertificateIssued(
            class_id="K2",
            certificate_id="CERT-2",
            officer_id="o2",
            programme_id="PG",
            programme_kind="infosec_sysadmin",
            name="ATTT",
            issued_on=D(2024, 5, 5),
            expires_on=D(2025, 2, 1),
        ),
        # Advanced class: o3 passes.
        klass("ADV", advanced=True),
        enrol("ADV", "o3", "D", "district"),
        result("ADV", "o3", "D"),
        done("ADV"),
        t.DrillConducted(
            drill_id="DR1",
            title="Diễn tập",
            scenario="ransomware",
            format="live_fire",
            held_on=D(2024, 10, 1),
            plan_year=2024,
            unit_ids=("P", "D"),
            officer_ids=("o1", "o3"),
        ),
        t.FindingRecorded(
            drill_id="DR1", finding_id="F1", description="backups", owner_unit_id="D", due_on=D(2024, 11, 1)
        ),
        t.FindingRecorded(
            drill_id="DR1", finding_id="F2", description="logging", owner_unit_id="P", due_on=D(2025, 3, 1)
        ),
        t.FindingClosed(drill_id="DR1", finding_id="F2", closed_on=D(2024, 12, 1)),
    ]


@pytest.fixture
async def ctx(rpool: asyncpg.Pool, feeder: Feeder) -> ViewContext:
    for events in (units_and_officers(), year_2024()):
        result = await feeder.feed(events)
        assert result.dead_lettered == 0
    return ViewContext(rpool, "reporting-projections", ())


async def test_attainment_against_the_plan_and_the_completion_rate(ctx: ViewContext, feeder: Feeder) -> None:
    body = await tv.attainment(ctx, D(2024, 12, 31), WHOLE_PROVINCE, 2024)
    got = {k: (v["target"], v["actual"], v["attainment_pct"]) for k, v in body["targets"].items()}
    assert got == {
        "classes": (2, 2, 100.0),
        "trainees_province": (2, 2, 100.0),
        "trainees_district": (1, 1, 100.0),
        "trainees_commune": (1, 0, 0.0),
        "advanced_classes": (1, 1, 100.0),
        "advanced_trainees": (1, 1, 100.0),
        "drills": (1, 1, 100.0),
    }
    assert body["overall_attainment_pct"] == round(600 / 7, 1)  # six targets met, one at 0%
    # 6 enrolments in completed classes (K1: 2, K2: 3, ADV: 1), 1 withdrawn: 5 counted, 4 passed.
    assert body["completion"] == {"enrolled": 5, "passed": 4, "failed": 1, "completion_rate_pct": 80.0}

    # An amendment lowers the commune target to 0 (no longer counted); cancelling K1 after the fact
    # removes a class and two trainees.
    await feeder.feed(
        [
            t.TrainingPlanAmended(
                plan_id="2024",
                year=2024,
                revision=2,
                reason="merger",
                targets=TARGETS.model_copy(update={"trainees_commune": 0}),
            ),
            t.ClassCancelled(class_id="K1", cancelled_on=D(2024, 12, 20), reason="annulled"),
        ]
    )
    body = await tv.attainment(ctx, D(2024, 12, 31), WHOLE_PROVINCE, 2024)
    after = {k: (v["actual"], v["attainment_pct"]) for k, v in body["targets"].items()}
    assert body["plan_revision"] == 2
    assert after["classes"] == (1, 50.0) and after["trainees_province"] == (1, 50.0)
    assert after["trainees_district"] == (0, 0.0) and after["trainees_commune"] == (0, None)
    assert body["overall_attainment_pct"] == round((50 + 50 + 0 + 100 + 100 + 100) / 6, 1)


async def test_trained_share_rolls_up_the_last_twelve_months(ctx: ViewContext) -> None:
    body = await tv.trained_share(ctx, D(2024, 12, 31), WHOLE_PROVINCE)
    by_unit = {u["unit_id"]: (u["officers"], u["trained_12m"]) for u in body["units"]}
    # Passed in 2024: o1, o2 (P), o3 (D); o4 failed, o5 withdrew.
    assert by_unit == {"P": (5, 3), "D": (3, 1), "C": (2, 0)}
    assert body["totals"] == {"officers": 5, "trained_12m": 3, "trained_share_pct": 60.0}
    later = await tv.trained_share(ctx, D(2025, 6, 1), Slice("D"))  # 12 months after May 2024 have passed
    assert {u["unit_id"]: u["trained_12m"] for u in later["units"]} == {"D": 0, "C": 0}
    with pytest.raises(UnknownUnitError):
        await tv.trained_share(ctx, D(2024, 12, 31), Slice("NOWHERE"))


async def test_certificates_expiring_within_90_days(ctx: ViewContext) -> None:
    soon = await tv.expiring(ctx, D(2024, 12, 1), WHOLE_PROVINCE, 90)
    assert [(c["certificate_id"], c["officer_id"], c["unit_id"], c["days_left"]) for c in soon["certificates"]] == [
        ("CERT-2", "o2", "P", 62)
    ]
    assert (await tv.expiring(ctx, D(2024, 10, 1), WHOLE_PROVINCE, 90))["certificates"] == []
    assert all("full_name" not in c for c in soon["certificates"])  # aggregated service: officers by id only


async def test_drills_and_open_findings_by_unit(ctx: ViewContext) -> None:
    body = await tv.drills(ctx, D(2024, 11, 15), WHOLE_PROVINCE, 2024)
    assert {u["unit_id"]: (u["drills"], u["open_findings"], u["overdue_findings"]) for u in body["units"]} == {
        "P": (1, 1, 0),
        "D": (1, 1, 1),
    }
    body = await tv.drills(ctx, D(2024, 12, 31), WHOLE_PROVINCE, 2024)
    assert {u["unit_id"]: u["open_findings"] for u in body["units"]} == {"P": 0, "D": 1}
