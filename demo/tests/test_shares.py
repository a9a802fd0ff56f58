"""The summary's province section against a fake reporting (no network): which slices it asks for, how it reads
the overview, the shares it computes, and that it leaves today's shares out while reporting has no lineage
slice. Until reporting's `former_province` parameter lands (#19.3), this is the summary's only test against
answers with that slice; tests/e2e/test_demo_provinces.py checks it against the real stack once it exists."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import httpx

from demo.dataset import DataSet
from demo.generator import generate
from demo.shares import LINEAGE, province_rows

TODAY = dt.date(2026, 11, 27)
# (officers, teams, members) the fake answers with, by slice; the merged province is the sum of the three
FIGURES = {
    ("2024-12-31", "unit_id", "S-VP"): (300, 40, 250),
    ("2024-12-31", "unit_id", "S-PTC"): (200, 30, 150),
    ("2024-12-31", "unit_id", "S-HB"): (100, 20, 100),
    (TODAY.isoformat(), "unit_id", "S-PT"): (800, 100, 600),
    (TODAY.isoformat(), LINEAGE, "S-VP"): (400, 50, 300),
    (TODAY.isoformat(), LINEAGE, "S-PTC"): (300, 30, 200),
    (TODAY.isoformat(), LINEAGE, "S-HB"): (100, 20, 100),
}


@cache
def data_set() -> DataSet:
    return generate(2024, 0.05, "S-", TODAY, former=True)


def fake_reporting(lineage: bool, asked: list[dict[str, str]]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            names = ["as_of", "unit_id", "sector", "level"] + ([LINEAGE] if lineage else [])
            overview = {"get": {"parameters": [{"name": n, "in": "query"} for n in names]}}
            return httpx.Response(200, json={"paths": {"/api/v1/overview": overview}})
        assert request.url.path == "/api/v1/overview"
        params = dict(request.url.params)
        asked.append(params)
        key = next((params["as_of"], k, v) for k, v in params.items() if k != "as_of")
        if key not in FIGURES:
            return httpx.Response(404, json={"detail": "unknown unit"})
        officers, teams, members = FIGURES[key]
        cards: dict[str, Any] = {
            "officers": {"total": officers},
            "community_teams": {"teams": teams, "members": members},
        }
        return httpx.Response(200, json={"as_of": params["as_of"], "cards": cards})

    return httpx.Client(base_url="http://reporting.test", transport=httpx.MockTransport(answer))


def test_without_the_lineage_slice_only_the_2024_unit_slices_are_shown() -> None:
    asked: list[dict[str, str]] = []
    rows, supported = province_rows(data_set(), fake_reporting(False, asked))
    assert supported is False
    assert [r[1] for r in rows] == [300, "40 / 250", 200, "30 / 150", 100, "20 / 100"]
    assert all(LINEAGE not in params for params in asked)  # never asks what reporting would silently ignore
    assert "[SYNTHETIC]" in rows[2][0] and "[SYNTHETIC]" in rows[4][0] and "SYNTHETIC" not in rows[0][0]


def test_with_the_lineage_slice_each_former_province_shows_its_share_of_the_merged_province() -> None:
    asked: list[dict[str, str]] = []
    ds = data_set()
    rows, supported = province_rows(ds, fake_reporting(True, asked))
    assert supported is True
    shares = rows[6:]
    assert [r[1] for r in shares] == [400, 50.0, "50 / 300", 300, 37.5, "30 / 200", 100, 12.5, "20 / 100"]
    assert {params.get(LINEAGE) for params in asked} == {None, "S-VP", "S-PTC", "S-HB"}
    # the expected column comes from the generator's model, whose shares add up to its merged province
    e = ds.expected
    assert shares[0][2] == e["former"]["S-VP"]["officers"]["today"]["total"]
    assert abs(sum(r[2] for r in shares[1::3]) - 100.0) <= 0.2  # rounded to 0.1 each
    merged = e["officers"]["today"]["total"]
    assert sum(e["former"][r]["officers"]["today"]["total"] for r in ("S-VP", "S-PTC", "S-HB")) == merged


def test_a_slice_reporting_refuses_shows_no_figure() -> None:
    ds = generate(2024, 0.05, "T-", TODAY, former=True)  # codes the fake does not know: 404 for every slice
    rows, _ = province_rows(ds, fake_reporting(True, []))
    assert rows and all(r[1] is None for r in rows)
