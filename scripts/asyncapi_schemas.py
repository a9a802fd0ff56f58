"""The schemas inside the AsyncAPI documents that do not depend on a particular event: the CloudEvents
headers of an event type, the record key, the dead-letter message, and moving a payload schema's `$defs`
into components/schemas (scripts/asyncapi_spec.py assembles the documents)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from cds_contracts import Envelope, EventSpec, TopicSpec, dlq_topic
from cds_contracts.envelope import CONTENT_TYPE, SPEC_VERSION
from cds_plumbing import deadletter as dl

KAFKA_BINDING = "0.5.0"
TRACEPARENT = r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$"
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# traceparent too: the relay publishes every record inside a producer span, whose context it carries.
REQUIRED_HEADERS = [
    *("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"),
    *("content-type", "traceparent"),
]
DLQ_HEADERS = [
    *(dl.CAUSE, dl.ERROR_TYPE, dl.ORIGIN_TOPIC, dl.ORIGIN_PARTITION, dl.ORIGIN_OFFSET),
    *(dl.ATTEMPT, dl.CONSUMER, dl.FAILED_AT),
]


def attribute(field: str) -> str:
    return Envelope.model_fields[field].description or ""


def header_schemas() -> dict[str, Any]:
    """The header attributes every event shares, as components/schemas `header.<name>`."""
    return {
        f"header.{name}": schema
        for name, schema in {
            "ce_specversion": {"type": "string", "const": SPEC_VERSION, "description": "CloudEvents version."},
            "ce_id": {"type": "string", "pattern": UUID, "description": attribute("event_id")},
            "ce_time": {
                "type": "string",
                "format": "date-time",
                "description": attribute("occurred_at") + " RFC 3339.",
            },
            "ce_actor": {"type": "string", "description": attribute("actor")},
            "ce_correlationid": {"type": "string", "pattern": UUID, "description": attribute("correlation_id")},
            "ce_causationid": {"type": "string", "pattern": UUID, "description": attribute("causation_id")},
            "content-type": {"type": "string", "const": CONTENT_TYPE, "description": "The value is JSON."},
            "traceparent": {"type": "string", "pattern": TRACEPARENT, "description": "W3C trace context."},
            "tracestate": {"type": "string", "description": attribute("tracestate")},
            dl.REPLAY_FOR: {
                "type": "string",
                "description": "Only on a dead letter replayed by `cds-platform dlq replay`: the consumer group the "
                "replay is for. Every other consumer skips the record (docs/events.md, Dead letters).",
            },
            dl.REPLAY_OF: {
                "type": "string",
                "description": "Only on a replayed dead letter: `<dlq topic>/<partition>/<offset>` it came from.",
            },
        }.items()
    }


def headers_schema(spec: EventSpec) -> dict[str, Any]:
    """The Kafka headers of one event type (values are UTF-8 bytes on the wire, described as strings)."""
    subject = f"The aggregate id: equal to the record key and to data.{spec.key_field}."
    return _headers(spec.ce_type, spec.topic, subject)


def tombstone_headers_schema(topic: TopicSpec) -> dict[str, Any]:
    """A tombstone's headers: the envelope of the erasure (id, time, actor, trace), no data."""
    assert topic.tombstone_type, f"{topic.name} declares no tombstone_type"
    return _headers(f"{topic.tombstone_type}.v1", topic, "The erased key: equal to the record key.")


def _headers(ce_type: str, topic: TopicSpec, subject: str) -> dict[str, Any]:
    producer = topic.name.split(".", 1)[0]
    own = {
        "ce_type": {
            "type": "string",
            "const": ce_type,
            "description": "What happened, with the data's schema version: route on this header.",
        },
        "ce_source": {"type": "string", "const": f"/{producer}", "description": "The producing service."},
        "ce_subject": {"type": "string", "minLength": 1, "description": subject},
    }
    shared = {name.removeprefix("header."): {"$ref": f"#/components/schemas/{name}"} for name in header_schemas()}
    order = ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"]
    properties = {**{k: (own | shared)[k] for k in order}, **{k: v for k, v in shared.items() if k not in order}}
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in Kafka binary content mode (`ce_` prefix), the content type "
        "of the value and W3C trace context. No other header is sent.",
        "required": REQUIRED_HEADERS,
        "properties": properties,
        "additionalProperties": False,
    }


def key_schema(specs: Iterable[EventSpec]) -> dict[str, Any]:
    fields = sorted({s.key_field for s in specs})
    return {
        "type": "string",
        "minLength": 1,
        "description": f"The aggregate id (data.{' / data.'.join(fields)}, also `ce_subject`) as UTF-8: one "
        "aggregate's events share a partition and keep their order.",
    }


def hoist(schema: dict[str, Any], prefix: str, into: dict[str, Any]) -> dict[str, Any]:
    """Move `$defs` into components/schemas (a `#/$defs/..` reference would resolve against the document)."""
    schema = copy.deepcopy(schema)
    for name, sub in schema.pop("$defs", {}).items():
        into[f"{prefix}.{name}"] = sub
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = f"#/components/schemas/{prefix}.{ref.removeprefix('#/$defs/')}"
            for v in node.values():
                rewrite(v)
        elif isinstance(node, list):
            for v in node:
                rewrite(v)
        return node

    for name in [n for n in into if n.startswith(prefix + ".")]:
        rewrite(into[name])
    return dict(rewrite(schema))


def dead_letter_message(topic: str, consumer: str) -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "name": "DeadLetter",
        "title": f"{dlq_topic(topic)} from {consumer}",
        "summary": f"A record of {topic} that `{consumer}` could not decode or apply.",
        "description": "Value, key and original headers exactly as consumed (they may be malformed: that can be why "
        f"the record is here), plus the `x-dlq-*` headers. `cds-platform dlq replay` sends it back to `{topic}` for "
        f"`{consumer}` only (header `{dl.REPLAY_FOR}`).",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "description": "The original record's headers, byte for byte and possibly not UTF-8, followed by these.",
            "required": DLQ_HEADERS,
            "properties": {
                dl.CAUSE: {**text, "maxLength": 4000, "description": "`ErrorType: message`."},
                dl.ERROR_TYPE: {**text, "description": "Class name of the error."},
                dl.ORIGIN_TOPIC: {**text, "const": topic, "description": "Topic the record was consumed from."},
                dl.ORIGIN_PARTITION: {**text, "pattern": r"^\d+$", "description": "Its partition there."},
                dl.ORIGIN_OFFSET: {**text, "pattern": r"^\d+$", "description": "Its offset there."},
                dl.ATTEMPT: {**text, "pattern": r"^[1-9]\d*$", "description": "How many times the batch was tried."},
                dl.CONSUMER: {**text, "const": consumer, "description": "The consumer group that failed it."},
                dl.FAILED_AT: {**text, "format": "date-time", "description": "When it failed (UTC)."},
            },
            "additionalProperties": True,
        },
        "payload": {
            "type": ["string", "null"],
            "format": "binary",
            "description": "The original value, byte for byte (null if it had none); not necessarily JSON.",
        },
        "bindings": {
            "kafka": {
                "key": {"type": ["string", "null"], "format": "binary", "description": "The original key, as is."},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
