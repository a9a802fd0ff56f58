"""sliced_world.py's province plus records of units that did not survive the 2025-07-01 reorganisation,
for the slice-through-time tests (test_slice_through_time.py).

Units (from 2020, dissolved on 2025-07-01 without a successor): D.HU, the district's Party committee
(party agency, district, under D) and C1.X, a commune body under C1 (kind other, commune level).
Officers from 2023-01-01, all gone before the reorganisation: b1 (D.HU) retires on 2025-02-14, b2 (D)
leaves for the private sector on 2025-04-20, b3 (C1.X) on 2025-05-10.

2025 plan: class K5 completed 2025-05-20, passed by a1 (P.SKHCN, province), b1 (D.HU, district), b2 (D,
district) and b3 (C1.X, commune); a1's certificate CERT-5 expires 2026-02-01. Drill DR5 (2025-04-10) with
D and C1.X; findings F5 (owner D, due 2025-06-01) and F6 (owner C1.X, due 2025-12-01) stay open.

Recruitment: VD (D, opened 2025-03-01) stays open, its application AD1 (2025-03-05) screened on 03-10;
VX (C1.X, opened 2025-02-01) closes filled on 2025-04-01 (59 days), its application AX1 (2025-02-05)
rejected on 02-10. Staffing plan 2025 for D: one IT technical position."""

from __future__ import annotations

import datetime as dt

from cds_contracts import Event
from cds_contracts import recruitment as r
from cds_contracts import training as t
from cds_contracts.personnel_officers import OfficerDeparted
from cds_contracts.personnel_org_units import OrgUnitDissolved
from services.reporting.tests.integration.sliced_world import REORG, officer, tree, unit
from services.reporting.tests.integration.test_training_slices import certificate, klass

D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def units_and_officers() -> list[Event]:
    return [
        unit("D.HU", "party_agency", "district", "D"),
        unit("C1.X", "other", "commune", "C1"),
        officer("b1", "D.HU"),
        officer("b2", "D"),
        officer("b3", "C1.X"),
        OfficerDeparted(officer_id="b1", unit_id="D.HU", effective_date=D(2025, 2, 14), reason="retirement"),
        OfficerDeparted(officer_id="b2", unit_id="D", effective_date=D(2025, 4, 20), reason="private_sector"),
        OfficerDeparted(officer_id="b3", unit_id="C1.X", effective_date=D(2025, 5, 10), reason="private_sector"),
        OrgUnitDissolved(unit_id="D.HU", effective_date=REORG),
        OrgUnitDissolved(unit_id="C1.X", effective_date=REORG),
    ]


def training() -> list[Event]:
    targets = t.PlanTargets(
        classes=1,
        trainees_province=1,
        trainees_district=2,
        trainees_commune=1,
        advanced_classes=0,
        advanced_trainees=0,
        drills=1,
    )
    trainees = {
        "a1": ("P.SKHCN", "province", True),
        "b1": ("D.HU", "district", True),
        "b2": ("D", "district", True),
        "b3": ("C1.X", "commune", True),
    }
    return [
        t.TrainingPlanAdopted(plan_id="2025", year=2025, targets=targets),
        *klass("K5", 2025, D(2025, 5, 20), trainees),
        certificate("CERT-5", "K5", "a1", D(2025, 5, 20), D(2026, 2, 1)),
        t.DrillConducted(
            drill_id="DR5",
            title="Diễn tập",
            scenario="phishing",
            format="tabletop",
            held_on=D(2025, 4, 10),
            plan_year=2025,
            unit_ids=("D", "C1.X"),
            officer_ids=("b2", "b3"),
        ),
        t.FindingRecorded(drill_id="DR5", finding_id="F5", description="mail", owner_unit_id="D", due_on=D(2025, 6, 1)),
        t.FindingRecorded(
            drill_id="DR5", finding_id="F6", description="backups", owner_unit_id="C1.X", due_on=D(2025, 12, 1)
        ),
    ]


def recruitment() -> list[Event]:
    def stage(app: str, vacancy: str, to: str, day: dt.date) -> Event:
        return r.ApplicationStageChanged(
            application_id=app, vacancy_id=vacancy, from_stage="applied", to_stage=to, changed_at=at(day), reason="-"
        )

    def vacancy(vid: str, uid: str, opened: dt.date) -> Event:
        return r.VacancyOpened(
            vacancy_id=vid, unit_id=uid, function="it_technical", positions=1, policy_ids=(), opened_on=opened
        )

    quotas = r.Quotas(it_technical=1, information_security=0, data=0, leadership=0)
    return [
        r.StaffingPlanSet(plan_id="D:2025", unit_id="D", year=2025, quotas=quotas),
        vacancy("VD", "D", D(2025, 3, 1)),
        vacancy("VX", "C1.X", D(2025, 2, 1)),
        r.ApplicationSubmitted(application_id="AD1", vacancy_id="VD", applied_at=at(D(2025, 3, 5))),
        stage("AD1", "VD", "screened", D(2025, 3, 10)),
        r.ApplicationSubmitted(application_id="AX1", vacancy_id="VX", applied_at=at(D(2025, 2, 5))),
        stage("AX1", "VX", "rejected", D(2025, 2, 10)),
        r.VacancyClosed(vacancy_id="VX", closed_on=D(2025, 4, 1), outcome="filled"),
    ]


def world() -> list[list[Event]]:
    """The batches to feed, in order."""
    return [tree(), units_and_officers(), training(), recruitment()]
