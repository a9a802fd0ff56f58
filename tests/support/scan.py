"""Looking for personal data where it must not be: every record of every declared topic (values and
headers), the current value of a compacted topic being its latest record per key; a data dump of each
service's database; names found as word sequences, whatever JSON or text surrounds them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from cds_contracts import all_topics
from cds_plumbing.consumer import kafka_consumer
from cds_plumbing.settings import admin_database_url

WORD = re.compile(r"\w+")
PG_15 = Path("/usr/lib/postgresql/15/bin/pg_dump")  # the server's own version, when installed as scripts/stack.sh does
PG_DUMP = str(PG_15) if PG_15.exists() else shutil.which("pg_dump") or "pg_dump"


@dataclass(frozen=True)
class Found:
    topic: str
    key: str | None
    text: str  # the value and every header value, decoded
    value: str = ""  # the value alone ("" for a tombstone)


def words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text.casefold()))


class Names:
    """A set of names (two words or more) searched for in any text, in time linear in the text."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = {words(n) for n in names if len(words(n)) >= 2}
        self._sizes = sorted({len(n) for n in self._names})

    def __len__(self) -> int:
        return len(self._names)

    def in_text(self, text: str) -> set[str]:
        w = words(text)
        return {
            " ".join(w[i : i + n]) for n in self._sizes for i in range(len(w) - n + 1) if w[i : i + n] in self._names
        }


async def current_records(bootstrap: str) -> list[Found]:
    """Every record of every declared topic (and .dlq) up to its end now; compacted topics: the latest per key
    (a null value is a tombstone, kept as an empty text)."""
    specs = {spec.name: spec for spec in all_topics()}
    consumer = kafka_consumer(bootstrap, None, "tests-scan")  # no group, from the earliest offset
    await consumer.start()
    records: dict[str, list[Found]] = {name: [] for name in specs}
    latest: dict[str, dict[bytes | None, Found]] = {name: {} for name in specs}
    try:
        tps = [TopicPartition(n, p) for n, spec in specs.items() for p in range(spec.partitions)]
        consumer.assign(tps)  # once, for all: aiokafka's group-less consumer dislikes being re-assigned
        ends = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        while await _behind(consumer, ends):
            for batch in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                for r in batch:
                    value = (r.value or b"").decode("utf-8", "replace")
                    text = " ".join([value] + [bytes(v).decode("utf-8", "replace") for _, v in r.headers or ()])
                    key = r.key.decode("utf-8", "replace") if r.key else None
                    records[r.topic].append(Found(r.topic, key, text, value))
                    latest[r.topic][r.key] = (
                        Found(r.topic, key, text, value) if r.value is not None else Found(r.topic, key, "")
                    )
    finally:
        await consumer.stop()
    return [f for name, spec in specs.items() for f in (latest[name].values() if spec.compacted else records[name])]


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


def dump(database: str) -> str:
    """The data of one service database, as `pg_dump --data-only` writes it for a backup."""
    url = admin_database_url().rsplit("/", 1)[0] + "/" + database
    done = subprocess.run([PG_DUMP, "--data-only", url], capture_output=True, text=True, timeout=300, check=True)
    return done.stdout
