"""The bounds in the event contracts fit every consumer's columns, so no producer can emit what a
consumer cannot store (issue #14: training accepted a plan target of 2^31, reporting dead-lettered it).

Every consumer's database is migrated for real; each numeric or text field of every registered event is
compared with every column of the same name there (events and projections share field names):
an `integer` column must hold the field's whole range, a `bigint` too, a `varchar(n)` its longest text.
And every number and text of every event must be bounded at all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest

from cds_contracts import REGISTRY
from cds_plumbing.migrations import PLUMBING_MIGRATIONS, migrate, packaged_migrations
from cds_plumbing.settings import admin_database_url

pytestmark = pytest.mark.integration

CONSUMERS = ("personnel", "training", "recruitment", "reporting")  # every service consumes some topic
RANGES = {"smallint": (-(2**15), 2**15 - 1), "integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}


def _leaves(schema: dict[str, Any], root: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(dotted name, schema) of every scalar property, nested models and null alternatives unfolded."""
    for name, prop in schema.get("properties", {}).items():
        yield from _unfold(f"{prefix}{name}", prop, root)


def _unfold(name: str, prop: dict[str, Any], root: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in prop:
        yield from _leaves(root["$defs"][prop["$ref"].split("/")[-1]], root, f"{name}.")
    elif "anyOf" in prop:
        for alt in prop["anyOf"]:
            if alt.get("type") != "null":
                yield from _unfold(name, alt, root)
    elif prop.get("type") == "array":
        yield from _unfold(name, prop.get("items", {}), root)
    elif prop.get("type") in ("integer", "number", "string") and "enum" not in prop and "const" not in prop:
        yield name, prop


FIELDS = [
    (spec.ce_type, name, prop)
    for spec in REGISTRY
    for name, prop in _leaves(spec.model.model_json_schema(), spec.model.model_json_schema())
]


@pytest.mark.parametrize(("event", "field", "prop"), FIELDS, ids=[f"{e}:{f}" for e, f, _ in FIELDS])
def test_every_number_and_text_of_every_event_is_bounded(event: str, field: str, prop: dict[str, Any]) -> None:
    if prop["type"] == "integer":
        assert "minimum" in prop and "maximum" in prop, f"{event} {field}: an unbounded integer"
    elif prop["type"] == "string" and prop.get("format") not in ("date", "date-time", "uuid"):
        assert "maxLength" in prop, f"{event} {field}: an unbounded text"
        assert "pattern" in prop, f"{event} {field}: a text that may carry NUL or other control characters"


@pytest.fixture(scope="module")
async def consumer_columns() -> AsyncIterator[dict[str, list[asyncpg.Record]]]:
    admin = await asyncpg.connect(admin_database_url())
    base = admin_database_url().rsplit("/", 1)[0]
    names = {svc: f"test_cols_{svc}_{uuid.uuid4().hex[:8]}" for svc in CONSUMERS}
    columns: dict[str, list[asyncpg.Record]] = {}
    try:
        for svc, db in names.items():
            await admin.execute(f'CREATE DATABASE "{db}"')
            conn = await asyncpg.connect(f"{base}/{db}")
            try:
                await migrate(conn, [("plumbing", PLUMBING_MIGRATIONS), (svc, packaged_migrations(svc))])
                columns[svc] = await conn.fetch(
                    """SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.character_maximum_length
                       FROM information_schema.columns c
                       JOIN information_schema.tables t USING (table_schema, table_name)
                       WHERE t.table_type = 'BASE TABLE'
                         AND c.table_schema NOT IN ('pg_catalog', 'information_schema')"""
                )
            finally:
                await conn.close()
        yield columns
    finally:
        for db in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        await admin.close()


async def test_every_bounded_field_fits_every_consumer_column_of_its_name(
    consumer_columns: dict[str, list[asyncpg.Record]],
) -> None:
    problems, compared = [], 0
    for svc, columns in consumer_columns.items():
        by_name: dict[str, list[asyncpg.Record]] = {}
        for col in columns:
            by_name.setdefault(col["column_name"], []).append(col)
        for event, field, prop in FIELDS:
            for col in by_name.get(field.rsplit(".", 1)[-1], []):
                where = f"{svc} {col['table_schema']}.{col['table_name']}.{col['column_name']} ({col['data_type']})"
                compared += 1
                if prop["type"] == "integer" and col["data_type"] in RANGES:
                    lo, hi = RANGES[col["data_type"]]
                    if prop["minimum"] < lo or prop["maximum"] > hi:
                        problems.append(f"{event} {field} [{prop['minimum']}, {prop['maximum']}] does not fit {where}")
                elif "maxLength" in prop and (col["character_maximum_length"] or 10**9) < prop["maxLength"]:
                    problems.append(f"{event} {field} (up to {prop['maxLength']}) does not fit {where}")
    assert not problems, "\n".join(problems)
    assert compared > 100, f"only {compared} comparisons: do the names still match?"
