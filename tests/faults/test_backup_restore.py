"""Backup and restore on the private stack (tests/faults/backup_drill.py): a reduced demo data set loaded
through the APIs, `cds-platform backup`, the stack wiped, `cds-platform restore` onto empty PostgreSQL
and Kafka, the services started: reporting's overview, trends and every export, and each service's API,
answer byte for byte as before; every record is back at its offset; a second restore is refused."""

from __future__ import annotations

import pytest

from .audit import consumers
from .backup_drill import drill, summary
from .stack import FaultStack

pytestmark = [pytest.mark.faults, pytest.mark.timeout(1200)]


async def test_demo_data_survive_backup_reset_and_restore(fault_stack: FaultStack) -> None:
    d = await drill(fault_stack, consumers(), scale=0.03)
    print("\n", summary(d))
    assert d.events > 1000, summary(d)
    assert d.compared >= 30
    assert not d.differences, d.differences[:10]

    again = fault_stack.cli("restore", str(fault_stack.run_dir.parent / f"{fault_stack.name}-backup"))
    assert again.returncode == 1, "a restore onto a stack with data is refused"
    assert "restore needs an empty stack" in again.stderr, again.stderr
