"""The fault suite, shortened for `make test` (`make chaos` runs it at full length and prints the report):
on a private stack with two replicas of every service (tests/faults/stack.py), each scenario breaks
something for real while writes go on, then the audit compares every service's tables and outbox, Kafka,
every consumer's inbox and checkpoints and the DLQs: nothing acknowledged lost, nothing applied twice,
nothing refused stored; and each scenario's own promise (503s with Retry-After, the backlog showing a
broker outage, a fast takeover, exit 0 on SIGTERM)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .audit import consumers
from .load import Load
from .scenarios import Chaos, Outcome, kill_broker, kill_replicas, poison, sigterm, stop_postgres, table
from .stack import FaultStack

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
async def chaos(fault_stack: FaultStack) -> AsyncIterator[Chaos]:
    load = Load(fault_stack)
    try:
        await load.setup()
        yield Chaos(fault_stack, load, consumers(), full=False)
    finally:
        await load.close()


def _clean(o: Outcome) -> None:
    a = o.audit
    assert a.acknowledged > 0, "the load wrote nothing"
    assert not a.problems, table([o])
    assert (a.lost, a.duplicated, a.refused_stored, a.out_of_order) == (0, 0, 0, 0)
    assert a.stored == a.acknowledged and a.reported == a.acknowledged


def _seconds(text: str) -> float:
    return float(text.split()[0])


async def test_postgresql_stopped_abruptly(chaos: Chaos) -> None:
    o = await stop_postgres(chaos)
    _clean(o)
    refused = [w for w in o.writes if w.refused]
    assert refused, "writes during the outage were refused"
    assert {w.status for w in refused} == {503}, table([o])
    assert all(w.retry_after == "5" for w in refused)


async def test_broker_killed(chaos: Chaos) -> None:
    o = await kill_broker(chaos)
    _clean(o)
    assert o.notes["backlog shows the outage after"] != "never", o.notes
    # the relay's acknowledgement timeout is 10 s; the rest is the wait for the next pass and a loaded machine
    assert _seconds(o.notes["backlog shows the outage after"]) <= 10 + 4, o.notes
    # bounded by its 1.5 s per-database timeout; the command's time adds an interpreter start (reported)
    assert _seconds(o.notes["backlog queries answered within"]) < 2, o.notes


async def test_poison_records_and_a_duplicate(chaos: Chaos) -> None:
    before = dict(chaos.outcomes[-1].audit.dead_lettered) if chaos.outcomes else {}
    o = await poison(chaos)
    _clean(o)
    added = {c: n - before.get(c, 0) for c, n in o.audit.dead_lettered.items()}
    # every consumer of personnel.officer dead-letters the 4 poison records; the duplicate is skipped
    assert added == {"personnel-hires": 0, "training-officers": 4, "recruitment-personnel": 4,
                     "reporting-projections": 4}, added  # fmt: skip
    assert o.audit.copies_skipped >= 1


async def test_one_replica_of_each_service_killed(chaos: Chaos) -> None:
    o = await kill_replicas(chaos)
    _clean(o)
    took = [float(part.split()[1]) for part in o.notes["takeover"].split(", ")]
    assert max(took) < 7, o.notes  # the 3 s session; the chaos report prints it against the 5 s target


async def test_sigterm_mid_load(chaos: Chaos) -> None:
    o = await sigterm(chaos)
    _clean(o)
    assert o.notes["exit"].startswith("0 "), o.notes
    assert o.notes["shutdown complete"] == "True"
    print("\n" + table(chaos.outcomes))
