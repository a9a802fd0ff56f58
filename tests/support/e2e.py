"""Helpers for end-to-end tests against the running services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from cds_plumbing.ops.outbox import outbox_backlogs
from cds_plumbing.settings import default_bootstrap, local_database_url
from demo.__main__ import summary_rows
from demo.dataset import DataSet

from .wire_kafka import end_offsets

PRODUCERS = ("personnel", "training", "recruitment")


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def eventually(check: Callable[[], bool], what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"reporting never showed {what}")


def eventually_each(check: Callable[[str], bool], items: list[str], what: str, timeout_s: float = 90) -> None:
    """`check` holds for every item, asking again only for those it did not hold for yet. Waiting for the
    last of several events is not enough when they are keyed differently: they travel on different
    partitions, in no order relative to one another."""
    missing = list(items)
    deadline = time.monotonic() + timeout_s
    while missing and time.monotonic() < deadline:
        missing = [i for i in missing if not check(i)]
        if missing:
            time.sleep(0.3)
    assert not missing, f"never saw {what}: {len(missing)} missing, {missing[:3]}"


def settled_summary(ds: DataSet, reporting: str, timeout_s: float = 30) -> list[tuple[str, Any, Any]]:
    """The demo's summary rows (the training plan's whole-stack row left out: other tests' data share it),
    read again for up to timeout_s while any differs from the generator's figure. The loader waits for the
    head counts and the community teams; training's, recruitment's and the response team's events travel on
    other topics and may land a moment later. A figure still wrong after that is returned as it is."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = [r for r in summary_rows(ds, reporting) if "whole stack" not in r[0]]
        if all(actual == expected for _, actual, expected in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def unpublished() -> int:
    """Outbox rows the producing services have committed and not yet put on Kafka (an unreachable database
    counts as one: not known to be empty)."""
    found = asyncio.run(outbox_backlogs([local_database_url(s) for s in PRODUCERS]))
    return sum(1 if isinstance(b, BaseException) else b.pending for b in found)


def caught_up(reporting: httpx.Client, timeout_s: float = 90) -> None:
    """Wait until reporting has applied everything the services committed before the call: every outbox
    published, then every topic reporting reads applied up to where it ends. A wait on one figure can be met
    by a prefix of the events (a count reached before a later change lands); this one cannot."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if unpublished():
            time.sleep(0.2)
            continue
        ends = end_offsets(default_bootstrap()) or {}
        topics = ok(reporting.get("/api/v1/freshness"))["topics"]
        applied = {(t["topic"], o["partition"]): o["next_offset"] for t in topics for o in t["offsets"]}
        read = {t["topic"] for t in topics}
        behind = [tp for tp, end in ends.items() if tp[0] in read and applied.get(tp, 0) < end]
        assert read & {topic for topic, _ in ends}, f"reporting reads none of the declared topics: {sorted(read)}"
        if not behind:
            return
        time.sleep(0.3)
    raise AssertionError("reporting did not catch up with what the services committed")
