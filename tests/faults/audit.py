"""The end-to-end audit of a fault run, read straight from the engines: every service's source of truth
and outbox, every record on Kafka (source topics and .dlq), every consumer's inbox and checkpoints, and
the projections compared with the data they are built from.

- lost: an acknowledged write missing from its service's tables or outbox; an outbox row not on Kafka; an
  event on Kafka that a consumer handles but neither applied (inbox) nor dead-lettered; a projection row
  missing. Also: a refused write found stored.
- duplicated: a projection that disagrees with its source in a way a double application would cause
  (the inbox's primary key makes two inbox rows for one event impossible; the projections are checked).
- copies skipped: records on Kafka beyond the first of each event id (a relay republishing after a
  crash or timeout), which the consumers skip.
- converged: every outbox row published and every consumer's checkpoint at the end of its partitions.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord, TopicPartition

from cds_contracts import REGISTRY, Envelope, all_topics
from cds_plumbing.consumer import kafka_consumer

from .load import Write
from .stack import PRODUCERS, FaultStack

ENTITY = {  # op -> (service, table, id column, event type)
    "appoint": ("personnel", "officers", "officer_id", "vn.cds.personnel.officer.appointed"),
    "transfer": ("personnel", None, None, "vn.cds.personnel.officer.transferred"),
    "class": ("training", "classes", "class_id", "vn.cds.training.class.scheduled"),
    "vacancy": ("recruitment", "vacancies", "vacancy_id", "vn.cds.recruitment.vacancy.opened"),
}


@dataclass(frozen=True)
class ConsumerInfo:
    service: str
    name: str
    topics: tuple[str, ...]
    handled: frozenset[tuple[str, int]]  # (type, version)


def consumers() -> list[ConsumerInfo]:
    """Every consumer the services run, as their own code declares it."""
    from personnel.entrypoints.subscribers import make_consumer as personnel
    from recruitment.entrypoints.subscribers import make_consumer as recruitment
    from reporting.entrypoints.events.subscribers import make_consumer as reporting
    from training.entrypoints.subscribers import make_consumer as training

    async def nothing(conn: Any) -> None:
        return None

    made = [
        ("personnel", personnel()),
        ("training", training()),
        ("recruitment", recruitment()),
        ("reporting", reporting("reporting-projections", before_batch=nothing)),
    ]
    out = []
    for service, c in made:
        specs = [REGISTRY.spec_for(m) for m in c.handled]
        out.append(ConsumerInfo(service, c.name, tuple(c.topics), frozenset((s.type, s.version) for s in specs)))
    return out


@dataclass(frozen=True)
class Rec:
    topic: str  # without the stack's prefix
    partition: int
    offset: int
    key: str | None
    event_id: str | None  # None: undecodable headers
    etype: tuple[str, int] | None
    headers: dict[str, str]


def _rec(prefix: str, r: ConsumerRecord[bytes, bytes]) -> Rec:
    headers: dict[str, str] = {}
    for k, v in r.headers or ():
        headers[k] = bytes(v).decode("utf-8", "replace")
    event_id = etype = None
    try:
        env = Envelope.from_headers({k: bytes(v) for k, v in r.headers or ()})
        event_id, etype = str(env.event_id), (env.type, env.version)
    except Exception:  # a poison record: no or broken envelope
        event_id = headers.get("ce_id")
    key = r.key.decode("utf-8", "replace") if r.key is not None else None
    return Rec(r.topic.removeprefix(prefix), r.partition, r.offset, key, event_id, etype, headers)


async def read_topics(bootstrap: str, prefix: str) -> tuple[dict[str, list[Rec]], dict[tuple[str, int], int]]:
    """Every record of every declared topic (prefixed), and the end offset of each partition."""
    kafka = kafka_consumer(bootstrap, None, "faults-audit")  # no group, from the earliest offset
    await kafka.start()
    try:
        tps = [TopicPartition(prefix + t.name, p) for t in all_topics() for p in range(t.partitions)]
        ends = await kafka.end_offsets(tps)
        kafka.assign(tps)
        await kafka.seek_to_beginning(*tps)
        out: dict[str, list[Rec]] = defaultdict(list)
        todo = {tp for tp in tps if ends[tp] > 0}
        while todo:
            batch = await kafka.getmany(*todo, timeout_ms=1000, max_records=10_000)
            for tp, recs in batch.items():
                out[tp.topic.removeprefix(prefix)] += [_rec(prefix, r) for r in recs]
                if recs and recs[-1].offset >= ends[tp] - 1:
                    todo.discard(tp)
        return out, {(tp.topic.removeprefix(prefix), tp.partition): end for tp, end in ends.items()}
    finally:
        await kafka.stop()


async def _fetch(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


@dataclass
class Snapshot:
    outbox: dict[str, list[asyncpg.Record]]
    inbox: dict[str, set[str]]  # consumer -> event ids applied
    checkpoints: dict[str, dict[tuple[str, int], int]]  # consumer -> (topic, partition) -> next offset
    records: dict[str, list[Rec]]
    ends: dict[tuple[str, int], int]
    entities: dict[str, set[str]]  # op -> ids present in the service's own table
    projections: dict[str, tuple[set[Any], set[Any]]]  # name -> (from the source, in the projection)
    prefix: str


async def snapshot(stack: FaultStack, infos: list[ConsumerInfo]) -> Snapshot:
    prefix = stack.prefix
    outbox = {
        s: await _fetch(
            stack.db_url(s), "SELECT id, event_id::text, topic, key, event_type, published_at FROM outbox ORDER BY id"
        )
        for s in PRODUCERS
    }
    inbox: dict[str, set[str]] = {}
    checkpoints: dict[str, dict[tuple[str, int], int]] = {}
    for c in infos:
        applied = "SELECT event_id::text FROM processed_events WHERE consumer = $1"
        inbox[c.name] = {r["event_id"] for r in await _fetch(stack.db_url(c.service), applied, c.name)}
        rows = await _fetch(
            stack.db_url(c.service),
            "SELECT topic, kafka_partition, next_offset FROM consumer_checkpoints WHERE consumer = $1",
            c.name,
        )
        checkpoints[c.name] = {(r["topic"].removeprefix(prefix), r["kafka_partition"]): r["next_offset"] for r in rows}
    records, ends = await read_topics(stack.bootstrap, prefix)
    entities = {}
    for op, (service, table, column, _) in ENTITY.items():
        if table and column:
            entities[op] = {r[0] for r in await _ids(stack.db_url(service), table, column)}
    return Snapshot(outbox, inbox, checkpoints, records, ends, entities, await _projections(stack), prefix)


async def _ids(dsn: str, table: str, column: str) -> list[asyncpg.Record]:
    return await _fetch(dsn, f"SELECT {column} FROM {table} WHERE {column} LIKE 'CHAOS-%'")


async def _projections(stack: FaultStack) -> dict[str, tuple[set[Any], set[Any]]]:
    active = (await _fetch(stack.db_url("reporting"), "SELECT active_schema FROM projection_state"))[0][0]
    periods = "SELECT officer_id, valid_from, valid_to, unit_id FROM {}officer_periods WHERE officer_id LIKE 'CHAOS-%'"
    pairs = {
        "reporting officer periods": (
            await _fetch(stack.db_url("personnel"), periods.format("")),
            await _fetch(stack.db_url("reporting"), periods.format(f'"{active}".')),
        ),
        "training's officers": (
            await _ids(stack.db_url("personnel"), "officers", "officer_id"),
            await _ids(stack.db_url("training"), "known_officers", "officer_id"),
        ),
        "reporting classes": (
            await _ids(stack.db_url("training"), "classes", "class_id"),
            await _ids(stack.db_url("reporting"), f'"{active}".training_classes', "class_id"),
        ),
        "reporting vacancies": (
            await _ids(stack.db_url("recruitment"), "vacancies", "vacancy_id"),
            await _ids(stack.db_url("reporting"), f'"{active}".vacancies', "vacancy_id"),
        ),
    }
    return {name: ({tuple(r) for r in a}, {tuple(r) for r in b}) for name, (a, b) in pairs.items()}


def converged(snap: Snapshot, infos: list[ConsumerInfo]) -> list[str]:
    """What is still moving: unpublished outbox rows, consumers behind the end of a partition."""
    behind = [f"{s}: {sum(r['published_at'] is None for r in rows)} unpublished" for s, rows in snap.outbox.items()]
    behind = [b for b in behind if not b.endswith(": 0 unpublished")]
    for c in infos:
        for topic in c.topics:
            for (t, p), end in snap.ends.items():
                if t == topic and end > 0 and snap.checkpoints[c.name].get((t, p), 0) < end:
                    behind.append(f"{c.name} at {snap.checkpoints[c.name].get((t, p), 0)}/{end} of {t}[{p}]")
    return behind


async def wait_converged(
    stack: FaultStack, infos: list[ConsumerInfo], timeout_s: float = 300
) -> tuple[float, Snapshot]:
    loop = asyncio.get_running_loop()
    began = loop.time()
    while True:
        snap = await snapshot(stack, infos)
        left = converged(snap, infos)
        if not left:
            return loop.time() - began, snap
        if loop.time() - began > timeout_s:
            raise AssertionError(f"not converged after {timeout_s:.0f} s: {left[:10]}")
        await asyncio.sleep(0.5)


@dataclass
class Audit:
    acknowledged: int = 0
    stored: int = 0
    reported: int = 0
    refused: int = 0
    refused_stored: int = 0
    in_doubt: int = 0
    in_doubt_stored: int = 0
    lost: int = 0
    duplicated: int = 0
    copies_skipped: int = 0
    out_of_order: int = 0  # keys whose events reached Kafka in another order than they were committed
    dead_lettered: Counter[str] = field(default_factory=Counter)  # consumer -> letters (poison included)
    problems: list[str] = field(default_factory=list)


def audit(snap: Snapshot, infos: list[ConsumerInfo], writes: list[Write], all_writes: list[Write]) -> Audit:
    """The figures for `writes` (one scenario's, a part of `all_writes`), and every inconsistency of the stack."""
    a = Audit()
    by_key: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (service, key, type) -> event ids in order
    for service, rows in snap.outbox.items():
        for r in rows:
            by_key[(service, r["key"], r["event_type"])].append(r["event_id"])
    maybe: Counter[tuple[str, str, str]] = Counter()  # acknowledged or in doubt: may be stored
    for w in all_writes:
        if not w.refused:
            maybe[_key(w)] += 1
    reporting = next(c for c in infos if c.service == "reporting")
    mine = {id(w) for w in writes}
    seen: Counter[tuple[str, str, str]] = Counter()  # acknowledged so far, in the order they were sent
    for w in all_writes:
        k, table = _key(w), ENTITY[w.op][1]
        events = by_key.get(k, [])
        if w.acknowledged:
            seen[k] += 1
        if id(w) not in mine:
            continue
        if w.acknowledged:
            a.acknowledged += 1
            if seen[k] <= len(events) and (table is None or w.key in snap.entities[w.op]):
                a.stored += 1
                a.reported += events[seen[k] - 1] in snap.inbox[reporting.name]
            else:
                a.lost += 1
                a.problems.append(f"acknowledged {w.op} {w.key} not stored")
        elif w.refused:
            a.refused += 1
            stored = (w.key in snap.entities[w.op]) if table else len(events) > maybe[k]
            if stored:
                a.refused_stored += 1
                a.problems.append(f"refused {w.op} {w.key} ({w.status}) was stored")
        else:
            a.in_doubt += 1
            a.in_doubt_stored += bool(table and w.key in snap.entities[w.op])
    _pipeline(snap, infos, a)
    _order(snap, a)
    for name, (source, projection) in snap.projections.items():
        missing, extra = source - projection, projection - source
        if missing or extra:
            a.duplicated += len(extra)
            a.lost += len(missing)
            example = sorted(map(str, missing | extra))[:3]
            a.problems.append(f"{name}: {len(missing)} missing, {len(extra)} unexpected, e.g. {example}")
    return a


def _key(w: Write) -> tuple[str, str, str]:
    service, _, _, etype = ENTITY[w.op]
    return service, w.key, etype


def _pipeline(snap: Snapshot, infos: list[ConsumerInfo], a: Audit) -> None:
    on_kafka: Counter[str] = Counter()
    for topic, recs in snap.records.items():
        if not topic.endswith(".dlq"):
            on_kafka.update(r.event_id for r in recs if r.event_id)
    a.copies_skipped = sum(n - 1 for n in on_kafka.values())
    for service, rows in snap.outbox.items():
        for r in rows:
            if r["published_at"] is None or r["event_id"] not in on_kafka:
                a.lost += 1
                a.problems.append(f"{service} outbox row {r['id']} ({r['event_type']}) is not on Kafka")
    letters: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for topic, recs in snap.records.items():
        if topic.endswith(".dlq"):
            for letter in recs:
                h = letter.headers
                origin = h.get("x-dlq-origin-topic", "").removeprefix(snap.prefix)
                where = (origin, int(h.get("x-dlq-origin-partition", -1)), int(h.get("x-dlq-origin-offset", -1)))
                letters[h.get("x-dlq-consumer", "?")].add(where)
    for c in infos:
        a.dead_lettered[c.name] = len(letters[c.name])
        for topic in c.topics:
            for rec in snap.records.get(topic, []):
                applies = rec.etype is None or rec.etype in c.handled
                if not applies or rec.event_id in snap.inbox[c.name]:
                    continue
                where = (topic, rec.partition, rec.offset)
                if where in letters[c.name] or _letter_elsewhere(rec, topic, letters[c.name], snap):
                    continue
                a.lost += 1
                a.problems.append(f"{c.name} neither applied nor dead-lettered {topic}[{rec.partition}]@{rec.offset}")


def _order(snap: Snapshot, a: Audit) -> None:
    """Per key, the order of first appearance on Kafka must be the outbox's id order (the commit order of
    one aggregate's events, since each command locks its aggregate), whichever replica's relay sent it."""
    committed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rows in snap.outbox.values():
        for r in rows:  # ordered by id
            committed[(r["topic"], r["key"])].append(r["event_id"])
    seen: set[str] = set()
    arrived: dict[tuple[str, str], list[str]] = defaultdict(list)
    for topic, recs in snap.records.items():
        for rec in sorted(recs, key=lambda x: (x.partition, x.offset)):
            if rec.event_id and rec.key is not None and rec.event_id not in seen:
                seen.add(rec.event_id)
                arrived[(topic, rec.key)].append(rec.event_id)
    for where, ids in committed.items():
        wanted = set(ids)
        on_kafka = [i for i in arrived.get(where, []) if i in wanted]
        present = set(on_kafka)
        if on_kafka != [i for i in ids if i in present]:
            a.out_of_order += 1
            a.problems.append(f"{where[0]} key {where[1]}: events on Kafka out of commit order")


def _letter_elsewhere(r: Rec, topic: str, letters: set[tuple[str, int, int]], snap: Snapshot) -> bool:
    """A copy of an event dead-lettered at another offset (a byte-identical duplicate of a poison record)."""
    if r.event_id is None:
        return False
    same = [x for x in snap.records.get(topic, []) if x.event_id == r.event_id and x.partition == r.partition]
    return any((topic, x.partition, x.offset) in letters for x in same)
