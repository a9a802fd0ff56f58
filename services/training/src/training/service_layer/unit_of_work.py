"""Training's unit of work: its repositories on the transaction the plumbing's UnitOfWork manages."""

from __future__ import annotations

from cds_plumbing.db import Connection
from cds_plumbing.unit_of_work import UnitOfWork as BaseUnitOfWork
from training.adapters.classes_repo import ClassRepository
from training.adapters.directory_repo import DirectoryRepository
from training.adapters.drills_repo import DrillRepository
from training.adapters.plans_repo import PlanRepository
from training.adapters.programmes_repo import ProgrammeRepository


class UnitOfWork(BaseUnitOfWork):
    SOURCE = "/training"
    programmes: ProgrammeRepository
    plans: PlanRepository
    classes: ClassRepository
    drills: DrillRepository
    directory: DirectoryRepository

    def attach(self, conn: Connection) -> None:
        super().attach(conn)
        self.programmes = ProgrammeRepository(conn)
        self.plans = PlanRepository(conn)
        self.classes = ClassRepository(conn)
        self.drills = DrillRepository(conn)
        self.directory = DirectoryRepository(conn)
