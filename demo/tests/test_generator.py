"""The demo generator: deterministic, faithful to the seed article at scale 1, valid at every scale (no network)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

import pytest

from demo.dataset import FIGURES_DAY, REORGANISATION_DAY, DataSet
from demo.expected import replay, validate
from demo.generator import generate

TODAY = dt.date(2026, 11, 27)


@cache
def full() -> DataSet:
    return generate(2024, 1.0, "", TODAY)


def test_the_same_seed_gives_the_same_data_set() -> None:
    a, b = generate(7, 0.2, "X-", TODAY), generate(7, 0.2, "X-", TODAY)
    assert a == b
    assert generate(8, 0.2, "X-", TODAY).officers != a.officers


def test_a_prefix_prefixes_every_code() -> None:
    ds = generate(2024, 0.05, "E2EX-", TODAY)
    codes = [u["unit_id"] for u in ds.units] + [o["officer_id"] for o in ds.officers]
    codes += [t["team_id"] for t in ds.teams] + [m["member_id"] for m in ds.members]
    codes += [
        c.body[k]
        for c in ds.training + ds.personnel + ds.recruitment
        for k in c.body
        if k.endswith("_id")
        and k
        in ("programme_id", "class_id", "drill_id", "team_id", "shift_id", "incident_id", "policy_id", "vacancy_id")
    ]
    codes += [c.body["unit_id"] for c in ds.reorganisation if "unit_id" in c.body]
    assert codes and all(code.startswith("E2EX-") for code in codes)
    assert next(c for c in ds.personnel if c.path == "/api/v1/response-teams").body["scope"] == "unit"


def test_the_seed_figures_at_scale_1() -> None:
    ds = full()
    officers = ds.expected["officers"]["2024-12-31"]
    assert officers["total"] > 3100
    assert officers["concurrent"] > officers["dedicated"] * 5  # most are concurrent
    assert 140 <= officers["information_security"] < 150  # nearly 150
    centre = [o for o in ds.officers if o["unit_id"] == "VP-TTHTS" and "it_technical" in o["functions"]]
    assert len(centre) == 10 and all(o["assignment"] == "dedicated" for o in centre)
    teams = ds.expected["community_teams"]["2024-12-31"]
    assert teams["teams"] == 1240
    assert 9800 <= teams["members"] < 9900
    by = teams["members_by_affiliation"]
    assert by["youth_union"] + by["womens_union"] + by["farmers_association"] > 0.8 * teams["members"]
    communes = [u for u in ds.units if u["level"] == "commune"]
    assert 120 <= len(communes) <= 140
    assert len([u for u in ds.units if u["level"] == "district"]) == 9


def test_every_agency_is_covered_except_the_named_exceptions() -> None:
    ds = full()
    coverage = ds.expected["coverage"]["2024-12-31"]
    failing = {f["unit_id"]: f["missing"] for f in coverage["failing"]}
    assert failing == {x["unit_id"]: [x["missing"]] for x in ds.coverage_exceptions}
    assert sum(x["missing"] == "it_technical" and "-" in x["unit_id"][3:] for x in ds.coverage_exceptions) == 3
    assert coverage["compliant"] == coverage["agencies"] - len(failing) > 160


def test_the_2024_training_plan_is_fully_attained() -> None:
    training = full().expected["training_2024"]
    assert training["targets"] == {
        "classes": 10,
        "trainees_province": 100,
        "trainees_district": 100,
        "trainees_commune": 100,
        "advanced_classes": 1,
        "advanced_trainees": 30,
        "drills": 1,
    }
    assert training["actuals"] == training["targets"]
    assert training["overall_attainment_pct"] == 100.0


def test_departures_mostly_go_to_the_private_sector_and_hires_count() -> None:
    ds = full()
    assert set(ds.expected["departures_by_year"]) == {"2023", "2024", "2025"}
    reasons = Counter(c.body["reason"] for c in ds.departures)
    assert reasons["private_sector"] > sum(reasons.values()) / 2
    assert ds.expected["attrition_2024"]["private_sector_share_pct"] > 50
    assert ds.expected["hires"]["in_2024"] >= 1
    assert ds.expected["open_vacancies"]["count"] >= 1


def test_the_response_team_has_roles_a_rota_with_one_gap_and_incidents() -> None:
    r = full().expected["readiness"]
    assert r["members"] == 12 and r["members_by_role"]["lead"] == 1 and r["members_by_role"]["network_admin"] >= 1
    assert len(r["gaps"]) == 1 and 95 < r["coverage_pct"] < 100
    assert r["incidents_90_days"] == 2 and r["days_since_last_drill"] == 40
    assert 0 < r["readiness_score"] <= 100


@pytest.mark.parametrize("scale", [1.0, 0.3, 0.05, 0.01])
def test_the_structure_is_valid_at_every_scale(scale: float) -> None:
    ds = full() if scale == 1.0 else generate(2024, scale, "S-", TODAY)
    assert validate(ds) == []  # every officer's unit exists on its date; reorganisation in a valid order
    model = replay(ds)
    assert model.subtree(ds.root_id, REORGANISATION_DAY) == set()  # Vĩnh Phúc ended the day before
    assert ds.successor_id in model.subtree(ds.successor_id, TODAY)
    levels = {model.version(u, TODAY).level for u in model.subtree(ds.successor_id, TODAY)}  # type: ignore[union-attr]
    assert levels == {"province", "commune"}  # no districts left
    expected = ds.expected
    assert expected["officers"]["today"]["total"] == expected["officers"]["2024-12-31"]["total"] - int(
        expected["departures_by_year"].get("2025", 0)
    )
    assert expected["community_teams"]["today"]["teams"] == expected["community_teams"]["2024-12-31"]["teams"] >= 1
    assert expected["training_2024"]["overall_attainment_pct"] == 100.0
    assert all(v >= 1 for v in expected["officers"]["2024-12-31"].values())


def test_scale_reduces_counts_proportionally() -> None:
    small = generate(2024, 0.1, "", TODAY).expected
    big = full().expected
    ratio = small["officers"]["2024-12-31"]["total"] / big["officers"]["2024-12-31"]["total"]
    assert 0.05 < ratio < 0.2
    assert small["community_teams"]["2024-12-31"]["teams"] == 124


def test_generated_ids_are_unique() -> None:
    ds = full()
    for ids in (
        [u["unit_id"] for u in ds.units],
        [o["officer_id"] for o in ds.officers],
        [t["team_id"] for t in ds.teams],
        [m["member_id"] for m in ds.members],
    ):
        assert len(ids) == len(set(ids))
    assert all(
        c.body["effective_date"] == REORGANISATION_DAY.isoformat()
        for c in ds.reorganisation
        if "effective_date" in c.body
    )
    assert all(o["effective_date"] <= FIGURES_DAY.isoformat() for o in ds.officers)
