"""`cds-platform backup DIR` and `cds-platform restore DIR` (ops/backup.py, ops/restore.py)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from .archive import BackupError

SERVICES = ("personnel", "training", "recruitment", "reporting")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("backup", help="every service database and every topic's records into a new folder")
    b.add_argument("folder", type=Path, help="where to write the backup (a new or empty folder)")
    r = sub.add_parser("restore", help="a backup onto an empty stack (services stopped)")
    r.add_argument("folder", type=Path, help="a folder written by `backup`")
    r.add_argument("--no-provision", action="store_true", help="the service roles and databases exist already (empty)")


def _databases() -> dict[str, str]:
    from ..settings import local_database_url

    return {s: os.environ.get(f"{s.upper()}_DATABASE_URL") or local_database_url(s) for s in SERVICES}


def backup(args: argparse.Namespace, bootstrap: str, prefix: str) -> int:
    from cds_contracts import TopicSpec, all_topics

    from .backup import backup as run_backup

    topics = [TopicSpec(prefix + t.name, t.partitions, t.config) for t in all_topics()]
    try:
        m = asyncio.run(run_backup(args.folder, _databases(), bootstrap, topics, prefix))
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in args.folder.rglob("*") if f.is_file())
    records = sum(t["records"] for t in m["topics"])
    print(f"backup written to {args.folder} in {m['seconds']:.1f} s ({size / 1e6:.1f} MB)")
    for d in m["databases"]:
        print(f"  database {d['service']:<12} {d['bytes'] / 1e6:8.1f} MB  pg_dump {d['seconds']:.1f} s")
    print(f"  topics: {len(m['topics'])}, {records} records; consumer groups: {len(m['groups'])}")
    print("The folder holds personal data (the service databases): store and move it accordingly.")
    return 0


def restore(args: argparse.Namespace, bootstrap: str, prefix: str) -> int:
    from ..cli import provision
    from ..settings import admin_database_url
    from .restore import restore as run_restore

    if not args.no_provision:
        asyncio.run(provision(list(SERVICES), admin_database_url()))
    try:
        report = asyncio.run(run_restore(args.folder, _databases(), bootstrap, prefix))
    except BackupError as exc:
        print(f"restore refused or failed: {exc}", file=sys.stderr)
        return 1
    if not args.no_provision and os.environ.get("BI_READER_PASSWORD"):
        asyncio.run(provision(["reporting"], admin_database_url()))  # the BI login's grants on the restored views
    print(f"restored {args.folder} in {report['seconds']:.1f} s")
    for service, seconds in report["databases"].items():
        print(f"  database {service:<12} pg_restore {seconds:.1f} s")
    kept = "every record at its original offset" if report["offsets_kept"] else "offsets translated"
    print(f"  topics: {report['topics']}, {report['records']} records ({kept}); groups: {report['groups']}")
    if report["checkpoints_translated"]:
        print(f"  consumer checkpoints moved to the new offsets: {report['checkpoints_translated']}")
    if report["outbox_rows_to_republish"]:
        print(f"  outbox rows the relays will publish again: {report['outbox_rows_to_republish']}")
    print("Start the services now (make up): relays publish what was pending, consumers resume from checkpoints.")
    return 0
