"""The SYNTHETIC former Phú Thọ and Hòa Bình and the three-province merger (no network): deterministic, labelled,
valid, Vĩnh Phúc unchanged, and the merged province the sum of the three former provinces."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from demo import places
from demo.dataset import FIGURES_DAY, REORGANISATION_DAY, DataSet
from demo.expected import replay, validate
from demo.generator import generate

TODAY = dt.date(2026, 11, 27)
ADDITIVE = ("total", "dedicated", "concurrent", "information_security", "it_technical", "it_leader")


@cache
def vinh_phuc() -> DataSet:
    return generate(2024, 1.0, "", TODAY)


@cache
def three() -> DataSet:
    return generate(2024, 1.0, "", TODAY, former=True)


def synthetic_units(ds: DataSet) -> list[dict[str, str]]:
    return [u for u in ds.units if u["unit_id"].split("-")[0].removeprefix(ds.prefix) in ("PTC", "HB")]


def test_the_same_seed_gives_the_same_former_provinces() -> None:
    a, b = generate(7, 0.2, "X-", TODAY, former=True), generate(7, 0.2, "X-", TODAY, former=True)
    assert a == b
    other = generate(8, 0.2, "X-", TODAY, former=True)
    assert [o for o in other.officers if o["officer_id"].startswith("X-PTC")] != [
        o for o in a.officers if o["officer_id"].startswith("X-PTC")
    ]


def test_vinh_phucs_rows_and_2024_figures_are_unchanged() -> None:
    alone, ds = vinh_phuc(), three()
    for kind in ("units", "officers", "teams", "members"):
        mine = getattr(alone, kind)
        assert getattr(ds, kind)[: len(mine)] == mine  # the synthetic rows only come after Vĩnh Phúc's
    for key in ("officers", "coverage", "community_teams"):
        assert ds.expected[key]["2024-12-31"] == alone.expected[key]["2024-12-31"]
    for key in ("attrition_2024", "training_2024", "hires", "open_vacancies", "readiness"):
        assert ds.expected[key] == alone.expected[key]
    assert ds.expected["officers"]["2024-12-31"]["total"] == 3169  # the README's figure
    assert ds.expected["former"]["VP"]["officers"]["2024-12-31"] == alone.expected["officers"]["2024-12-31"]


def test_everything_synthetic_says_so_and_uses_no_real_place_name() -> None:
    ds = three()
    units = synthetic_units(ds)
    assert len(units) > 300
    assert all("giả lập" in u["name_vi"] and "synthetic" in u["name_en"] for u in units)
    created = [c.body for c in ds.reorganisation if c.path == "/api/v1/units" and c.body["unit_id"] != "PT"]
    assert all("giả lập" in b["name_vi"] for b in created if b["unit_id"].startswith(("PTC", "HB")))
    real = {places.base_name(c) for _, _, _, communes in places.DISTRICTS for c in communes}
    assert not any(places.base_name(u["name_vi"]).removesuffix(" (giả lập)") in real for u in units)
    people = [o["full_name"] for o in ds.officers if o["officer_id"].startswith(("PTC", "HB"))]
    people += [m["full_name"] for m in ds.members if m["member_id"].startswith(("PTC", "HB"))]
    assert people and all("giả lập" in name for name in people)
    assert all(ds.expected["former"][r]["synthetic"] for r in ("PTC", "HB"))
    assert not ds.expected["former"]["VP"]["synthetic"]


@pytest.mark.parametrize("scale", [1.0, 0.05])
def test_the_three_roots_merge_in_one_call_and_the_data_set_is_valid(scale: float) -> None:
    ds = three() if scale == 1.0 else generate(2024, scale, "S-", TODAY, former=True)
    assert validate(ds) == []
    last = ds.reorganisation[-1]
    assert last.path == "/api/v1/units/merge"
    assert last.body["predecessor_ids"] == [ds.root_id, *ds.former_roots] and len(ds.former_roots) == 2
    assert (
        sum(c.path == "/api/v1/units/merge" and ds.successor_id == c.body["successor_id"] for c in ds.reorganisation)
        == 1
    )
    model = replay(ds)
    for root in (ds.root_id, *ds.former_roots):
        assert model.subtree(root, REORGANISATION_DAY) == set()  # every former province ended the day before
        assert len(model.subtree(root, FIGURES_DAY)) > 1
    today = model.subtree(ds.successor_id, TODAY)
    levels = {model.version(u, TODAY).level for u in today}  # type: ignore[union-attr]
    assert levels == {"province", "commune"}  # every district dissolved, every commune under the new province
    assert model.serving_on(TODAY, {ds.successor_id}) == []  # each officer keeps one former province


@pytest.mark.parametrize("scale", [1.0, 0.05])
def test_the_merged_province_today_is_the_sum_of_the_three_former_provinces(scale: float) -> None:
    ds = three() if scale == 1.0 else generate(2024, scale, "S-", TODAY, former=True)
    e, shares = ds.expected, ds.expected["former"].values()
    assert len(shares) == 3
    for key in ADDITIVE:
        assert e["officers"]["today"][key] == sum(f["officers"]["today"][key] for f in shares)
    for key in ("teams", "members"):
        assert e["community_teams"]["today"][key] == sum(f["community_teams"]["today"][key] for f in shares)
    assert all(f["officers"]["today"]["total"] > 0 for f in shares)


def test_a_former_province_on_the_merger_day_equals_itself_the_day_before() -> None:
    ds, model = three(), replay(three())
    eve = REORGANISATION_DAY - dt.timedelta(days=1)
    for root in (ds.root_id, *ds.former_roots):
        lineage = model.lineage(root, REORGANISATION_DAY)
        assert ds.successor_id in lineage and root not in lineage
        assert model.headcount(REORGANISATION_DAY, root, lineage) == model.headcount(eve, root)
        assert model.community(REORGANISATION_DAY, root, lineage) == model.community(eve, root)


def test_a_prefix_prefixes_every_synthetic_code() -> None:
    ds = generate(2024, 0.05, "E2EX-", TODAY, former=True)
    codes = [u["unit_id"] for u in ds.units] + [o["officer_id"] for o in ds.officers]
    codes += [t["team_id"] for t in ds.teams] + [m["member_id"] for m in ds.members]
    codes += [c.body["unit_id"] for c in ds.reorganisation if "unit_id" in c.body]
    codes += [c.path.split("/")[4] for c in ds.reorganisation if c.path.count("/") == 5]
    assert ds.former_roots == ["E2EX-PTC", "E2EX-HB"]
    assert all(code.startswith("E2EX-") for code in codes)
    for ids in ([u["unit_id"] for u in ds.units], [o["officer_id"] for o in ds.officers]):
        assert len(ids) == len(set(ids))
