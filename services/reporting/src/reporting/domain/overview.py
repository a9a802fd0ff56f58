"""The dashboard's overview cards, computed from the bodies of the views they summarise.

Each card is read off the view a user drills into (headcount, coverage, teams, attainment, attrition,
vacancies, readiness), so a card never disagrees with its table. Shares and rates are fractions (0..1)
or None when there is nothing to divide by; the readiness score keeps its 0..100 scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRAINEE_TARGETS = ("trainees_province", "trainees_district", "trainees_commune", "advanced_trainees")


def share(part: float, whole: float) -> float | None:
    return None if not whole else round(part / whole, 4)


def from_pct(value: float | None) -> float | None:
    return None if value is None else round(value / 100, 4)


def cards(bodies: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`bodies` maps headcount, coverage, teams, attainment, attrition, vacancies, readiness to view bodies."""
    totals = bodies["headcount"]["totals"]
    coverage = bodies["coverage"]["summary"]
    teams = bodies["teams"]["totals"]
    attainment = bodies["attainment"]
    targets = attainment.get("targets", {})
    attrition = bodies["attrition"]
    scores = [t["readiness_score"] for t in bodies["readiness"]["teams"] if t.get("readiness_score") is not None]
    return {
        "officers": {
            "total": totals["total"],
            "dedicated": totals["dedicated"],
            "concurrent": totals["concurrent"],
            "dedicated_share": share(totals["dedicated"], totals["total"]),
        },
        "information_security": {"officers": totals["information_security"]},
        "coverage": {
            "agencies": coverage["agencies"],
            "compliant": coverage["compliant"],
            "failing": coverage["failing"],
            "compliance_rate": share(coverage["compliant"], coverage["agencies"]),
        },
        "community_teams": {"teams": teams["teams"], "members": teams["members"]},
        "training": {
            "year": attainment["year"],
            "planned_trainees": sum(targets.get(t, {}).get("target", 0) for t in TRAINEE_TARGETS),
            "trained": sum(targets.get(t, {}).get("actual", 0) for t in TRAINEE_TARGETS),
            "attainment": from_pct(attainment.get("overall_attainment_pct")),
        },
        "attrition": {
            "departures_12m": attrition["departures"],
            "rate_12m": from_pct(attrition.get("attrition_rate_pct")),
            "private_sector_share": from_pct(attrition.get("private_sector_share_pct")),
        },
        "vacancies": {"open": bodies["vacancies"]["open"]},
        "readiness": {
            "teams": len(bodies["readiness"]["teams"]),
            "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        },
    }
