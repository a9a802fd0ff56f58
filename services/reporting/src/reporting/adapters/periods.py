"""Writing dated periods: one generic writer for every `<table>(<key columns>, valid_from, valid_to, ...)`.

Table and column names come only from this package's code (never from events); values go as parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import asyncpg

from cds_plumbing.db import Connection
from cds_plumbing.periods import MissingPeriodError, Period, Step, end_before, plan_change


async def latest(conn: Connection, table: str, key: Mapping[str, Any]) -> asyncpg.Record | None:
    where = " AND ".join(f"{col} = ${i}" for i, col in enumerate(key, 1))
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT * FROM {table} WHERE {where} ORDER BY valid_from DESC LIMIT 1", *key.values()
    )
    return row


async def change(
    conn: Connection,
    table: str,
    key: Mapping[str, Any],
    effective: dt.date,
    values: Mapping[str, Any],
    *,
    may_open: bool,
) -> None:
    """From `effective` on, the record has `values` (other columns carried over from its latest period)."""
    row = await latest(conn, table, key)
    step = plan_change(None if row is None else _period_of(row), effective)
    if step is Step.OPEN:
        if not may_open:
            raise MissingPeriodError(f"{table} {dict(key)} has no period to change")
        await _insert(conn, table, {**key, **values, "valid_from": effective, "valid_to": None})
        return
    assert row is not None
    if step is Step.REPLACE:
        await _update(conn, table, key, row["valid_from"], values)
        return
    await _update(conn, table, key, row["valid_from"], {"valid_to": end_before(_period_of(row), effective)})
    await _insert(conn, table, {**dict(row), **values, "valid_from": effective, "valid_to": None})


async def close(conn: Connection, table: str, key: Mapping[str, Any], effective: dt.date) -> None:
    """The record stops on `effective`: its latest period ends the day before."""
    row = await latest(conn, table, key)
    if row is None:
        raise MissingPeriodError(f"{table} {dict(key)} has no period to close")
    await _update(conn, table, key, row["valid_from"], {"valid_to": end_before(_period_of(row), effective)})


async def set_end(conn: Connection, table: str, key: Mapping[str, Any], valid_to: dt.date | None) -> None:
    """Overwrite the latest period's end (a correction, not a change in time)."""
    row = await latest(conn, table, key)
    if row is not None:
        await _update(conn, table, key, row["valid_from"], {"valid_to": valid_to})


def _period_of(row: asyncpg.Record) -> Period:
    return Period(row["valid_from"], row["valid_to"])


async def _insert(conn: Connection, table: str, values: Mapping[str, Any]) -> None:
    cols = ", ".join(values)
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    await conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({params})", *values.values())


async def _update(
    conn: Connection, table: str, key: Mapping[str, Any], valid_from: dt.date, values: Mapping[str, Any]
) -> None:
    sets = ", ".join(f"{col} = ${i}" for i, col in enumerate(values, 1))
    n = len(values)
    where = " AND ".join(f"{col} = ${n + i}" for i, col in enumerate(key, 1))
    await conn.execute(
        f"UPDATE {table} SET {sets} WHERE {where} AND valid_from = ${n + len(key) + 1}",
        *values.values(),
        *key.values(),
        valid_from,
    )
