"""The OpenAPI document tells the truth about errors: every error a route can answer is declared, once,
here, from what the route has, instead of by hand per route.

Every operation: 414 (URL too long), 422 (invalid parameter, also control characters in the URL), 503
(a statement past the timeout, a dependency down; with Retry-After). With a request body: 400
(unreadable body) and 413 (body over the cap). Behind a token: 401 and 403. With path parameters, an
`..._id` filter or a body (which may name an unknown id): 404. Writes (POST, PUT, PATCH, DELETE): 409.
Creates (POST answering 201/202): the `Idempotency-Key` header. Each is `application/problem+json` with
the `Problem` schema, and 422 with `ValidationProblem`, whose `errors` list names each invalid field
(or each import row).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from .auth import current_principal
from .http import PROBLEM
from .idempotency import HEADER, api_routes, is_create

_REF = "#/components/schemas/"
SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
        "required": ["type", "title", "status"],
        "additionalProperties": True,
    },
    "FieldError": {
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
    "RowError": {
        "type": "object",
        "description": "An error in one row of a bulk import (`row` is the line in the file).",
        "properties": {
            "row": {"type": "integer"},
            "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "message": {"type": "string"},
        },
        "required": ["row", "field", "message"],
    },
    "ValidationProblem": {
        "type": "object",
        "description": "A 422 problem: `errors` lists each invalid field, broken rule or import row "
        "(at most 50; `error_count` says how many there were).",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "const": 422},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {"anyOf": [{"$ref": _REF + "FieldError"}, {"$ref": _REF + "RowError"}]},
            },
            "error_count": {"type": "integer"},
            "rows": {"type": "integer"},
        },
        "required": ["type", "title", "status", "errors"],
        "additionalProperties": True,
    },
}
_IDEMPOTENCY_PARAM = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Any unique string (e.g. a UUID) chosen by the client per create. A retry with the same key "
    "and body answers the first result again (header Idempotent-Replayed: true); another body with the "
    "same key is a 422; while the first is still running, a 409. Kept 24 h, per token subject.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    503: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait before retrying."}},
}


def install_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        complete(app, schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(app: FastAPI, schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(SCHEMAS)
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            op = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if op is not None:
                _complete_operation(route, method, op)
    refs = str(schema.get("paths"))
    for unused in ("HTTPValidationError", "ValidationError"):
        if _REF + unused not in refs:
            components.pop(unused, None)


def _complete_operation(route: Any, method: str, op: dict[str, Any]) -> None:
    params = op.get("parameters", [])
    statuses = {414, 422, 503}
    if "requestBody" in op:
        statuses |= {400, 413}
    if _needs_token(route.dependant):
        statuses |= {401, 403}
    if "requestBody" in op or any(p["in"] == "path" or p["name"].endswith("_id") for p in params):
        statuses.add(404)  # a path id, an id filter or an id in the body names something unknown
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        statuses.add(409)
    if method == "POST" and is_create(route):
        statuses |= {400, 409}
        if not any(p["name"] == HEADER for p in params):
            op["parameters"] = [*params, _IDEMPOTENCY_PARAM]
    responses = op.setdefault("responses", {})
    statuses |= {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    for status in sorted(statuses):
        name = "ValidationProblem" if status == 422 else "Problem"
        entry: dict[str, Any] = {
            "description": responses.get(str(status), {}).get("description") or HTTPStatus(status).phrase,
            "content": {PROBLEM: {"schema": {"$ref": _REF + name}}},
        }
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        responses[str(status)] = entry


def _needs_token(dependant: Dependant) -> bool:
    return any(d.call is current_principal or _needs_token(d) for d in dependant.dependencies)
