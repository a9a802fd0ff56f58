"""Dated periods written a set at a time: the same rules as periods.py (cds_plumbing.periods decides each
change), with one read of every key's latest period and one statement per kind of write.

A set holds at most one change per key (the consumer's steps guarantee it); a repeated key is applied
in a later round, in order, so the outcome is always that of applying the changes one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cds_plumbing.db import Connection
from cds_plumbing.periods import MissingPeriodError, Period, Step, end_before, plan_change

from . import bulk


@dataclass(frozen=True)
class Change:
    """From `effective` on, the record `key` has `values` (other columns carried over from its latest period)."""

    key: tuple[str, ...]
    effective: dt.date
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Close:
    """The record `key` stops on `effective`: its latest period ends the day before."""

    key: tuple[str, ...]
    effective: dt.date


def _rounds(items: Sequence[Change] | Sequence[Close]) -> Iterator[list[Any]]:
    """The items split into rounds with distinct keys, a key's items in their order."""
    pending: list[Any] = list(items)
    while pending:
        seen: set[tuple[str, ...]] = set()
        now: list[Any] = []
        later: list[Any] = []
        for item in pending:
            (later if item.key in seen else now).append(item)
            seen.add(item.key)
        yield now
        pending = later


async def change_many(
    conn: Connection, table: str, keys: Sequence[str], changes: Sequence[Change], *, may_open: bool
) -> None:
    for changes_round in _rounds(changes):
        latest = await bulk.latest(conn, table, keys, [c.key for c in changes_round])
        inserts: list[dict[str, Any]] = []
        replaced: list[dict[str, Any]] = []
        closed: list[dict[str, Any]] = []
        for c in changes_round:
            row = latest.get(c.key)
            key = dict(zip(keys, c.key, strict=True))
            step = plan_change(None if row is None else Period(row["valid_from"], row["valid_to"]), c.effective)
            if step is Step.OPEN:
                if not may_open:
                    raise MissingPeriodError(f"{table} {key} has no period to change")
                inserts.append({**key, **c.values, "valid_from": c.effective, "valid_to": None})
                continue
            assert row is not None
            if step is Step.REPLACE:
                replaced.append({**key, "valid_from": row["valid_from"], **c.values})
                continue
            period = Period(row["valid_from"], row["valid_to"])
            closed.append({**key, "valid_from": row["valid_from"], "valid_to": end_before(period, c.effective)})
            inserts.append({**dict(row), **c.values, "valid_from": c.effective, "valid_to": None})
        await bulk.update(conn, table, [*keys, "valid_from"], replaced)
        await bulk.update(conn, table, [*keys, "valid_from"], closed)
        await bulk.insert(conn, table, inserts)


async def close_many(conn: Connection, table: str, keys: Sequence[str], closes: Sequence[Close]) -> None:
    for closes_round in _rounds(closes):
        latest = await bulk.latest(conn, table, keys, [c.key for c in closes_round])
        ends: list[dict[str, Any]] = []
        for c in closes_round:
            row = latest.get(c.key)
            if row is None:
                raise MissingPeriodError(f"{table} {dict(zip(keys, c.key, strict=True))} has no period to close")
            period = Period(row["valid_from"], row["valid_to"])
            key = dict(zip(keys, c.key, strict=True))
            ends.append({**key, "valid_from": row["valid_from"], "valid_to": end_before(period, c.effective)})
        await bulk.update(conn, table, [*keys, "valid_from"], ends)
