"""Set-based writes: many rows in one statement, whatever their column types.

Rows travel as one JSON text parameter that `json_populate_recordset(NULL::<table>, ...)` turns into
rows of the table's own type, so dates, arrays (text[]), numbers and NULLs convert exactly as the
per-row statements' parameters would, and one statement serves any table. Large plain inserts use COPY.
Table and column names come only from this package's code (never from events); values are data.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg

from cds_plumbing.db import Connection

Row = Mapping[str, Any]
COPY_FROM = 64  # rows from which a plain insert is a COPY (a round trip less per row than anything else)


def _json_default(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def as_json(rows: Iterable[Row]) -> str:
    return json.dumps(list(rows), default=_json_default, ensure_ascii=False)


def _by_columns(rows: Sequence[Row]) -> dict[tuple[str, ...], list[Row]]:
    """Rows grouped by their set of columns (one statement per group)."""
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups


def _recordset(table: str) -> str:
    return f"json_populate_recordset(NULL::{table}, $1::text::json)"


async def insert(conn: Connection, table: str, rows: Sequence[Row], *, on_conflict: str = "") -> None:
    """INSERT every row; `on_conflict` is an ON CONFLICT clause (EXCLUDED.<column> names the new values)."""
    for columns, group in _by_columns(rows).items():
        if not on_conflict and len(group) >= COPY_FROM:
            await conn.copy_records_to_table(table, records=[tuple(r.values()) for r in group], columns=columns)
            continue
        cols = ", ".join(columns)
        await conn.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {_recordset(table)} {on_conflict}", as_json(group)
        )


async def update(conn: Connection, table: str, keys: Sequence[str], rows: Sequence[Row]) -> None:
    """UPDATE the row matching each row's `keys` columns with its other columns."""
    for columns, group in _by_columns(rows).items():
        sets = ", ".join(f"{c} = u.{c}" for c in columns if c not in keys)
        where = " AND ".join(f"t.{k} = u.{k}" for k in keys)
        await conn.execute(f"UPDATE {table} t SET {sets} FROM {_recordset(table)} u WHERE {where}", as_json(group))


async def latest(
    conn: Connection, table: str, keys: Sequence[str], values: Sequence[tuple[str, ...]]
) -> dict[tuple[str, ...], asyncpg.Record]:
    """The latest period (greatest valid_from) of each key, by key; keys are text columns."""
    if not values:
        return {}
    arrays = ", ".join(f"${i}::text[]" for i in range(1, len(keys) + 1))
    match = " AND ".join(f"t.{k} = k.{k}" for k in keys)
    rows = await conn.fetch(
        f"""SELECT l.* FROM unnest({arrays}) AS k({", ".join(keys)})
            CROSS JOIN LATERAL (SELECT * FROM {table} t WHERE {match} ORDER BY t.valid_from DESC LIMIT 1) l""",
        *([v[i] for v in values] for i in range(len(keys))),
    )
    return {tuple(r[k] for k in keys): r for r in rows}
