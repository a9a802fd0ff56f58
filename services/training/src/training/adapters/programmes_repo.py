"""asyncpg access to the programme catalogue."""

from __future__ import annotations

from cds_plumbing.db import Connection
from training.domain.errors import ConflictError
from training.domain.programmes import Programme

_COLS = "programme_id, name_vi, name_en, kind, level, hours, provider, issues_certificate, certificate_validity_months"


class ProgrammeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, programme_id: str) -> Programme | None:
        row = await self._conn.fetchrow(f"SELECT {_COLS} FROM programmes WHERE programme_id = $1", programme_id)
        return None if row is None else Programme(**dict(row))

    async def insert(self, p: Programme) -> None:
        status = await self._conn.execute(
            f"INSERT INTO programmes ({_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (programme_id) DO NOTHING",
            p.programme_id,
            p.name_vi,
            p.name_en,
            p.kind,
            p.level,
            p.hours,
            p.provider,
            p.issues_certificate,
            p.certificate_validity_months,
        )
        if status == "INSERT 0 0":
            raise ConflictError(f"programme id {p.programme_id} is already used")
