"""The summary's province section: each former province on 31/12/2024, and its share of the merged province today.

The 31/12/2024 figures are a unit slice (`unit_id=<former root>`). Today's shares need reporting's lineage
slice, `former_province=<former root unit id>` (the units that descend, through merges and moves, from that
root); the summary asks reporting's OpenAPI document whether its overview takes that parameter, and leaves
the share rows out (saying so) while it does not, since reporting ignores a query parameter it does not know
and would answer with the whole province.
"""

from __future__ import annotations

from typing import Any

import httpx

from .dataset import FIGURES_DAY, DataSet

LINEAGE = "former_province"
OVERVIEW = "/api/v1/overview"
Row = tuple[str, Any, Any]


def lineage_supported(client: httpx.Client) -> bool:
    """Whether reporting's overview offers the lineage slice (read from its OpenAPI document)."""
    try:
        response = client.get("/openapi.json")
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    operation = response.json().get("paths", {}).get(OVERVIEW, {}).get("get", {})
    return any(p.get("name") == LINEAGE for p in operation.get("parameters", []))


def _cards(client: httpx.Client, **params: str) -> dict[str, Any] | None:
    try:
        response = client.get(OVERVIEW, params=params)
    except httpx.HTTPError:
        return None
    return response.json().get("cards") if response.status_code == 200 else None


def _figures(cards: dict[str, Any] | None) -> tuple[int | None, int | None, int | None]:
    """(officers, teams, members) from an overview's cards."""
    if cards is None:
        return None, None, None
    return cards["officers"]["total"], cards["community_teams"]["teams"], cards["community_teams"]["members"]


def _share(part: int | None, whole: int | None) -> float | None:
    return None if part is None or not whole else round(100 * part / whole, 1)


def label(ds: DataSet, root: str) -> str:
    former = ds.expected["former"][root]
    return f"{former['name_vi']}{' [SYNTHETIC]' if former['synthetic'] else ''}"


def province_rows(ds: DataSet, client: httpx.Client) -> tuple[list[Row], bool]:
    """(label, reporting's value, expected value) rows, and whether today's shares could be asked for."""
    rows: list[Row] = []
    e, today = ds.expected, ds.today.isoformat()
    for root in (ds.root_id, *ds.former_roots):
        officers, teams, members = _figures(_cards(client, as_of=FIGURES_DAY.isoformat(), unit_id=root))
        f = e["former"][root]
        rows += [
            (f"31/12/2024 {label(ds, root)}: cán bộ CĐS (officers)", officers, f["officers"]["2024-12-31"]["total"]),
            ("  tổ CNCĐ / thành viên (teams / members)", _pair(teams, members), _pair_of(f, "2024-12-31")),
        ]
    if not lineage_supported(client):
        return rows, False
    merged_total = _figures(_cards(client, as_of=today, unit_id=ds.successor_id))[0]
    expected_total = e["officers"]["today"]["total"]
    shown = ds.today.strftime("%d/%m/%Y")
    for root in (ds.root_id, *ds.former_roots):
        officers, teams, members = _figures(_cards(client, as_of=today, **{LINEAGE: root}))
        f = e["former"][root]
        want = f["officers"]["today"]["total"]
        rows += [
            (f"{shown} phần của {label(ds, root)} (share of the merged province)", officers, want),
            ("  tỷ lệ cán bộ CĐS, % (share of officers)", _share(officers, merged_total), _share(want, expected_total)),
            ("  tổ CNCĐ / thành viên (teams / members)", _pair(teams, members), _pair_of(f, "today")),
        ]
    return rows, True


def _pair(a: int | None, b: int | None) -> str | None:
    return None if a is None or b is None else f"{a:,} / {b:,}"


def _pair_of(former: dict[str, Any], key: str) -> str:
    teams = former["community_teams"][key]
    return f"{teams['teams']:,} / {teams['members']:,}"
