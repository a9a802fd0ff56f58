"""Checks records as they are on the wire against the published contracts only: the AsyncAPI documents
(docs/asyncapi/*.json) and the committed JSON Schemas (shared/contracts/schemas/). The CloudEvents SDK's Kafka
binary binding parses each record and jsonschema validates it; none of the platform's own code reads it, so
this is what an outside team's consumer would see."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_DIR = ROOT / "docs" / "asyncapi"
SCHEMA_DIR = ROOT / "shared" / "contracts" / "schemas"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")
REPLAY_FOR = "x-replay-for"


def is_rfc3339(text: str) -> bool:
    if not RFC3339.match(text):
        return False
    try:
        datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:  # e.g. month 13
        return False
    return True


def _date_time(instance: object) -> bool:
    return not isinstance(instance, str) or is_rfc3339(instance)  # formats apply to strings only


FORMATS = FormatChecker()
FORMATS.checks("date-time")(_date_time)  # without rfc3339-validator, jsonschema would not check it at all


@dataclass(frozen=True)
class Record:
    """One Kafka record as any client sees it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Message:
    """One documented message: an event type (and version) on a channel."""

    topic: str
    ce_type: str
    key_field: str
    headers: Draft7Validator  # AsyncAPI schemas are a superset of JSON Schema draft 07
    data: Draft202012Validator | None  # None: no committed schema for the type


def _resolve(node: Any, doc: dict[str, Any]) -> Any:
    """Inline the document's own `#/...` references (the header schemas have no cycles)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = doc
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(target, doc)
        return {k: _resolve(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, doc) for v in node]
    return node


@dataclass
class Contracts:
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    compacted: set[str] = field(default_factory=set)
    dead_letters: dict[str, dict[str, Draft7Validator]] = field(default_factory=dict)  # .dlq -> consumer -> headers
    tombstones: dict[str, Draft7Validator] = field(default_factory=dict)  # compacted topic -> a tombstone's headers
    schema_types: set[str] = field(default_factory=set)

    @property
    def topics(self) -> set[str]:
        return {t for t, _ in self.messages}

    @classmethod
    def load(cls, asyncapi_dir: Path = ASYNCAPI_DIR, schema_dir: Path = SCHEMA_DIR) -> Contracts:
        c = cls()
        schemas = {p.stem: json.loads(p.read_text()) for p in schema_dir.glob("*.json")}
        c.schema_types = set(schemas)
        for path in sorted(asyncapi_dir.glob("*.json")):
            doc = json.loads(path.read_text())
            for channel in doc["channels"].values():
                topic = channel["address"]
                if "compact" in channel["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"]:
                    c.compacted.add(topic)
                for ref in channel["messages"].values():
                    c._add(topic, _resolve(ref, doc), schemas)
        return c

    def _add(self, topic: str, message: dict[str, Any], schemas: dict[str, Any]) -> None:
        props = message.get("headers", {}).get("properties", {})
        if "x-dlq-consumer" in props:
            consumer = props["x-dlq-consumer"]["const"]
            self.dead_letters.setdefault(topic, {})[consumer] = Draft7Validator(message["headers"])
        elif message.get("payload") == {"type": "null"}:
            if "headers" in message:
                self.tombstones[topic] = Draft7Validator(message["headers"], format_checker=FORMATS)
        elif "ce_type" in props:
            ce_type = props["ce_type"]["const"]
            schema = schemas.get(ce_type)
            data = Draft202012Validator(schema, format_checker=FORMATS) if schema else None
            headers = Draft7Validator(message["headers"], format_checker=FORMATS)
            self.messages[(topic, ce_type)] = Message(topic, ce_type, message["x-key-field"], headers, data)


@dataclass(frozen=True)
class Parsed:
    """What the order check needs of a record that conforms."""

    topic: str
    partition: int
    offset: int
    key: str
    event_id: str
    time: datetime
    fingerprint: tuple[str, str, bytes]  # type, time, value: the same fact sent again under another id
    replay: bool


def _errors(validator: Draft7Validator | Draft202012Validator, instance: Any, what: str) -> list[str]:
    errors = validator.iter_errors(instance)
    return [f"{what}: {e.message} (at {'/'.join(map(str, e.absolute_path)) or 'top'})" for e in errors]


def check(c: Contracts, r: Record) -> tuple[list[str], Parsed | None]:
    """The ways `r` breaks the published contracts (none: it conforms), and what the order check needs."""
    names = [k for k, _ in r.headers]
    problems = [f"header {n!r} appears {names.count(n)} times" for n in sorted(set(names)) if names.count(n) > 1]
    if r.value is None:
        if r.topic in c.compacted and r.key:  # a tombstone: a key, the erasure's envelope and no data
            validator = c.tombstones.get(r.topic)
            if validator is not None:
                try:
                    headers = {k: v.decode("utf-8") for k, v in r.headers}
                except UnicodeDecodeError as exc:
                    return [*problems, f"a header is not UTF-8: {exc}"], None
                problems += _errors(validator, headers, "tombstone headers")
                if headers.get("ce_subject") != r.key.decode("utf-8", "replace"):
                    problems.append("a tombstone's ce_subject is not its key")
            return problems, None
        return [*problems, "no value (a tombstone on a topic that is not compacted)"], None
    try:
        headers = {k: v.decode("utf-8") for k, v in r.headers}
    except UnicodeDecodeError as exc:
        return [*problems, f"a header is not UTF-8: {exc}"], None
    try:
        event = from_binary(KafkaMessage(dict(r.headers), r.key, r.value), JSONFormat())
    except Exception as exc:  # the SDK's own verdict, whatever it raises
        return [*problems, f"not a CloudEvent in binary mode: {type(exc).__name__}: {exc}"], None
    ce_type = event.get_type()
    message = c.messages.get((r.topic, ce_type))
    if message is None:
        return [*problems, f"type {ce_type!r} is not documented on {r.topic}"], None
    problems += _errors(message.headers, headers, "headers")
    if not is_rfc3339(headers.get("ce_time", "")):
        problems.append(f"ce_time {headers.get('ce_time')!r} is not RFC 3339")
    if not TRACEPARENT.match(headers.get("traceparent", "")):
        problems.append(f"traceparent {headers.get('traceparent')!r} is not W3C trace context")
    data = event.get_data()
    if not isinstance(data, dict):
        return [*problems, "the value is not a JSON object"], None
    if message.data is None:
        problems.append(f"no committed JSON Schema for {ce_type}")
    else:
        problems += _errors(message.data, data, "data")
    key = r.key.decode("utf-8", "replace") if r.key is not None else None
    documented = str(data.get(message.key_field))
    if not key or key != documented or key != event.get_subject():
        problems.append(f"key {key!r} is not data.{message.key_field} ({documented!r}) = ce_subject")
    time = event.get_time()
    if problems or key is None or time is None:
        return problems, None
    fingerprint = (ce_type, headers["ce_time"], r.value)
    return [], Parsed(r.topic, r.partition, r.offset, key, event.get_id(), time, fingerprint, REPLAY_FOR in headers)


class OrderCheck:
    """Per key: every record on one partition, and event time never going back, except for a redelivery (a
    dead-letter replay, an event id already seen, or the same fact sent again) which consumers skip."""

    def __init__(self) -> None:
        self._partitions: dict[tuple[str, str], set[int]] = {}
        self._records: dict[tuple[str, str], list[Parsed]] = {}

    def add(self, p: Parsed) -> None:
        self._partitions.setdefault((p.topic, p.key), set()).add(p.partition)
        self._records.setdefault((p.topic, p.key), []).append(p)

    def problems(self) -> list[str]:
        out = [f"{t} key {k!r} is on partitions {sorted(ps)}" for (t, k), ps in self._partitions.items() if len(ps) > 1]
        for (topic, key), records in self._records.items():
            ids: set[str] = set()
            facts: set[tuple[str, str, bytes]] = set()
            newest: Parsed | None = None
            for p in sorted(records, key=lambda p: (p.partition, p.offset)):
                redelivery = p.replay or p.event_id in ids or p.fingerprint in facts
                ids.add(p.event_id)
                facts.add(p.fingerprint)
                if redelivery:
                    continue
                if newest is not None and p.time < newest.time:
                    out.append(f"{topic} key {key!r}: @{p.offset} ({p.time}) is older than @{newest.offset}")
                newest = p
        return out


def check_dead_letter(c: Contracts, r: Record) -> list[str]:
    """A dead letter's own headers (its value and original headers may be anything)."""
    consumers = c.dead_letters.get(r.topic, {})
    consumer = next((v.decode("utf-8", "replace") for k, v in reversed(r.headers) if k == "x-dlq-consumer"), None)
    if consumer not in consumers:
        return [f"{r.topic}@{r.partition}/{r.offset}: consumer {consumer!r} is not documented for this topic"]
    ours = {k: v.decode("utf-8", "replace") for k, v in r.headers if k.startswith("x-dlq-")}
    return _errors(consumers[consumer], ours, f"{r.topic}@{r.partition}/{r.offset} headers")


def undocumented(c: Contracts, seen: Iterable[tuple[str, str]]) -> list[str]:
    """Types seen that no document lists, and documented types without a committed schema."""
    out = [f"{t} carries {ce_type}, which no document lists" for t, ce_type in seen if (t, ce_type) not in c.messages]
    out += [f"{m.ce_type} is documented but has no committed JSON Schema" for m in c.messages.values() if not m.data]
    return out
