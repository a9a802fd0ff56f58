"""Overview cards from view bodies (pure)."""

from __future__ import annotations

from typing import Any

from reporting.domain.overview import cards, from_pct, share


def _bodies(**over: Any) -> dict[str, Any]:
    bodies: dict[str, Any] = {
        "headcount": {"totals": {"total": 40, "dedicated": 10, "concurrent": 30, "information_security": 4}},
        "coverage": {"summary": {"agencies": 3, "compliant": 2, "failing": 1}},
        "teams": {"totals": {"teams": 2, "members": 9}},
        "attainment": {
            "year": 2024,
            "targets": {
                "classes": {"target": 10, "actual": 10},
                "trainees_province": {"target": 100, "actual": 90},
                "trainees_commune": {"target": 200, "actual": 210},
                "advanced_trainees": {"target": 30, "actual": 30},
            },
            "overall_attainment_pct": 97.5,
        },
        "attrition": {"departures": 3, "attrition_rate_pct": 7.5, "private_sector_share_pct": 66.7},
        "vacancies": {"open": 5},
        "readiness": {"teams": [{"readiness_score": 90.0}, {"readiness_score": 71.0}]},
    }
    bodies.update(over)
    return bodies


def test_cards_are_read_off_the_views() -> None:
    c = cards(_bodies())
    assert c["officers"]["dedicated_share"] == 0.25
    assert c["coverage"]["compliance_rate"] == 0.6667
    assert c["training"] == {"year": 2024, "planned_trainees": 330, "trained": 330, "attainment": 0.975}
    assert c["attrition"] == {"departures_12m": 3, "rate_12m": 0.075, "private_sector_share": 0.667}
    assert c["readiness"] == {"teams": 2, "average_score": 80.5}


def test_nothing_to_divide_by_is_none() -> None:
    empty = _bodies(
        headcount={"totals": {"total": 0, "dedicated": 0, "concurrent": 0, "information_security": 0}},
        readiness={"teams": []},
    )
    c = cards(empty)
    assert c["officers"]["dedicated_share"] is None
    assert c["readiness"]["average_score"] is None
    assert share(1, 0) is None and from_pct(None) is None
