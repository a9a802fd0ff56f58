"""How a consumer belongs to its group: static membership per replica, assignment by replica, a short session.

Chosen for two promises (README, Replicas):

- **A killed replica's partitions resume within 5 s.** The session timeout (3 s, heartbeat every 0.5 s) is
  how long the broker waits for a silent member before it rebalances; the broker's floor
  `group.min.session.timeout.ms` is lowered to 1 s to allow it (Kafka's default floor is 6 s).
- **A planned rolling restart moves no partition.** With `instance_id` set, each consumer joins as the
  static member `<group>-<instance_id>` (KIP-345): it sends no LeaveGroup when it stops, and a process
  rejoining under the same name within the session timeout gets its partitions back without a
  rebalance. A restart is slower than 3 s (imports alone take 2), so `scripts/stack.sh restart` starts
  the replacement first; it prepares everything, then waits on `InstanceLock` (a PostgreSQL session
  lock named after the static member) while the old process finishes its batch and stops; the lock
  passes at once, and the replacement joins well inside the session timeout. The lock also keeps two
  processes from ever using one static name at the same time (Kafka would fence one of them, and aiokafka
  does not recover from that).
- **Assignment follows the replica, not the process**: `InstanceRoundRobinAssignor` lays the partitions
  out round-robin over the members sorted by instance id (carried in the subscription's user data), so a
  replica that comes back under its name gets exactly its old partitions, whichever member leads the
  rebalance. It is the only assignor offered, under round-robin's protocol name (old members can share
  the group during an upgrade): aiokafka 0.14 sends one JoinGroup per offered assignor with a growing
  protocol list, and with two offered, two members make the broker restart the rebalance for ever
  ("Updating metadata for member during CompletingRebalance"; seen in the fault suite). Its subscription
  never changes for the same reason (aiokafka's sticky assignor puts the assignment in it). Eager
  protocol: aiokafka 0.14 has no cooperative rebalancing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment, ConsumerProtocolMemberMetadata

from .outages import FailureStreak

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Membership:
    instance_id: str | None = None
    session_timeout_ms: int = 3000
    heartbeat_interval_ms: int = 500

    def group_instance_id(self, consumer_name: str) -> str | None:
        return f"{consumer_name}-{self.instance_id}" if self.instance_id else None

    def consumer_settings(self, consumer_name: str) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaConsumer."""
        # aiokafka calls assignors as classes: one subclass per consumer carries its instance id.
        assignor = type(
            "InstanceRoundRobin", (InstanceRoundRobinAssignor,), {"instance": (self.instance_id or "").encode()}
        )
        return {
            "group_instance_id": self.group_instance_id(consumer_name),
            "session_timeout_ms": self.session_timeout_ms,
            "heartbeat_interval_ms": self.heartbeat_interval_ms,
            "partition_assignment_strategy": (assignor,),
        }


class InstanceRoundRobinAssignor(RoundRobinPartitionAssignor):  # type: ignore[misc]
    """Round-robin over the members sorted by instance id (then member id, for dynamic members)."""

    name = "roundrobin"  # the protocol aiokafka's default speaks: see the module's docstring
    instance = b""

    @classmethod
    def metadata(cls, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata:
        return ConsumerProtocolMemberMetadata(cls.version, sorted(topics), cls.instance)

    @classmethod
    def assign(
        cls, cluster: ClusterMetadata, members: Mapping[str, ConsumerProtocolMemberMetadata]
    ) -> dict[str, ConsumerProtocolMemberAssignment]:
        order = sorted(members, key=lambda m: (members[m].user_data or b"", m))
        partitions = sorted(
            (topic, p)
            for topic in {t for meta in members.values() for t in meta.subscription}
            for p in cluster.partitions_for_topic(topic) or ()
        )
        assigned: dict[str, dict[str, list[int]]] = {m: defaultdict(list) for m in members}
        for turn, (topic, p) in enumerate(partitions):
            subscribed = [m for m in order if topic in members[m].subscription]
            assigned[subscribed[turn % len(subscribed)]][topic].append(p)
        return {m: ConsumerProtocolMemberAssignment(cls.version, sorted(assigned[m].items()), b"") for m in members}


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for a static member name."""
    return int.from_bytes(hashlib.blake2b(f"cds-instance:{name}".encode(), digest_size=8).digest(), "big", signed=True)


class InstanceLock:
    """A PostgreSQL session advisory lock named after a static member: held while its consumer runs."""

    def __init__(self, dsn: str, name: str, *, poll_s: float = 0.2) -> None:
        self.name = name
        self._dsn, self._key, self._poll_s = dsn, _lock_key(name), poll_s
        self._conn: asyncpg.Connection | None = None

    async def _try(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._dsn, timeout=5)
        return bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key))

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until the lock is ours (True) or `stop` is set (False). Database outages are waited out."""
        streak = FailureStreak(log, f"instance lock {self.name}")
        waiting_logged = False
        while not stop.is_set():
            try:
                if await self._try():
                    streak.succeeded()
                    return True
                if not waiting_logged:
                    waiting_logged = True
                    log.info("%s is in use by another process; waiting for it to stop", self.name)
                delay = self._poll_s
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                delay = min(max(streak.failures, 1) * 0.5, 5.0)
                streak.failed(exc, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
        return False

    async def still_ours(self) -> bool:
        """After the lock's connection died (database restart), take the lock again; False when another
        process took it meanwhile. Raises while the database is still unreachable."""
        if self._conn is not None and not self._conn.is_closed():
            return True
        return await self._try()

    async def release(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):  # closing the session releases the lock anyway
                await self._conn.execute("SELECT pg_advisory_unlock($1)", self._key)
            await self._conn.close()
        self._conn = None


class InstanceTakenError(RuntimeError):
    """Another process took this replica's static member name while our lock's connection was down."""


async def run_as_instance(
    lock: InstanceLock, stop: asyncio.Event, run: Callable[[], Awaitable[None]], *, check_every_s: float = 1.0
) -> None:
    """Run `run()` while holding `lock`; wait for the lock first. If the lock's connection dies and another
    process takes the lock, stop `run()` and raise InstanceTakenError (the supervisor restarts the task,
    which then waits for the lock again: a standby, not a second member under the same name)."""
    if not await lock.acquire(stop):
        await lock.release()
        return
    task = asyncio.ensure_future(run())
    try:
        while not task.done():
            await asyncio.wait([task], timeout=check_every_s)
            if task.done():
                break
            try:
                ours = await lock.still_ours()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                continue  # database down: the consumer cannot apply anything either; check again later
            if not ours:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                raise InstanceTakenError(f"{lock.name} was taken over by another process")
        await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await lock.release()
