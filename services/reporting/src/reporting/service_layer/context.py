"""What every view needs: the pool and the live consumer whose checkpoints tell how fresh the data are."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class ViewContext:
    pool: asyncpg.Pool
    consumer: str
    topics: tuple[str, ...]
