"""The province of the trend tests, and the series expected from it by hand.

Province P: district D of communes C0 (merged into C1 in 2023), C1, C2, C3; a department P.SKHCN and an
association P.HTH. On 2025-07-01 D is dissolved: C1 + C2 merge into C12, C3 moves under P, P.HTH splits
into P.HTH1 and P.HTH2. Training results (one class annulled), two hires and two departures."""

from __future__ import annotations

import datetime as dt

from cds_contracts import Event
from cds_contracts import training as t
from cds_contracts.personnel_officers import (
    OfficerAppointed,
    OfficerAssignmentChanged,
    OfficerDeparted,
    OfficerTransferred,
)
from cds_contracts.personnel_org_units import (
    OrgUnitDissolved,
    OrgUnitMoved,
    OrgUnitRegistered,
    OrgUnitsMerged,
    OrgUnitSplit,
)

D = dt.date
START = D(2020, 1, 1)
REORG = D(2025, 7, 1)
AS_OF = D(2025, 10, 15)


def unit(uid: str, kind: str, level: str, parent: str | None, since: dt.date = START) -> Event:
    return OrgUnitRegistered(unit_id=uid, name_vi=uid, kind=kind, level=level, parent_id=parent, valid_from=since)


def officer(
    oid: str, uid: str, assignment: str, functions: tuple[str, ...], since: dt.date, hire: str | None = None
) -> Event:
    return OfficerAppointed.model_validate(
        {
            "officer_id": oid,
            "unit_id": uid,
            "employment_category": "civil_servant",
            "assignment": assignment,
            "functions": functions,
            "effective_date": since,
            "application_id": hire,
        }
    )


def moved(oid: str, frm: str, to: str, day: dt.date = REORG) -> Event:
    return OfficerTransferred(officer_id=oid, from_unit_id=frm, to_unit_id=to, effective_date=day, reason="transfer")


def klass(cid: str, done: dt.date, results: dict[str, tuple[str, bool]]) -> list[Event]:
    events: list[Event] = [
        t.ClassScheduled(
            class_id=cid,
            programme_id="PG",
            programme_kind="it_upgrade",
            advanced=False,
            plan_year=done.year,
            title=cid,
            starts_on=done - dt.timedelta(days=4),
            ends_on=done,
            organiser_unit_id="P",
            capacity=30,
        )
    ]
    for oid, (uid, passed) in results.items():
        events.append(
            t.TraineeEnrolled(class_id=cid, officer_id=oid, unit_id=uid, level="province", enrolled_on=D(2024, 1, 2))
        )
        events.append(
            t.TrainingCompleted(
                class_id=cid, officer_id=oid, unit_id=uid, passed=passed, score=70, hours=40, completed_on=done
            )
        )
    return [*events, t.ClassCompleted(class_id=cid, completed_on=done)]


def province() -> list[Event]:
    return [
        unit("P", "peoples_committee", "province", None),
        unit("P.SKHCN", "state_agency", "province", "P"),
        unit("P.HTH", "other", "province", "P"),
        unit("D", "peoples_committee", "district", "P"),
        unit("C0", "peoples_committee", "commune", "D"),
        unit("C1", "peoples_committee", "commune", "D"),
        unit("C2", "peoples_committee", "commune", "D"),
        unit("C3", "peoples_committee", "commune", "D"),
        officer("O1", "P.SKHCN", "dedicated", ("it_leader", "information_security"), D(2021, 3, 1)),
        officer("O2", "P.SKHCN", "concurrent", ("it_technical",), D(2021, 3, 1)),
        officer("O3", "D", "dedicated", ("it_leader",), D(2022, 1, 1)),
        officer("O4", "C1", "concurrent", ("it_technical",), D(2022, 1, 1)),
        officer("O5", "C2", "concurrent", ("it_leader", "it_technical"), D(2022, 1, 1)),
        officer("O11", "C0", "concurrent", (), D(2022, 6, 1)),
        OfficerDeparted(officer_id="O11", unit_id="C0", effective_date=D(2023, 1, 1), reason="retirement"),
        OrgUnitsMerged(successor_id="C1", predecessor_ids=("C0",), effective_date=D(2023, 1, 1)),
        officer("O6", "C3", "dedicated", ("information_security",), D(2023, 1, 1)),
        officer("O10", "C1", "dedicated", ("information_security",), D(2024, 3, 1), hire="A10"),
        officer("O7", "C3", "concurrent", ("cds_network_member",), D(2024, 6, 1)),
        officer("O8", "P.HTH", "concurrent", (), D(2024, 6, 1)),
        OfficerAssignmentChanged(
            officer_id="O7", assignment="dedicated", functions=("it_technical",), effective_date=D(2025, 1, 1)
        ),
        OfficerDeparted(officer_id="O6", unit_id="C3", effective_date=D(2025, 3, 15), reason="private_sector"),
        OfficerDeparted(officer_id="O10", unit_id="C1", effective_date=D(2025, 5, 20), reason="private_sector"),
        # 1 July 2025
        unit("C12", "peoples_committee", "commune", "P", REORG),
        unit("P.HTH1", "other", "province", "P", REORG),
        unit("P.HTH2", "other", "province", "P", REORG),
        moved("O4", "C1", "C12"),
        moved("O5", "C2", "C12"),
        moved("O3", "D", "P"),
        moved("O8", "P.HTH", "P.HTH1"),
        OrgUnitsMerged(successor_id="C12", predecessor_ids=("C1", "C2"), effective_date=REORG),
        OrgUnitSplit(unit_id="P.HTH", successor_ids=("P.HTH1", "P.HTH2"), effective_date=REORG),
        OrgUnitMoved(unit_id="C3", parent_id="P", level="commune", effective_date=REORG),
        OrgUnitDissolved(unit_id="D", effective_date=REORG),
        officer("O9", "C12", "concurrent", ("it_technical",), D(2025, 8, 1), hire="A9"),
        # K1: O1 and O4 pass; K2: O7 passes, O3 fails; K3 (O2 passes) is annulled afterwards.
        *klass("K1", D(2024, 5, 5), {"O1": ("P.SKHCN", True), "O4": ("C1", True)}),
        *klass("K2", D(2025, 2, 10), {"O7": ("C3", True), "O3": ("D", False)}),
        *klass("K3", D(2024, 11, 20), {"O2": ("P.SKHCN", True)}),
        t.ClassCancelled(class_id="K3", cancelled_on=D(2024, 12, 1), reason="annulled"),
    ]


def expected(table: str) -> dict[str, tuple[int, ...]]:
    """Lines "YYYY-MM headcount dedicated infosec trained departures hires"; a missing month repeats the
    month before with no departures or hires."""
    given = {line.split()[0]: tuple(int(x) for x in line.split()[1:]) for line in table.strip().splitlines()}
    months = sorted(given)
    out: dict[str, tuple[int, ...]] = {}
    year, month = map(int, months[0].split("-"))
    last = given[months[0]]
    while f"{year:04d}-{month:02d}" <= months[-1]:
        key = f"{year:04d}-{month:02d}"
        last = given.get(key, (*last[:4], 0, 0))
        out[key] = last
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# O1..O6 serve; O10 hired into C1 in March; K1 (O1, O4) counts May 2024 - April 2025; O7 and O8 from June;
# O7 dedicated from January 2025 and trained from February; O6 leaves in March, O10 in May; O9 hired in August.
WHOLE = expected("""
2024-01 6 3 2 0 0 0
2024-03 7 4 3 0 0 1
2024-04 7 4 3 0 0 0
2024-05 7 4 3 2 0 0
2024-06 9 4 3 2 0 0
2025-01 9 5 3 2 0 0
2025-02 9 5 3 3 0 0
2025-03 8 4 2 3 1 0
2025-04 8 4 2 3 0 0
2025-05 7 3 1 1 1 0
2025-08 8 3 1 1 0 1
2025-09 8 3 1 1 0 0
2025-10 8 3 1 1 0 0
""")

# C12 stands in for C1 and C2 before July 2025: O4, O5, then O10 (hire) until May 2025; O9 hired in August.
C12 = expected("""
2024-01 2 0 0 0 0 0
2024-03 3 1 1 0 0 1
2024-04 3 1 1 0 0 0
2024-05 3 1 1 1 0 0
2025-05 2 0 0 0 1 0
2025-08 3 0 0 0 0 1
2025-09 3 0 0 0 0 0
2025-10 3 0 0 0 0 0
""")
