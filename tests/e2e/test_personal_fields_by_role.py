"""README's role × field table (section Personal data) against the running services: for every endpoint and
personal field it lists, each role sees the field filled or null exactly as the table says; and the table
lists exactly the fields the four OpenAPI documents mark `x-personal`, so neither can drift."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from cds_plumbing.auth import Role
from tests.support.e2e import eventually_each, ok
from tests.support.people import World, base, build, token, values

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("personnel", "training", "recruitment", "reporting")
COLUMNS = ("viewer", "editor_inside", "editor_elsewhere", "admin")


def readme_table() -> list[tuple[str, str, list[str], dict[str, str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| service | `GET` endpoint | personal fields |")
    rows = []
    for line in text[start:].split("\n\n", 1)[0].splitlines()[2:]:
        service, endpoint, fields, *shown = (c.strip() for c in line.strip("|").split("|"))
        rows.append(
            (service, endpoint.strip("`"), re.findall(r"`([^`]+)`", fields), dict(zip(COLUMNS, shown, strict=True)))
        )
    return rows


def personal_in_openapi(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """(path, JSON path) of every x-personal field in the 200 answers of GET operations."""
    schemas = spec["components"]["schemas"]
    found: set[tuple[str, str]] = set()

    def walk(schema: dict[str, Any], at: str, seen: frozenset[str], path: str) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                walk(schemas[name], at, seen | {name}, path)
            return
        for alt in schema.get("anyOf", []) + schema.get("allOf", []):
            walk(alt, at, seen, path)
        if schema.get("type") == "array":
            walk(schema.get("items", {}), at + "[]", seen, path)
        for name, prop in schema.get("properties", {}).items():
            here = f"{at}.{name}" if at else name
            if "x-personal" in prop:
                found.add((path, here))
            else:
                walk(prop, here, seen, path)

    for path, item in spec["paths"].items():
        answer = item.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if schema:
            walk(schema, "", frozenset(), path)
    return found


def test_the_table_lists_exactly_the_personal_fields_of_the_openapi_documents() -> None:
    listed = {(s, e, f) for s, e, fields, _ in readme_table() for f in fields}
    marked = set()
    for service in SERVICES:
        spec = httpx.get(f"{base(service)}/openapi.json", timeout=30).json()
        marked |= {(service, path, field) for path, field in personal_in_openapi(spec)}
    assert listed == marked
    assert not {s for s, _, _ in marked} & {"reporting"}  # aggregates and ids only


@pytest.fixture(scope="module")
def world() -> World:
    return build()


def address(w: World, endpoint: str) -> tuple[str, dict[str, str]]:
    """The endpoint filled with the world's ids, and a filter keeping its answer to the world's people."""
    ids = {"officer_id": w.ids["leaves"], "team_id": w.ids["team"], "class_id": w.ids["class"],
           "application_id": w.ids["application"]}  # fmt: skip
    if endpoint == "/api/v1/response-teams/{team_id}":
        ids["team_id"] = w.ids["response_team"]
    params = {
        "/api/v1/officers": {"unit_id": w.unit("C"), "status": "departed"},  # every field has a value
        "/api/v1/applications": {"vacancy_id": w.ids["vacancy"]},
        "/api/v1/departures": {"unit_id": w.unit("C")},
        "/api/v1/exit-interviews": {"unit_id": w.unit("C")},
    }.get(endpoint, {})
    return endpoint.format(**ids), params


def test_each_role_sees_each_personal_field_as_the_table_says(world: World) -> None:
    callers = {
        "viewer": token(Role.VIEWER),
        "editor_inside": token(Role.UNIT_EDITOR, world.unit("D")),  # the people are in C, under D
        "editor_elsewhere": token(Role.UNIT_EDITOR, world.unit("O")),
        "admin": token(Role.PROVINCE_ADMIN),
    }
    # training learns names from personnel's profile topic: wait until it has the world's
    with httpx.Client(base_url=base("training"), headers={"Authorization": f"Bearer {callers['admin']}"}) as t:
        people = [world.ids["leaves"], world.ids["stays"]]
        eventually_each(lambda o: bool(ok(t.get(f"/api/v1/officers/{o}"))["full_name"]), people, "names in training")
    checked = 0
    for service, endpoint, fields, shown in readme_table():
        path, params = address(world, endpoint)
        if endpoint == "/api/v1/officers/{officer_id}" and service == "training":
            path = path.replace(world.ids["leaves"], world.ids["stays"])  # the trainee

        url = f"{base(service)}{path}"

        def answer(bearer: str, url: str = url, params: dict[str, str] = params) -> Any:
            return ok(httpx.get(url, params=params, headers={"Authorization": f"Bearer {bearer}"}))

        full = answer(callers["admin"])
        for who, bearer in callers.items():
            body = answer(bearer)
            for field in fields:
                everything, found = values(full, field), values(body, field)
                assert any(v is not None for v in everything), f"{service} {endpoint}: {field} never filled"
                if shown[who] == "shown":  # as the province admin sees it (a list may hold a real null)
                    assert found == everything, (service, endpoint, field, who, found)
                else:
                    assert shown[who] == "null" and found and all(v is None for v in found), (endpoint, field, who)
                checked += 1
    assert checked >= 4 * 25
