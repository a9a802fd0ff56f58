"""`python -m demo`: generate the demo data set (Vĩnh Phúc from the source article, the former Phú Thọ and Hòa
Bình SYNTHETIC, merged on 2025-07-01), load it into the running stack, wait for reporting, then print the
headline figures as reporting computes them next to the generator's expected values."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import httpx

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings

from .dataset import FIGURES_DAY, DataSet
from .generator import generate
from .loader import LoadError, Urls, api_calls, load
from .shares import lineage_supported, province_rows


def _fetch(client: httpx.Client, path: str, **params: Any) -> Any:
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else None


def _rolled(body: Any, unit: str, field: str) -> Any:
    row = next((u for u in (body or {}).get("units", []) if u["unit_id"] == unit), None)
    return None if row is None else row["rolled_up"][field]


def _get(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _synthetic_counts(ds: DataSet) -> str:
    """Rows of the synthetic provinces (their codes start with a former root's code)."""
    mine = tuple(f"{r}-" for r in ds.former_roots)
    units = sum(u["unit_id"].startswith(mine) or u["unit_id"] in ds.former_roots for u in ds.units)
    officers = sum(o["officer_id"].startswith(mine) for o in ds.officers)
    teams = sum(t["team_id"].startswith(mine) for t in ds.teams)
    members = sum(m["member_id"].startswith(mine) for m in ds.members)
    return f"{units:,} units, {officers:,} officers, {teams:,} teams, {members:,} members"


def viewer_token() -> str:
    return mint_token(ServiceSettings(service_name="demo"), Role.VIEWER, subject="demo-viewer")


def summary_rows(ds: DataSet, reporting: str) -> list[tuple[str, Any, Any]]:
    """(label, reporting's value, expected value) for every headline figure."""
    e, figures, today = ds.expected, FIGURES_DAY.isoformat(), ds.today.isoformat()
    days = {
        figures: ("31/12/2024 Vĩnh Phúc", ds.root_id, "2024-12-31"),
        today: (f"{ds.today.strftime('%d/%m/%Y')} Phú Thọ", ds.successor_id, "today"),
    }
    rows: list[tuple[str, Any, Any]] = []
    headers = {"Authorization": f"Bearer {viewer_token()}"}  # every read needs a token; a viewer's suffices
    with httpx.Client(base_url=reporting, headers=headers, timeout=30) as c:
        for day, (shown, unit, key) in days.items():
            head = _fetch(c, "/api/v1/officers/headcount", as_of=day, unit_id=unit)
            cov = _fetch(c, "/api/v1/officers/coverage", as_of=day, unit_id=unit)
            teams = _fetch(c, "/api/v1/community-teams", as_of=day, unit_id=unit)
            exp_cov = e["coverage"][key]
            rows += [
                (f"Cán bộ CĐS {shown} (CĐS officers)", _rolled(head, unit, "total"), e["officers"][key]["total"]),
                ("  chuyên trách (dedicated)", _rolled(head, unit, "dedicated"), e["officers"][key]["dedicated"]),
                ("  kiêm nhiệm (concurrent)", _rolled(head, unit, "concurrent"), e["officers"][key]["concurrent"]),
                (
                    "  an toàn thông tin (information security)",
                    _rolled(head, unit, "information_security"),
                    e["officers"][key]["information_security"],
                ),
                ("  cơ quan đạt chuẩn (compliant agencies)", _get(cov, "summary", "compliant"), exp_cov["compliant"]),
                ("  cơ quan chưa đạt (failing agencies)", _get(cov, "summary", "failing"), len(exp_cov["failing"])),
                (
                    "  tổ CNCĐ (community technology teams)",
                    _get(teams, "totals", "teams"),
                    e["community_teams"][key]["teams"],
                ),
                (
                    "  thành viên tổ CNCĐ (team members)",
                    _get(teams, "totals", "members"),
                    e["community_teams"][key]["members"],
                ),
            ]
        attainment = _fetch(c, "/api/v1/training/attainment", year=2024)
        attrition = _fetch(c, "/api/v1/attrition", as_of=figures, unit_id=ds.root_id)
        vacancies = _fetch(c, "/api/v1/recruitment/vacancies", as_of=today)
        readiness = _fetch(c, "/api/v1/response-teams/readiness", as_of=today)
        ours = {c.body["vacancy_id"] for c in ds.recruitment if c.path == "/api/v1/vacancies"}
        team = next((t for t in (readiness or {}).get("teams", []) if t["team_id"] == ds.response_team_id), None)
        provinces, _ = province_rows(ds, c)
    rows += [
        (
            "Đạt kế hoạch đào tạo 2024 (training attainment 2024, %; whole stack)",
            _get(attainment, "overall_attainment_pct"),
            e["training_2024"]["overall_attainment_pct"],
        ),
        (
            "Nghỉ việc 12 tháng đến 31/12/2024 (12-month attrition, %)",
            _get(attrition, "attrition_rate_pct"),
            e["attrition_2024"]["attrition_rate_pct"],
        ),
        ("  số người nghỉ (departures)", _get(attrition, "departures"), e["attrition_2024"]["departures"]),
        (
            "  sang khu vực tư (to the private sector, %)",
            _get(attrition, "private_sector_share_pct"),
            e["attrition_2024"]["private_sector_share_pct"],
        ),
        (
            "Vị trí tuyển dụng đang mở (open vacancies)",
            None if vacancies is None else sum(v["vacancy_id"] in ours for v in vacancies["vacancies"]),
            e["open_vacancies"]["count"],
        ),
        (
            "Điểm sẵn sàng đội ứng cứu (response-team readiness score)",
            _get(team, "readiness_score"),
            e["readiness"]["readiness_score"],
        ),
        (
            "  trực 30 ngày tới (on-call coverage, next 30 days, %)",
            _get(team, "coverage_next_30_days", "coverage_pct"),
            e["readiness"]["coverage_pct"],
        ),
        *provinces,
    ]
    return rows


def print_summary(ds: DataSet, urls: Urls) -> None:
    rows = summary_rows(ds, urls.reporting)
    width = max(len(label) for label, _, _ in rows)
    print(f"\n{'Chỉ số (indicator)':<{width}}  {'Báo cáo (reporting)':>20}  {'Dự kiến (expected)':>19}")
    for label, actual, expected in rows:
        mark = "" if actual is None else "  ✓" if actual == expected else "  ≠"
        shown = "—" if actual is None else f"{actual:,}" if isinstance(actual, int) else str(actual)
        want = f"{expected:,}" if isinstance(expected, int) else str(expected)
        print(f"{label:<{width}}  {shown:>20}  {want:>19}{mark}")
    failing = ", ".join(
        f"{x['unit_id']} ({'/'.join(x['missing'])})" for x in ds.expected["coverage"]["2024-12-31"]["failing"]
    )
    print(f"\nNgoại lệ có chủ đích (named exceptions, 31/12/2024): {failing}")
    _print_sources(ds, urls)
    viewer = viewer_token()
    # One click signs in: the token rides in the URL fragment, which the browser never sends to a server,
    # and the page removes it from the address bar as soon as it has read it.
    print(f"\nBảng điều khiển (dashboard, one click, viewer for 8 h): {urls.reporting}/dashboard/#token={viewer}")
    print(
        f"  31/12/2024, Vĩnh Phúc tree: {urls.reporting}/dashboard/"
        f"?as_of=2024-12-31&unit_id={ds.root_id}#token={viewer}"
    )
    print(f"  English: {urls.reporting}/dashboard/?lang=en#token={viewer}")
    print(f"Reporting API: {urls.reporting}/docs   (every /api/v1 call: Authorization: Bearer <token>)")
    print(f"Viewer token (Role.VIEWER, 8 h): {viewer}")


def _print_sources(ds: DataSet, urls: Urls) -> None:
    print("Nguồn số liệu (sources): Vĩnh Phúc — the source article (README, 'The demo data set');")
    if ds.former_roots:
        print(f"  {', '.join(ds.former_roots)} (Phú Thọ cũ, Hòa Bình cũ) — SYNTHETIC: generated by demo/former.py")
    headers = {"Authorization": f"Bearer {viewer_token()}"}
    with httpx.Client(base_url=urls.reporting, headers=headers, timeout=30) as client:
        if not lineage_supported(client):
            print("  Phần của từng tỉnh cũ hôm nay (each former province's share today): not shown, reporting has no")
            print("  former_province slice yet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--prefix", default="", help="prepended to every code, e.g. E2EX- for a trial load")
    parser.add_argument("--no-load", action="store_true", help="only generate; show reporting's figures if it answers")
    parser.add_argument(
        "--vinh-phuc-only", action="store_true", help="without the SYNTHETIC former Phú Thọ and Hòa Bình"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a service to catch up")
    args = parser.parse_args(argv)
    started = time.monotonic()
    ds = generate(args.seed, args.scale, args.prefix, former=not args.vinh_phuc_only)
    print(
        f"Generated seed {args.seed}, scale {args.scale}: {len(ds.units):,} units, {len(ds.officers):,} officers, "
        f"{len(ds.teams):,} teams, {len(ds.members):,} members ({time.monotonic() - started:.1f} s)"
    )
    if ds.former_roots:
        print(f"  of which SYNTHETIC (former {', '.join(ds.former_roots)}): {_synthetic_counts(ds)}")
    urls = Urls.local()
    if not args.no_load:
        token = mint_token(ServiceSettings(service_name="demo"), Role.PROVINCE_ADMIN, subject="demo-loader")
        try:
            loaded = asyncio.run(load(ds, urls, token, timeout_s=args.timeout))
        except (LoadError, httpx.HTTPError) as exc:
            print(f"Loading failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        calls = api_calls(ds) if loaded else {"import_calls": 0, "rows_imported": 0, "other_calls": 0}
        print(
            f"Done in {time.monotonic() - started:,.1f} s: {calls['import_calls']} import calls "
            f"({calls['rows_imported']:,} rows), {calls['other_calls']:,} other write calls"
        )
    print_summary(ds, urls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
