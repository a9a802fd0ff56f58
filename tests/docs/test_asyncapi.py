"""The committed AsyncAPI documents and docs/events.md are what the code generates today; they say what the
services really produce and consume, tell every event type apart by a constant header, and the generator copes
with several versions of a type and with compacted topics (tombstones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from cds_contracts import REGISTRY, Event, Registry, TopicSpec, all_topics
from cds_contracts.schemas import schema_of
from scripts import asyncapi_docs
from scripts.asyncapi_spec import Consumption, document

RENDERED = asyncapi_docs.rendered()


def doc(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RENDERED[asyncapi_docs.DOCS / "asyncapi" / f"{service}.json"])
    return loaded


def _messages(d: dict[str, Any], operation: str) -> list[str]:
    return [m["$ref"].rsplit("/", 1)[-1] for m in d["operations"][operation]["messages"]]


@pytest.mark.parametrize("path", sorted(RENDERED), ids=lambda p: p.name)
def test_the_committed_file_is_current(path: Path) -> None:
    assert path.exists(), f"{path} is missing: run `make asyncapi` and commit the result"
    assert path.read_text(encoding="utf-8") == RENDERED[path], f"{path} is stale: run `make asyncapi`"


def test_personnel_sends_its_five_topics_and_receives_only_hires() -> None:
    d = doc("personnel")
    assert d["asyncapi"] == "3.1.0"
    sends = {k for k, v in d["operations"].items() if v["action"] == "send"}
    assert sends == {
        "send-personnel.org-unit",
        "send-personnel.officer",
        "send-personnel.community-team",
        "send-personnel.response-team",
        "send-personnel.officer-profile",
        "send-recruitment.application.dlq-personnel-hires",
        "send-recruitment.candidate-profile.dlq-personnel-hires",
    }
    receives = {k for k, v in d["operations"].items() if v["action"] == "receive"}
    assert receives == {
        "receive-recruitment.application-personnel-hires",
        "receive-recruitment.candidate-profile-personnel-hires",
    }
    hires = "receive-recruitment.application-personnel-hires"
    # v2 hires, and the v1 ones already on the topic; the name comes on the profile topic
    assert _messages(d, hires) == [
        "vn.cds.recruitment.application.candidate_hired.v1",
        "vn.cds.recruitment.application.candidate_hired.v2",
    ]
    assert d["operations"][hires]["bindings"]["kafka"]["groupId"] == {"type": "string", "const": "personnel-hires"}
    assert len(d["channels"]["recruitment.application"]["messages"]) == 6, "the channel lists all the topic carries"
    assert sorted(_messages(d, "send-personnel.org-unit")) == [
        f"vn.cds.personnel.org_unit.{fact}.v1"
        for fact in ("dissolved", "merged", "moved", "registered", "renamed", "split")
    ]
    profile = sorted(_messages(d, "receive-recruitment.candidate-profile-personnel-hires"))
    assert profile == ["recruitment.candidate-profile.tombstone", "vn.cds.recruitment.candidate_profile.stated.v1"]


@pytest.mark.parametrize("service", asyncapi_docs.SERVICES)
def test_every_message_is_told_apart_by_a_constant_ce_type_and_says_its_key(service: str) -> None:
    d = doc(service)
    for channel in d["channels"].values():
        if channel["address"].endswith(".dlq"):
            continue
        types = []
        for ref in channel["messages"].values():
            m = d["components"]["messages"][ref["$ref"].rsplit("/", 1)[-1]]
            headers = m["headers"]
            types.append(headers["properties"]["ce_type"]["const"])
            assert headers["properties"]["ce_specversion"] == {"$ref": "#/components/schemas/header.ce_specversion"}
            assert headers["additionalProperties"] is False and "correlation_id" not in headers["properties"]
            assert m["bindings"]["kafka"]["key"]["type"] == "string"
            if m["payload"] == {"type": "null"}:  # a tombstone: the erasure's envelope, no data
                topic = next(t for t in all_topics() if t.name == channel["address"])
                assert headers["properties"]["ce_type"]["const"] == f"{topic.tombstone_type}.v1"
                continue
            assert m["correlationId"] == {"$ref": "#/components/correlationIds/ce_correlationid"}
            event_type, version = headers["properties"]["ce_type"]["const"].rsplit(".v", 1)
            spec = REGISTRY.lookup(event_type, int(version))
            assert m["x-key-field"] == spec.key_field and spec.topic.name == channel["address"]
        assert len(types) == len(set(types)), "one message per type and version"
    assert d["components"]["correlationIds"]["ce_correlationid"]["location"] == "$message.header#/ce_correlationid"


def test_payloads_are_the_committed_schemas_with_their_definitions_hoisted() -> None:
    d = doc("reporting")
    payload = d["components"]["schemas"]["vn.cds.training.plan.adopted.v1"]
    assert (
        payload["properties"]["targets"]["$ref"] == "#/components/schemas/vn.cds.training.plan.adopted.v1.PlanTargets"
    )
    assert "$defs" not in payload and "$id" not in payload
    officer = doc("personnel")["components"]["schemas"]["vn.cds.personnel.officer.appointed.v1"]
    assert officer["properties"]["officer_id"]["description"] == "Stable id of the officer in personnel."


def test_dead_letter_channels_carry_bytes_and_the_dlq_headers_of_their_consumer() -> None:
    d = doc("reporting")
    channel = d["channels"]["personnel.officer.dlq"]
    [ref] = channel["messages"].values()
    m = d["components"]["messages"][ref["$ref"].rsplit("/", 1)[-1]]
    assert m["contentType"] == "application/octet-stream" and m["payload"]["format"] == "binary"
    assert m["headers"]["properties"]["x-dlq-consumer"]["const"] == "reporting-projections"
    assert m["headers"]["properties"]["x-dlq-origin-topic"]["const"] == "personnel.officer"
    assert {"x-dlq-cause", "x-dlq-origin-offset", "x-dlq-attempt", "x-dlq-failed-at"} <= set(m["headers"]["required"])


def test_reporting_only_consumes_and_skips_the_programme_topic() -> None:
    d = doc("reporting")
    receives = {v["channel"]["$ref"].split("/")[-1] for v in d["operations"].values() if v["action"] == "receive"}
    assert "training.programme" not in receives and len(receives) == 12
    assert all(".dlq-" in k for k, v in d["operations"].items() if v["action"] == "send")


def test_events_md_links_each_topic_to_producer_and_consumers() -> None:
    md = RENDERED[asyncapi_docs.EVENTS_MD]
    row = next(line for line in md.splitlines() if line.startswith("| `personnel.org-unit` |"))
    producer, consumers = (cell.strip() for cell in row.split("|")[2:4])
    assert producer == "[personnel](asyncapi/personnel.json)"
    assert [c.split("]")[0].lstrip("[") for c in consumers.split("<br>")] == ["training", "recruitment", "reporting"]
    programme = next(line for line in md.splitlines() if line.startswith("| `training.programme` |"))
    assert programme.split("|")[3].strip() == "—", "nobody consumes training.programme"


# The generator knows no particular event: a second version and a compacted topic appear by themselves.
ITEMS = TopicSpec("shop.item")
PROFILES = TopicSpec(
    "shop.profile", config={"cleanup.policy": "compact", "retention.ms": "-1"}, tombstone_type="shop.profile.erased"
)


class ItemAdded(Event):
    """An item was added."""

    item_id: str = Field(description="Item.")


class ItemAddedV2(Event):
    """An item was added, with its price."""

    item_id: str = Field(description="Item.")
    price: int = Field(description="Price.")


class ProfileSet(Event):
    """A profile was set."""

    person_id: str = Field(description="Person.")


def _shop() -> dict[str, Any]:
    registry = Registry()
    registry.register("shop.item.added", 1, ITEMS, key="item_id")(ItemAdded)
    registry.register("shop.item.added", 2, ITEMS, key="item_id")(ItemAddedV2)
    registry.register("shop.profile.set", 1, PROFILES, key="person_id")(ProfileSet)
    reads = Consumption("till", "till-items", "shop.item", (ItemAdded, ItemAddedV2))
    return document(
        "shop", version="1", description="d", registry=registry, topics=[ITEMS, PROFILES], consumptions=[reads]
    )


def test_a_new_version_is_a_new_message_and_only_the_newest_is_sent() -> None:
    d = _shop()
    assert list(d["channels"]["shop.item"]["messages"]) == ["shop.item.added.v1", "shop.item.added.v2"]
    assert _messages(d, "send-shop.item") == ["shop.item.added.v2"]
    assert _messages(d, "receive-shop.item-till-items") == ["shop.item.added.v1", "shop.item.added.v2"]
    v1, v2 = (d["components"]["messages"][f"shop.item.added.v{n}"] for n in (1, 2))
    assert (v1["tags"], v2["tags"]) == ([{"name": "superseded"}], [{"name": "produced"}])
    assert v1["headers"]["properties"]["ce_type"]["const"] == "shop.item.added.v1"
    assert "no longer produced" in v1["description"]


def test_a_compacted_topic_describes_its_tombstones() -> None:
    d = _shop()
    channel = d["channels"]["shop.profile"]
    assert channel["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"] == ["compact"]
    assert list(channel["messages"]) == ["shop.profile.set.v1", "shop.profile.tombstone"]
    tombstone = d["components"]["messages"]["shop.profile.tombstone"]
    assert tombstone["headers"]["properties"]["ce_type"]["const"] == "shop.profile.erased.v1"
    assert (
        tombstone["payload"] == {"type": "null"} and "person_id" in tombstone["bindings"]["kafka"]["key"]["description"]
    )
    assert "tombstone" not in json.dumps(d["channels"]["shop.item"])


def test_payload_schemas_are_the_models_schemas() -> None:
    for spec in REGISTRY:
        committed = {k: v for k, v in schema_of(spec).items() if k not in ("$schema", "$id", "$defs")}
        owner = spec.topic.name.split(".", 1)[0]
        generated = doc(owner)["components"]["schemas"][spec.ce_type]
        assert generated["properties"].keys() == committed["properties"].keys()
        assert generated.get("required") == committed.get("required")
