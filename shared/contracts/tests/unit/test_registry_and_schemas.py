"""Every registered event is frozen, fully described, on a declared topic, and its JSON Schema matches
the committed snapshot; a change that would break consumers needs a new version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from cds_contracts import REGISTRY, SOURCE_TOPICS, Registry, UnknownEventError, all_topics
from cds_contracts.personnel_officers import OfficerAppointed, OfficerAppointedV1
from cds_contracts.schemas import DIALECT, SCHEMA_DIR, breaking_changes, schema_id, schema_of, snapshot_path

SPECS = list(REGISTRY)


def test_registry_is_not_empty() -> None:
    assert len(REGISTRY) >= 2


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.ce_type)
def test_event_models_are_frozen_and_every_field_is_described(spec: Any) -> None:
    assert spec.model.model_config.get("frozen") is True
    undocumented = [name for name, f in spec.model.model_fields.items() if not f.description]
    assert not undocumented, f"{spec.model.__name__}: describe {undocumented}"
    assert spec.model.__doc__, f"{spec.model.__name__} needs a docstring"
    assert spec.topic in SOURCE_TOPICS


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.ce_type)
def test_schema_has_no_breaking_change_against_its_snapshot(spec: Any) -> None:
    path = snapshot_path(spec)
    assert path.exists(), f"no snapshot for {spec.ce_type}: run `make schemas` and commit it"
    problems = breaking_changes(json.loads(path.read_text()), schema_of(spec))
    assert not problems, f"{spec.ce_type} changed incompatibly ({problems}); publish a new version instead"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.ce_type)
def test_snapshot_is_up_to_date(spec: Any) -> None:
    assert json.loads(snapshot_path(spec).read_text()) == schema_of(spec), "run `make schemas` and commit"


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_committed_schema_names_its_dialect_and_id_and_is_a_valid_schema(path: Any) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == schema_id(path.stem), "the $id names the event type the file is named after"
    Draft202012Validator.check_schema(schema)


def test_every_committed_schema_still_has_its_model() -> None:
    """Topics keep records for ever and projections are rebuilt from offset 0: a v1 superseded by a v2 is
    no longer produced but must stay readable, so its model stays registered (docs/events.md, Versioning)."""
    registered = {spec.ce_type for spec in REGISTRY}
    orphans = sorted(p.stem for p in SCHEMA_DIR.glob("*.json") if p.stem not in registered)
    assert not orphans, f"schemas without a registered model (records of these types stay on the topics): {orphans}"


def test_every_version_below_a_registered_one_is_registered_too() -> None:
    versions: dict[str, set[int]] = {}
    for spec in REGISTRY:
        versions.setdefault(spec.type, set()).add(spec.version)
    gaps = {t: sorted(set(range(1, max(v) + 1)) - v) for t, v in versions.items() if v != set(range(1, max(v) + 1))}
    assert not gaps, f"missing versions (older records could not be read): {gaps}"


BASE = {
    "properties": {
        "a": {"type": "string", "description": "a"},
        "kind": {"enum": ["x", "y"], "type": "string"},
        "n": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
    },
    "required": ["a", "kind"],
}


def _with(**props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(BASE))
    for name, value in props.items():
        if value is None:
            del schema["properties"][name]
        else:
            schema["properties"][name] = value
    return schema


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        (_with(a=None), "removed"),
        (_with(a={"type": "integer"}), "admits new"),
        (_with(kind={"enum": ["x", "y", "z"], "type": "string"}), "admits new"),
        ({**BASE, "required": ["a", "kind", "n"]}, "became required"),
        ({**_with(b={"type": "string"}), "required": ["a", "kind", "b"]}, "required 'b' added"),
    ],
)
def test_breaking_changes_are_detected(new: dict[str, Any], problem: str) -> None:
    found = breaking_changes(BASE, new)
    assert any(problem in p for p in found), found


def test_additive_changes_are_compatible() -> None:
    new = _with(b={"anyOf": [{"type": "string"}, {"type": "null"}], "default": None})
    new["properties"]["a"] = {"type": "string", "description": "a, better described"}
    new["properties"]["kind"] = {"enum": ["x"], "type": "string"}  # narrower: old readers still cope
    assert breaking_changes(BASE, new) == []


def test_lookup_by_type_and_version_and_unknown_types() -> None:
    spec = REGISTRY.lookup("vn.cds.personnel.officer.appointed", 1)
    assert spec.model is OfficerAppointedV1 and spec.key_field == "officer_id"
    assert REGISTRY.lookup("vn.cds.personnel.officer.appointed", 2).model is OfficerAppointed
    with pytest.raises(UnknownEventError):
        REGISTRY.lookup("vn.cds.personnel.officer.appointed", 99)
    with pytest.raises(TypeError, match="no key field"):
        Registry().register("vn.cds.x", 1, SOURCE_TOPICS[0], key="missing")(OfficerAppointed)


def test_events_validate_their_data() -> None:
    with pytest.raises(ValidationError):
        OfficerAppointed.model_validate(
            {
                "officer_id": "",
                "full_name": "A",
                "unit_id": "U",
                "employment_category": "cadre",
                "assignment": "part-time",
                "effective_date": "2024-01-01",
            }
        )


def test_topic_declaration_has_a_dlq_per_topic_three_partitions_and_unlimited_retention() -> None:
    names = {t.name for t in all_topics()}
    for spec in SOURCE_TOPICS:
        assert f"{spec.name}.dlq" in names
    for spec in all_topics():
        assert spec.partitions >= 3
        if spec.name in PROFILE_TOPICS:  # compacted: the latest value per person, erasable by a tombstone
            assert spec.config["cleanup.policy"] == "compact" and int(spec.config["max.compaction.lag.ms"]) <= 3_600_000
        elif spec.name.removesuffix(".dlq") in PROFILE_TOPICS:  # their dead letters expire
            assert spec.config["cleanup.policy"] == "delete" and spec.config["retention.ms"] != "-1"
        else:
            assert spec.config["retention.ms"] == "-1"
    assert len(names) == 2 * len(SOURCE_TOPICS)


PROFILE_TOPICS = {"personnel.officer-profile", "recruitment.candidate-profile"}
PERSONAL = {"full_name", "birth_year", "gender", "email", "phone", "destination", "departure_destination", "note"}
# Free text that is about a unit, a class, a plan or a vacancy, never about a person.
NOT_ABOUT_A_PERSON = {
    ("vn.cds.personnel.officer.appointment_refused", "reason"),
    ("vn.cds.recruitment.application.hire_outcome_recorded", "reason"),
    ("vn.cds.recruitment.vacancy.reopened", "reason"),
    ("vn.cds.training.class.cancelled", "reason"),
    ("vn.cds.training.plan.amended", "reason"),
}


def test_only_profile_topics_carry_personal_data_in_the_versions_producers_emit() -> None:
    latest = {s.type: s for s in REGISTRY}  # iteration is by (type, version): the last one wins
    for spec in latest.values():
        fields = spec.model.model_fields
        if spec.topic.name in PROFILE_TOPICS:
            assert spec.topic.compacted, spec.ce_type
            continue
        assert not PERSONAL & fields.keys(), f"{spec.ce_type} carries {sorted(PERSONAL & fields.keys())}"
        free_reason = "reason" in fields and fields["reason"].annotation in (str, str | None)
        assert not free_reason or (spec.type, "reason") in NOT_ABOUT_A_PERSON, f"{spec.ce_type}: free-text reason"
    # The versions that carried personal data stay registered: their records are already on the topics.
    for changed in (
        "personnel.officer.appointed",
        "personnel.officer.corrected",
        "recruitment.application.candidate_hired",
    ):
        v1 = REGISTRY.lookup(f"vn.cds.{changed}", 1).model.model_fields
        assert "full_name" in v1 and "full_name" not in REGISTRY.lookup(f"vn.cds.{changed}", 2).model.model_fields
