"""The training plan's targets are named once, by the contract (cds_contracts.training.PlanTargets): the
projection table and the BI view reporting's migrations create must carry exactly those, in that order,
or the writer (adapters/training_writer.py) and the attainment answers would miss a target."""

from __future__ import annotations

import asyncpg
import pytest

from cds_contracts.training import PLAN_TARGET_NAMES

pytestmark = pytest.mark.integration
KEYS = ("year", "revision")


async def test_every_training_plans_relation_has_one_column_per_target(reporting_db: str) -> None:
    conn = await asyncpg.connect(reporting_db)
    try:
        rows = await conn.fetch(
            """SELECT table_schema, column_name FROM information_schema.columns
               WHERE table_name IN ('training_plans', 'v_training_plans') ORDER BY table_schema, ordinal_position"""
        )
    finally:
        await conn.close()
    relations: dict[str, list[str]] = {}
    for r in rows:
        relations.setdefault(r["table_schema"], []).append(r["column_name"])
    assert "reporting" in relations and len(relations) >= 2  # the BI view and at least one projection schema
    for schema, columns in relations.items():
        assert tuple(columns) == KEYS + PLAN_TARGET_NAMES, schema
