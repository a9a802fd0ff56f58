"""Capture every reporting read endpoint's answer on the loaded data, and compare two captures.

    .venv/bin/python scripts/reporting_bodies.py capture before.json   # e.g. on main's code
    ... change reporting's code, restart it, `make rebuild-reporting` (same events, new projection code)
    .venv/bin/python scripts/reporting_bodies.py capture after.json
    .venv/bin/python scripts/reporting_bodies.py compare before.json after.json   # exit 1 on any difference

The requests cover every GET view of the API and every CSV export, on the figures day (31/12/2024) and
today, for the whole province and for slices (the Vĩnh Phúc / Phú Thọ root, a sector, a level). Views
that default to today depend on the day: compare captures taken the same day. Only wall-clock fields
that say when a body was made (not what it says) are left out of the comparison, listed in VOLATILE.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings

FIGURES_DAY = "2024-12-31"
VOLATILE = frozenset({"generated_at"})
VIEWS = (
    "/api/v1/units/tree",
    "/api/v1/officers/headcount",
    "/api/v1/officers/coverage",
    "/api/v1/community-teams",
    "/api/v1/training/attainment?year=2024",
    "/api/v1/training/attainment?year=2025",
    "/api/v1/training/trained-share",
    "/api/v1/training/certificates/expiring?days=365",
    "/api/v1/training/drills",
    "/api/v1/recruitment/vacancies",
    "/api/v1/recruitment/pipeline?year=2024",
    "/api/v1/recruitment/policies",
    "/api/v1/recruitment/staffing-fill?year=2024",
    "/api/v1/attrition",
    "/api/v1/response-teams/readiness",
    "/api/v1/overview",
    "/api/v1/trends",
    "/api/v1/trends?from=2023-01&to=2024-12",
)
EXPORTS = (
    "headcount",
    "coverage",
    "community-teams",
    "community-members",
    "trained-share",
    "certificates-expiring",
    "drills",
    "attainment?year=2024",
    "vacancies",
    "pipeline?year=2024",
    "policies",
    "staffing-fill?year=2024",
    "attrition-months",
    "attrition-units",
    "readiness",
    "trends",
    "units",
)
HISTORIES = ("VP", "PT", "VP-SKHCN", "VP-VINHYEN", "VP-SONGLO-DONGTHINH")


def _requests() -> list[str]:
    days = {f"as_of={FIGURES_DAY}": "VP", "": "PT"}  # the root unit valid that day
    paths: list[str] = ["/api/v1/freshness"]
    for as_of, root in days.items():
        for sl in ("", f"unit_id={root}", "sector=state_agency&sector=party_agency", "level=commune"):
            query = "&".join(q for q in (as_of, sl) if q)
            for view in VIEWS:
                sep = "&" if "?" in view else "?"
                paths.append(f"{view}{sep}{query}" if query else view)
        for table in EXPORTS:
            name, _, params = table.partition("?")
            query = "&".join(q for q in (params, as_of) if q)
            for lang in ("vi", "en"):
                paths.append(f"/api/v1/exports/{name}.csv?lang={lang}" + (f"&{query}" if query else ""))
    paths += [f"/api/v1/units/{u}/history?as_of={FIGURES_DAY}" for u in HISTORIES]
    return paths


def _scrub(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _scrub(v) for k, v in body.items() if k not in VOLATILE}
    if isinstance(body, list):
        return [_scrub(v) for v in body]
    return body


def capture(base: str) -> dict[str, Any]:
    token = mint_token(ServiceSettings(service_name="bodies"), Role.VIEWER, subject="reporting-bodies")
    out: dict[str, Any] = {}
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        for path in _requests():
            r = client.get(path)
            kind = r.headers.get("content-type", "")
            body: Any = _scrub(r.json()) if "json" in kind else r.text
            out[path] = {"status": r.status_code, "body": body}
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """A line per request whose status or body differs (or that only one capture has)."""
    problems = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path), after.get(path)
        if a != b:
            problems.append(f"{path}: {_first_difference(a, b)}")
    return problems


def _first_difference(a: Any, b: Any, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{where}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    return f"{where or 'body'}: {str(a)[:200]!r} != {str(b)[:200]!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="write every endpoint's status and body to FILE")
    cap.add_argument("file", type=Path)
    port = os.environ.get("REPORTING_HTTP_PORT", "8004")
    cap.add_argument("--base", default=f"http://127.0.0.1:{port}", help="reporting's base URL")
    cmp_ = sub.add_parser("compare", help="exit 1 and list the differences between two captures")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "capture":
        bodies = capture(args.base)
        args.file.write_text(json.dumps(bodies, ensure_ascii=False, indent=1, sort_keys=True))
        failed = sum(v["status"] >= 500 for v in bodies.values())
        print(f"{len(bodies)} requests captured in {args.file} ({failed} answered 5xx)")
        return 0
    problems = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    for line in problems:
        print(line)
    print("identical" if not problems else f"{len(problems)} request(s) differ", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
