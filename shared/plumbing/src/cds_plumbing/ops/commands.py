"""What the new `cds-platform` subcommands print; the work itself is in the sibling modules."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cds_contracts import TopicSpec, all_topics

from .dlq import dlq_name, execute_replay, list_dead_letters, plan_replay
from .dlq_copies import group_copies
from .outbox import format_age, outbox_backlogs, relay_state
from .progress import Progress
from .topics import verify_topics


def topics_verify(bootstrap: str, prefix: str) -> int:
    specs = [TopicSpec(prefix + t.name, t.partitions, t.config) for t in all_topics()]
    problems = asyncio.run(verify_topics(bootstrap, specs))
    if problems:
        print(f"{len(problems)} of {len(specs)} topics are not as declared:")
        for line in problems:
            print(f"  {line}")
        return 1
    print(f"topics: all {len(specs)} present with the declared partitions")
    return 0


def dlq_list(bootstrap: str, prefix: str, topic: str, limit: int, as_json: bool) -> int:
    name = dlq_name(topic, prefix)
    letters = asyncio.run(list_dead_letters(bootstrap, name, limit))
    records = group_copies(letters)
    if as_json:
        print(json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=2))
        return 0
    print(
        f"{name}: {len(letters)} dead letter(s) shown (newest last, at most {limit}), "
        f"copies of {len(records)} record(s)"
    )
    for r in records:
        x = r.as_dict()
        print(
            f"{x['origin_topic']}[{x['origin_partition']}]@{x['origin_offset']}  key={x['key']}  type={x['type']}"
            f"  id={x['event_id']}  failed by {len(x['consumers'])} consumer(s): {', '.join(x['consumers'])}"
        )
        for c in x["copies"]:
            print(
                f"  [{c['partition']}]@{c['offset']}  consumer={c['consumer']}  attempt={c['attempt']}"
                f"  at {c['failed_at']}\n      cause: {c['cause']}"
            )
    return 0


def _parse_offsets(values: Sequence[str] | None) -> list[tuple[int, int]] | None:
    if values is None:
        return None
    out = []
    for v in values:
        partition, sep, offset = v.partition(":")
        if not sep or not partition.isdigit() or not offset.isdigit():
            raise SystemExit(f"--offsets takes PARTITION:OFFSET of the .dlq (as `dlq list` shows), not {v!r}")
        out.append((int(partition), int(offset)))
    return out


def dlq_replay(
    bootstrap: str,
    prefix: str,
    topic: str,
    consumer: str | None,
    offsets: Sequence[str] | None,
    dry_run: bool,
    *,
    group: str | None = None,
) -> int:
    name = dlq_name(topic, prefix)
    plan = asyncio.run(
        plan_replay(
            bootstrap, name, consumer=consumer, offsets=_parse_offsets(offsets), group_prefix=prefix, group=group
        )
    )
    for p, o in plan.already_replayed:
        print(f"[{p}]@{o}: already replayed by {plan.group}, skipped")
    for p, o in plan.same_copy:
        print(f"[{p}]@{o}: another copy of a record this replay sends to the same consumer, skipped")
    for p, o in plan.not_found:
        print(f"[{p}]@{o}: no such dead letter" + (f" of consumer {consumer}" if consumer else ""))
    verb = "would replay" if dry_run else "replaying"
    for d in plan.to_publish:
        target = f"for {d.consumer} only" if d.consumer else "for every consumer (no x-dlq-consumer)"
        print(f"{verb} [{d.partition}]@{d.offset} key={d.as_dict()['key']} -> {d.origin_topic} {target}")
    if dry_run:
        print(f"dry run: {len(plan.to_publish)} record(s) would be replayed; nothing published")
        return 0
    progress = Progress(f"replaying {name}", len(plan.to_publish))
    done = asyncio.run(execute_replay(bootstrap, plan, progress=progress))
    progress.finish()
    print(f"replayed {done} record(s) from {name}; progress recorded in consumer group {plan.group}")
    return 1 if plan.not_found else 0


def outbox_report(urls: Sequence[str]) -> int:
    results = asyncio.run(outbox_backlogs(urls))
    failed = 0
    print(f"{'database':<16} {'pending':>8} {'oldest':>12} {'failing':>8}  relay")
    for url, b in zip(urls, results, strict=True):
        if isinstance(b, BaseException):  # report every database, then fail
            failed += 1
            print(f"{url.rsplit('/', 1)[-1]:<16} unreachable: {type(b).__name__}: {b}")
        elif not b.has_outbox:
            print(f"{b.database:<16} {'no outbox table':>30}")
        else:
            print(f"{b.database:<16} {b.pending:>8} {format_age(b.oldest_age):>12} {b.failing:>8}  {relay_state(b)}")
            if b.last_error:
                print(f"{'':<16} last error: {b.last_error}")
    return 1 if failed else 0


def rebuild_reporting(args: Sequence[str]) -> int:
    """Run the reporting service's own rebuild command: plumbing never imports a service."""
    here = str(Path(sys.executable).parent)  # the venv's scripts, even when PATH does not include them
    exe = shutil.which("reporting-rebuild", path=os.pathsep.join([here, os.environ.get("PATH", "")]))
    if exe is None:
        print("reporting-rebuild is not installed here; run this where the reporting service is", file=sys.stderr)
        return 2
    return subprocess.run([exe, *args], check=False).returncode  # noqa: S603 - our own console script
