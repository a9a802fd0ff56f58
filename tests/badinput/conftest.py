"""One isolated copy of the four services (real processes, fresh databases, private topics) shared by the
bad-input tests and the fuzzer: whatever they send cannot disturb the local stack's data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support.isolated_stack import Stack, isolated_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def iso() -> Iterator[Stack]:
    log_dir = ROOT / ".run" / "test-artifacts" / "isolated-stack"
    log_dir.mkdir(parents=True, exist_ok=True)
    with isolated_stack(log_dir) as stack:
        yield stack


async def fetchval(dsn: str, sql: str, *args: object) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()
