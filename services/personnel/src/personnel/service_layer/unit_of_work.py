"""Personnel's unit of work: its repositories on the transaction the plumbing's UnitOfWork manages
(`UnitOfWork.joined(conn, ...)` inside an event consumer's batch)."""

from __future__ import annotations

from cds_plumbing.db import Connection
from cds_plumbing.unit_of_work import UnitOfWork as BaseUnitOfWork
from personnel.adapters.officers_repo import OfficerRepository
from personnel.adapters.response_teams_repo import ResponseTeamRepository
from personnel.adapters.teams_repo import TeamRepository
from personnel.adapters.units_repo import UnitRepository


class UnitOfWork(BaseUnitOfWork):
    SOURCE = "/personnel"
    units: UnitRepository
    officers: OfficerRepository
    teams: TeamRepository
    response_teams: ResponseTeamRepository

    def attach(self, conn: Connection) -> None:
        super().attach(conn)
        self.units = UnitRepository(conn)
        self.officers = OfficerRepository(conn)
        self.teams = TeamRepository(conn)
        self.response_teams = ResponseTeamRepository(conn)
