"""JSON Schema snapshots of the registered events and the rule for what may change within a version.

Within one version a schema may only grow in ways old consumers can read: new optional properties,
new descriptions or examples. Removing or retyping a property, making one required, or admitting a
new enum value breaks consumers and needs a new version. `python -m cds_contracts.schemas` rewrites the snapshots.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .registry import REGISTRY, EventSpec, Registry

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
# Pydantic writes JSON Schema 2020-12 ($defs, prefixItems): say so, so validators pick the right dialect.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A URN rather than a URL: the schemas are published with the code, not served from a host of ours.
ID_PREFIX = "urn:cds:event-schema:"


def schema_id(ce_type: str) -> str:
    """The `$id` of an event type's schema, e.g. urn:cds:event-schema:vn.cds.personnel.officer.appointed.v1."""
    return ID_PREFIX + ce_type


def schema_of(spec: EventSpec) -> dict[str, Any]:
    """The JSON Schema of the event data (the record value), with `$schema` and `$id`."""
    schema: dict[str, Any] = spec.model.model_json_schema(mode="serialization")
    return {"$schema": DIALECT, "$id": schema_id(spec.ce_type), **schema}


def snapshot_path(spec: EventSpec, directory: Path = SCHEMA_DIR) -> Path:
    return directory / f"{spec.ce_type}.json"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root["$defs"][ref.removeprefix("#/$defs/")], root)
    return schema


def _types(schema: dict[str, Any], root: dict[str, Any]) -> set[str]:
    """The set of JSON types (and enum/const values) a property admits, with $refs and anyOf flattened."""
    schema = _resolve(schema, root)
    out: set[str] = set()
    for alt in schema.get("anyOf", []) + schema.get("oneOf", []):
        out |= _types(alt, root)
    if "enum" in schema:
        out |= {f"enum:{json.dumps(v)}" for v in schema["enum"]}
    elif "const" in schema:
        out.add(f"enum:{json.dumps(schema['const'])}")
    elif "type" in schema:
        t = schema["type"]
        for one in t if isinstance(t, list) else [t]:
            fmt = schema.get("format")
            out.add(f"{one}:{fmt}" if fmt else one)
            if one == "array" and "items" in schema:
                out |= {f"item/{x}" for x in _types(schema["items"], root)}
    return out


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Reasons why a consumer written against `old` could not read data valid under `new`."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            problems.append(f"property {name!r} removed")
            continue
        added = _types(new_props[name], new) - _types(old_props[name], old)
        if added:
            problems.append(f"property {name!r} admits new values/types {sorted(added)}")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"property {name!r} became required" if name in old_props else f"required {name!r} added")
    return problems


def write_snapshots(registry: Registry = REGISTRY, directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in registry:
        path = snapshot_path(spec, directory)
        path.write_text(json.dumps(schema_of(spec), indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_snapshots():
        print(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p, file=sys.stdout)
