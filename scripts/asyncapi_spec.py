"""One AsyncAPI 3.0 document per service, built from the event registry and the declared topics alone.

Every (event type, version) in the registry is one message: its payload is the event's JSON Schema (the
committed snapshot's content), its headers schema pins `ce_type` and `ce_specversion` as constants, its Kafka
binding gives the record key, and its correlation id is the `ce_correlationid` header. A channel is a topic
and lists every message that can appear on it, so a generated consumer tells events apart by `ce_type`, never
by trying payload schemas. Dead-letter channels carry bytes and the `x-dlq-*` headers; compacted topics also
describe their tombstones. Nothing here knows a particular event, so new versions and topics appear by
themselves once registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cds_contracts import Event, EventSpec, Registry, TopicSpec, dlq_topic
from cds_contracts.envelope import CONTENT_TYPE
from cds_contracts.schemas import schema_id, schema_of
from cds_plumbing import deadletter as dl
from scripts.asyncapi_schemas import (
    KAFKA_BINDING,
    attribute,
    dead_letter_message,
    header_schemas,
    headers_schema,
    hoist,
    key_schema,
    tombstone_headers_schema,
)

ASYNCAPI = "3.1.0"
SERVERS = {
    "local": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "The broker `make up` starts."},
    "compose": {"host": "kafka:9092", "protocol": "kafka", "description": "The broker in docker-compose.yml."},
}


@dataclass(frozen=True)
class Consumption:
    """One consumer group of a service reading one topic, and the event models it applies there."""

    service: str
    consumer: str
    topic: str
    models: tuple[type[Event], ...]
    tombstones: bool = False  # also applies the topic's tombstones (null values): deletes its copy of the key


def _summary(model: type[Event]) -> tuple[str, str]:
    doc = " ".join((model.__doc__ or "").split())
    first = re.split(r"(?<=\.)\s", doc, maxsplit=1)[0]
    return first, doc


class _Builder:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.channels: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        self.messages: dict[str, Any] = {}
        self.schemas: dict[str, Any] = header_schemas()

    def specs_on(self, topic: str) -> list[EventSpec]:
        return [s for s in self.registry if s.topic.name == topic]

    def newest(self, spec: EventSpec) -> bool:
        return all(s.version <= spec.version for s in self.registry if s.type == spec.type)

    def message(self, spec: EventSpec) -> str:
        mid = spec.ce_type
        if mid in self.messages:
            return mid
        summary, doc = _summary(spec.model)
        twins = [s for s in self.registry if s.model.__name__ == spec.model.__name__]
        status = (
            "Produced now."
            if self.newest(spec)
            else "Superseded by a newer version: no longer produced, but records of it stay on the topic for ever "
            "and every consumer must still read them."
        )
        self.schemas[mid] = hoist(schema_of(spec), mid, self.schemas)
        self.messages[mid] = {
            "name": spec.model.__name__ + (f"V{spec.version}" if len(twins) > 1 else ""),
            "title": spec.ce_type,
            "summary": summary,
            "description": f"{doc}\n\n{status} JSON Schema (2020-12): `shared/contracts/schemas/{spec.ce_type}.json`, "
            f"`$id` `{schema_id(spec.ce_type)}`.",
            "contentType": CONTENT_TYPE,
            "headers": headers_schema(spec),
            "payload": {"$ref": f"#/components/schemas/{mid}"},
            "correlationId": {"$ref": "#/components/correlationIds/ce_correlationid"},
            "tags": [{"name": "produced" if self.newest(spec) else "superseded"}],
            "x-key-field": spec.key_field,  # the record key is str(data[x-key-field]), for checks by machine
            "bindings": {"kafka": {"key": key_schema([spec]), "bindingVersion": KAFKA_BINDING}},
        }
        return mid

    def tombstone(self, topic: TopicSpec) -> str:
        mid = f"{topic.name}.tombstone"
        self.messages[mid] = {
            "name": "Tombstone",
            "title": f"{topic.name} tombstone",
            "summary": "A key with no value: the aggregate's current record is deleted.",
            "description": "The topic is compacted (`cleanup.policy=compact`): Kafka keeps at least the newest record "
            "of every key. A record whose value is null (a tombstone) deletes the key: a consumer that keeps a copy "
            "of that aggregate deletes it; compaction later removes the older records and then the tombstone.",
            "headers": tombstone_headers_schema(topic),
            "payload": {"type": "null"},
            "bindings": {"kafka": {"key": key_schema(self.specs_on(topic.name)), "bindingVersion": KAFKA_BINDING}},
        }
        return mid

    def channel(self, topic: TopicSpec, description: str) -> str:
        if topic.name in self.channels:
            return topic.name
        messages = [self.message(s) for s in self.specs_on(topic.name)]
        policy = [p.strip() for p in topic.config.get("cleanup.policy", "delete").split(",")]
        if "compact" in policy:
            messages.append(self.tombstone(topic))
        self.channels[topic.name] = {
            "address": topic.name,
            "title": topic.name,
            "description": description,
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
            "bindings": {"kafka": _topic_binding(topic, policy)},
        }
        return topic.name

    def dead_letter_channel(self, c: Consumption, topic: TopicSpec) -> str:
        name = dlq_topic(c.topic)
        channel = self.channels.setdefault(
            name,
            {
                "address": name,
                "title": name,
                "description": f"Dead letters of `{c.topic}`: records a consumer group could not decode or apply, "
                "byte for byte, one copy per consumer group that failed them (`x-dlq-consumer`).",
                "messages": {},
                "bindings": {"kafka": _topic_binding(topic.dlq, ["delete"])},
            },
        )
        mid = f"{name}.{c.consumer}"
        channel["messages"][mid] = {"$ref": f"#/components/messages/{mid}"}
        self.messages[mid] = dead_letter_message(c.topic, c.consumer)
        return name


def _topic_binding(topic: TopicSpec, policy: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {"cleanup.policy": policy}
    for key in ("retention.ms", "retention.bytes", "delete.retention.ms"):
        if key in topic.config:
            config[key] = int(topic.config[key])
    return {
        "topic": topic.name,
        "partitions": topic.partitions,
        "topicConfiguration": config,
        "bindingVersion": KAFKA_BINDING,
    }


def _refs(channel: str, messages: Iterable[str]) -> list[dict[str, str]]:
    return [{"$ref": f"#/channels/{channel}/messages/{m}"} for m in messages]


def _listing(specs: Iterable[EventSpec]) -> str:
    return ", ".join(f"`{s.ce_type}`" for s in specs) or "nothing"


def document(
    service: str,
    *,
    version: str,
    description: str,
    registry: Registry,
    topics: Iterable[TopicSpec],
    consumptions: Iterable[Consumption],
) -> dict[str, Any]:
    """The AsyncAPI document of `service`: the topics it produces (named `<service>.<aggregate>`) and, for each
    of its consumer groups, the topics read and the dead-letter topics written."""
    b = _Builder(registry)
    declared = {t.name: t for t in topics}
    for topic in declared.values():
        if topic.name.split(".", 1)[0] != service:
            continue
        specs = b.specs_on(topic.name)
        produced = [s for s in specs if b.newest(s)]
        channel = b.channel(topic, f"Events of {service}'s `{topic.name.split('.', 1)[1]}` aggregate.")
        b.operations[f"send-{topic.name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "title": f"{service} publishes {topic.name}",
            "summary": f"Published through {service}'s transactional outbox, in commit order per aggregate.",
            "description": f"Produced now: {_listing(produced)}"
            + (", and tombstones when a key is erased" if topic.tombstone_type else "")
            + ".",
            "messages": _refs(
                channel, [s.ce_type for s in produced] + ([f"{topic.name}.tombstone"] if topic.tombstone_type else [])
            ),
        }
    for c in consumptions:
        topic = declared[c.topic]
        applied = [registry.spec_for(m) for m in c.models]
        channel = b.channel(
            topic,
            f"Events of the `{topic.name.split('.', 1)[1]}` aggregate, published by {topic.name.split('.', 1)[0]}.",
        )
        b.operations[f"receive-{c.topic}-{c.consumer}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "title": f"{c.consumer} reads {c.topic}",
            "summary": f"Consumer group `{c.consumer}` applies {len(applied)} of the topic's event types.",
            "description": f"Applies {_listing(applied)}"
            + (", and the topic's tombstones (deletes its copy of the key)" if c.tombstones else "")
            + ". Every other record of the topic is read and skipped, "
            f"as are records whose `{dl.REPLAY_FOR}` names another consumer group. Each event is applied once "
            "(an inbox of `ce_id`s); a record it cannot decode or apply goes to the dead-letter channel.",
            "messages": _refs(
                channel, [s.ce_type for s in applied] + ([f"{topic.name}.tombstone"] if c.tombstones else [])
            ),
            "bindings": {
                "kafka": {"groupId": {"type": "string", "const": c.consumer}, "bindingVersion": KAFKA_BINDING}
            },
        }
        dead = b.dead_letter_channel(c, topic)
        b.operations[f"send-{dlq_topic(c.topic)}-{c.consumer}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{dead}"},
            "title": f"{c.consumer} dead-letters {c.topic}",
            "summary": "Copies a record it could not decode or apply, with the reason, and moves on.",
            "messages": _refs(dead, [f"{dead}.{c.consumer}"]),
        }
    return {
        "asyncapi": ASYNCAPI,
        "info": {"title": f"{service} service events", "version": version, "description": description},
        "defaultContentType": CONTENT_TYPE,
        "servers": SERVERS,
        "channels": dict(sorted(b.channels.items())),
        "operations": dict(sorted(b.operations.items())),
        "components": {
            "messages": dict(sorted(b.messages.items())),
            "schemas": dict(sorted(b.schemas.items())),
            "correlationIds": {
                "ce_correlationid": {
                    "location": "$message.header#/ce_correlationid",
                    "description": attribute("correlation_id"),
                }
            },
        },
    }
