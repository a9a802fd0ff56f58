"""Send a province package to personnel and follow it, printing what an operator wants to see: the dry
run's counts (or every error by file, row and column), then the import's phase and rows done until it
succeeds or fails.

    python -m demo.package_loader package.zip            # or a .jsonl file; --dry-run only checks
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cds_plumbing.auth import Role, mint_token
from cds_plumbing.settings import ServiceSettings

Progress = Callable[[str], None]


class PackageError(Exception):
    """The package was refused (with its errors printed) or its import failed."""


def _content_type(data: bytes) -> str:
    return "application/zip" if data[:2] == b"PK" else "application/x-ndjson"


async def load_package(
    api: httpx.AsyncClient,
    data: bytes,
    file_name: str,
    progress: Progress = print,
    *,
    dry_run: bool = False,
    timeout_s: float = 600,
) -> dict[str, Any]:
    """The dry run's report (`dry_run`), or the finished import record; PackageError when refused/failed.
    `api` is a client on personnel's base URL with a province_admin token."""
    headers = {"content-type": _content_type(data)}
    params = {"file_name": file_name}
    checked = await api.post("/api/v1/packages", params={**params, "dry_run": "true"}, content=data, headers=headers)
    if checked.status_code != 200:
        raise PackageError(f"{file_name} refused ({checked.status_code}): {checked.json().get('detail')}")
    report: dict[str, Any] = checked.json()
    counts = ", ".join(f"{n:,} {kind}" for kind, n in report["counts"].items())
    if not report["valid"]:
        for e in report["errors"]:
            progress(f"  {e['file']} row {e['row']} {e['field'] or ''}: {e['message']}")
        raise PackageError(f"{file_name}: {report['error_count']} error(s); nothing was written")
    progress(f"{file_name}: valid ({counts}; {report['events']:,} events)")
    if dry_run:
        return report
    started = await api.post("/api/v1/packages", params=params, content=data, headers=headers)
    if started.status_code != 202:
        raise PackageError(f"{file_name} refused ({started.status_code}): {started.json().get('detail')}")
    location, seen = started.headers["location"], None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        record: dict[str, Any] = (await api.get(location)).raise_for_status().json()
        if (record["phase"], record["rows_done"]) != seen:
            seen = (record["phase"], record["rows_done"])
            progress(f"  {record['phase']}: {record['rows_done']:,}/{record['rows_total']:,} rows")
        if record["status"] == "succeeded":
            return record
        if record["status"] == "failed":
            raise PackageError(f"{file_name}: import failed: {record['error']}")
        await asyncio.sleep(0.5)
    raise PackageError(f"{file_name}: still running after {timeout_s:.0f} s (see {location})")


async def _main(name: str, data: bytes, dry_run: bool) -> None:
    token = mint_token(ServiceSettings(service_name="demo"), Role.PROVINCE_ADMIN, subject="package-loader")
    base = f"http://127.0.0.1:{os.environ.get('PERSONNEL_HTTP_PORT', '8001')}"
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as api:
        record = await load_package(api, data, name, dry_run=dry_run)
    if not dry_run:
        print(f"imported as {record['import_id']}: {record['counts']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.package_loader", description=__doc__)
    parser.add_argument("package", type=Path, help="a .zip of CSV files or a .jsonl file")
    parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_main(args.package.name, args.package.read_bytes(), args.dry_run))
    except (PackageError, httpx.HTTPError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
