"""The committed AsyncAPI documents and docs/events.md are what the code generates today, and say what the
services really produce and consume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scripts import asyncapi_docs

RENDERED = asyncapi_docs.rendered()


def doc(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RENDERED[asyncapi_docs.DOCS / "asyncapi" / f"{service}.json"])
    return loaded


@pytest.mark.parametrize("path", sorted(RENDERED), ids=lambda p: p.name)
def test_the_committed_file_is_current(path: Any) -> None:
    assert path.exists(), f"{path} is missing: run `make asyncapi` and commit the result"
    assert path.read_text(encoding="utf-8") == RENDERED[path], f"{path} is stale: run `make asyncapi`"


def _payload_models(document: dict[str, Any], operation: str) -> set[str]:
    op = document["operations"][operation]
    channel = op["channel"]["$ref"].removeprefix("#/channels/")
    message_ref = next(iter(document["channels"][channel]["messages"].values()))["$ref"]
    payload = document["components"]["messages"][message_ref.removeprefix("#/components/messages/")]["payload"]
    alternatives = payload.get("oneOf") or payload.get("anyOf") or [payload]
    if "$ref" in payload and payload["$ref"].endswith(":Payload"):  # a union publisher's own schema
        named = document["components"]["schemas"][payload["$ref"].removeprefix("#/components/schemas/")]
        alternatives = named["anyOf"]
    return {a["$ref"].removeprefix("#/components/schemas/") for a in alternatives}


def test_personnel_sends_its_five_topics_and_receives_only_hires() -> None:
    d = doc("personnel")
    assert d["asyncapi"] == "3.0.0"
    sends = {k for k, v in d["operations"].items() if v["action"] == "send"}
    assert sends == {
        "personnel.org-unit:send",
        "personnel.officer:send",
        "personnel.community-team:send",
        "personnel.response-team:send",
        "personnel.officer-profile:send",
        "recruitment.application.dlq:personnel-hires",
        "recruitment.candidate-profile.dlq:personnel-hires",
    }
    receives = {k for k, v in d["operations"].items() if v["action"] == "receive"}
    assert receives == {"recruitment.application:personnel-hires", "recruitment.candidate-profile:personnel-hires"}
    # v2 hires, and the v1 ones already on the topic; the name comes on the profile topic
    assert _payload_models(d, "recruitment.application:personnel-hires") == {"CandidateHired", "CandidateHiredV1"}
    assert _payload_models(d, "recruitment.candidate-profile:personnel-hires") == {"CandidateProfileStated"}
    assert d["channels"]["recruitment.application:personnel-hires"]["address"] == "recruitment.application"
    assert _payload_models(d, "personnel.org-unit:send") == {
        "OrgUnitRegistered",
        "OrgUnitRenamed",
        "OrgUnitMoved",
        "OrgUnitsMerged",
        "OrgUnitSplit",
        "OrgUnitDissolved",
    }


def test_event_schemas_carry_the_models_descriptions() -> None:
    schema = doc("personnel")["components"]["schemas"]["OfficerAppointed"]
    assert schema["description"] == (
        "An officer started working on digital transformation in a unit (the name is on the profile topic)."
    )
    assert schema["properties"]["officer_id"]["description"] == "Stable id of the officer in personnel."


def test_reporting_only_consumes_and_skips_the_programme_topic() -> None:
    d = doc("reporting")
    receives = {v["channel"]["$ref"].split("/")[-1] for v in d["operations"].values() if v["action"] == "receive"}
    assert receives == {
        f"{t}:reporting-projections"
        for t in (
            "personnel.org-unit",
            "personnel.officer",
            "personnel.community-team",
            "personnel.response-team",
            "training.plan",
            "training.class",
            "training.drill",
            "recruitment.staffing-plan",
            "recruitment.incentive-policy",
            "recruitment.vacancy",
            "recruitment.application",
            "recruitment.exit-interview",
        )
    }
    assert all(k.endswith(".dlq:reporting-projections") for k, v in d["operations"].items() if v["action"] == "send")


def test_events_md_links_each_topic_to_producer_and_consumers() -> None:
    md = RENDERED[asyncapi_docs.DOCS / "events.md"]
    row = next(line for line in md.splitlines() if line.startswith("| `personnel.org-unit` |"))
    producer, consumers = (cell.strip() for cell in row.split("|")[2:4])
    assert producer == "[personnel](asyncapi/personnel.json)"
    assert [c.split("]")[0].lstrip("[") for c in consumers.split("<br>")] == ["training", "recruitment", "reporting"]
    programme = next(line for line in md.splitlines() if line.startswith("| `training.programme` |"))
    assert programme.split("|")[3].strip() == "—", "nobody consumes training.programme"
