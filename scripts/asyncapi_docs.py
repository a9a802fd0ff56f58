"""Writes docs/asyncapi/<service>.json (AsyncAPI 3.0) and docs/events.md from the code.

For each service a documentation-only FastStream KafkaBroker (never connected) declares a publisher per
topic the service produces (topics are named <producer>.<aggregate>, see cds_contracts.topics), a
subscriber per topic its idempotent consumer reads, with one handler per event model it handles, and a
publisher per dead-letter topic that consumer writes to. Message schemas are the registered pydantic
event models, with their descriptions.

A docs tool, not plumbing: it imports the services to read their consumers.
`make asyncapi` rewrites the files; tests/docs/test_asyncapi.py fails when they are stale.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from cds_contracts import REGISTRY, SOURCE_TOPICS, Event, EventSpec, dlq_topic
from cds_plumbing.consumer import IdempotentConsumer

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SERVICES = ("personnel", "training", "recruitment", "reporting")
SERVER = "kafka:9092"  # the broker's address in docker-compose.yml

ENVELOPE = (
    "Every record: the value is the event data as JSON (the message payload below), the key is the aggregate "
    "id, and the envelope travels in CloudEvents binary-mode headers: `ce_specversion` (1.0), `ce_id` (event "
    "id; consumers deduplicate on it), `ce_type` (`<type>.v<version>`), `ce_source`, `ce_time`, `ce_subject` "
    "(= key), optional `ce_actor`, `ce_correlationid`, `ce_causationid`, `content-type` (application/json) "
    "and W3C `traceparent`/`tracestate`. A consumer that cannot apply a record copies it byte for byte to "
    "`<topic>.dlq` with `x-dlq-*` headers saying why (deploy/README.md, Dead-letter topics)."
)


@dataclass(frozen=True)
class Consumption:
    service: str
    consumer: str
    topic: str
    models: tuple[type[Event], ...]
    tombstones: bool = False  # also applies the topic's tombstones (null values): deletes its copy of the key


def _consumers(service: str) -> list[IdempotentConsumer]:
    """The consumers each service's app runs, built the way its app builds them (default settings)."""
    if service == "personnel":
        from personnel.entrypoints import subscribers as personnel

        return [personnel.make_consumer()]
    if service == "training":
        from training.config import Settings as TrainingSettings
        from training.entrypoints import subscribers as training

        return [training.make_consumer(TrainingSettings.model_fields["consumer_name"].default)]
    if service == "recruitment":
        from recruitment.entrypoints import subscribers as recruitment

        return [recruitment.make_consumer()]
    if service == "reporting":
        from reporting.adapters.projection_schema import use_active_schema
        from reporting.config import Settings as ReportingSettings
        from reporting.entrypoints import subscribers as reporting

        name = ReportingSettings.model_fields["consumer_name"].default
        return [reporting.make_consumer(name, before_batch=use_active_schema)]
    raise ValueError(f"unknown service {service}")


def consumptions(service: str) -> list[Consumption]:
    out = []
    for consumer in _consumers(service):
        # IdempotentConsumer keeps its handlers private; reading them here keeps the docs exactly in step.
        models = consumer.handled
        for topic in consumer.topics:
            mine = tuple(sorted((m for m in models if REGISTRY.spec_for(m).topic.name == topic), key=_type_of))
            out.append(Consumption(service, consumer.name, topic, mine, topic in consumer.tombstone_topics))
    return out


def _type_of(model: type[Event]) -> str:
    return REGISTRY.spec_for(model).ce_type


def produced_topics(service: str) -> list[str]:
    return [t.name for t in SOURCE_TOPICS if t.name.split(".", 1)[0] == service]


def specs_on(topic: str) -> list[EventSpec]:
    return [s for s in REGISTRY if s.topic.name == topic]


def _event_list(specs: list[EventSpec]) -> str:
    return "; ".join(f"`{s.ce_type}` ({s.model.__name__}, key `{s.key_field}`)" for s in specs)


def _payload(models: list[type[Event]]) -> Any:
    return models[0] if len(models) == 1 else reduce(or_, models)


def _handler(model: type[Event]) -> Callable[..., Any]:
    """A body-less handler whose annotation tells FastStream the message schema."""

    async def handler(event: Any) -> None:
        return None

    handler.__annotations__ = {"event": model, "return": None}
    handler.__name__ = handler.__qualname__ = f"on_{model.__name__}"
    return handler


def broker_for(service: str) -> KafkaBroker:
    broker = KafkaBroker(SERVER, description="Apache Kafka (KRaft); topics are created explicitly, never on demand.")
    for topic in produced_topics(service):
        specs = specs_on(topic)
        broker.publisher(
            topic,
            title=f"{topic}:send",
            description=f"{service} publishes, through its transactional outbox: {_event_list(specs)}.",
            schema=_payload([s.model for s in specs]),
        )
    for c in consumptions(service):
        specs = [REGISTRY.spec_for(m) for m in c.models]
        applies = _event_list(specs) or "no event"
        if c.tombstones:
            applies += ", and the topic's tombstones (null values: the person was erased), deleting its copy"
        sub = broker.subscriber(
            c.topic,
            group_id=c.consumer,
            title=f"{c.topic}:{c.consumer}",
            description=f"Consumer group `{c.consumer}` applies {applies}; other records on the topic are read "
            "and skipped.",
        )
        for model in c.models or tuple(s.model for s in specs_on(c.topic)):
            sub(_handler(model))
        broker.publisher(
            dlq_topic(c.topic),
            title=f"{dlq_topic(c.topic)}:{c.consumer}",
            description=f"Records of {c.topic} that `{c.consumer}` could not decode or apply, with the original "
            "key, value and headers plus `x-dlq-*` headers. Replay: `cds-platform dlq replay`.",
            schema=_payload(list(c.models or tuple(s.model for s in specs_on(c.topic)))),
        )
    return broker


def _version(service: str) -> str:
    with (ROOT / "services" / service / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def asyncapi(service: str) -> dict[str, Any]:
    spec = AsyncAPI(
        broker_for(service),
        title=f"{service} service events",
        version=_version(service),
        description=f"Kafka topics the {service} service of the CĐS workforce platform produces and consumes. "
        + ENVELOPE,
        schema_version="3.0.0",
    ).to_specification()
    doc: dict[str, Any] = spec.to_jsonable()
    # FastStream's order of channels and components depends on hashing; sort them so the file is stable.
    for section in (doc, doc.get("components", {})):
        for key in ("channels", "operations", "messages", "schemas"):
            if key in section:
                section[key] = dict(sorted(section[key].items()))
    return doc


def events_md() -> str:
    consumed: dict[str, list[Consumption]] = {}
    for service in SERVICES:
        for c in consumptions(service):
            consumed.setdefault(c.topic, []).append(c)
    producer = {t: s for s in SERVICES for t in produced_topics(s)}
    lines = [
        "# Events: topics, producers and consumers",
        "",
        "Generated by `make asyncapi` (scripts/asyncapi_docs.py) from the contracts and the services' consumers;",
        "tests/docs/test_asyncapi.py fails when this file is stale. The full message schemas are in",
        "[docs/asyncapi/](asyncapi/), one AsyncAPI 3.0 document per service. Every topic `<t>` also has a",
        "dead-letter topic `<t>.dlq` (see deploy/README.md).",
        "",
        "| topic | producer | consumers (service: consumer group, events applied) | events |",
        "|---|---|---|---|",
    ]
    for t in SOURCE_TOPICS:
        readers = "<br>".join(
            f"[{c.service}](asyncapi/{c.service}.json): `{c.consumer}`, {len(c.models)} of {len(specs_on(t.name))}"
            for c in consumed.get(t.name, [])
        )
        events = "<br>".join(f"`{s.ce_type}`" for s in specs_on(t.name))
        owner = producer.get(t.name)
        lines.append(
            f"| `{t.name}` | {f'[{owner}](asyncapi/{owner}.json)' if owner else '—'} | {readers or '—'} | {events} |"
        )
    return "\n".join(lines) + "\n"


def rendered() -> dict[Path, str]:
    """Every generated file and its content."""
    files = {
        DOCS / "asyncapi" / f"{s}.json": json.dumps(asyncapi(s), indent=2, ensure_ascii=False) + "\n" for s in SERVICES
    }
    files[DOCS / "events.md"] = events_md()
    return files


def main() -> int:
    for path, text in rendered().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
