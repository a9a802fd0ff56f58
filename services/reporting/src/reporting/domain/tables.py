"""A table cut out of a JSON view's body: where its rows are and which columns (Vietnamese and English headers).

A spec only points into a body, so an export always shows the figures of the JSON view it names, and a
frozen snapshot's body renders with the same spec."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

ColType = Literal["text", "int", "number", "date", "datetime", "bool", "enum", "list"]
Shape = Literal["list", "mapping", "tree"]
MISSING: Any = object()  # lookup's answer for an absent key (None is a value)


@dataclass(frozen=True)
class Column:
    key: str  # dotted path inside a row, e.g. "own.total"
    vi: str
    en: str
    type: ColType = "text"
    enum: str | None = None  # labels.ENUMS entry for "enum" columns and the items of "list" columns
    default: Any = None  # shown when the key is absent (sparse dicts such as by_reason); None = must exist

    def header(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


def columns(table: str) -> tuple[Column, ...]:
    """Columns written one a line as `key:type[:enum][=default] | Vietnamese header | English header`."""
    out = []
    for line in filter(None, (raw.strip() for raw in table.splitlines())):
        spec, vi, en = (p.strip() for p in line.split("|"))
        spec, _, default = spec.partition("=")
        key, _, rest = spec.partition(":")
        kind, _, enum = (rest or "text").partition(":")
        if kind not in get_args(ColType):
            raise ValueError(f"unknown column type {kind!r} in {line!r}")
        out.append(Column(key, vi, en, cast(ColType, kind), enum or None, int(default) if default else None))
    return tuple(out)


@dataclass(frozen=True)
class TableSpec:
    name: str  # the {table} of /api/v1/exports/{table}.{fmt}
    title_vi: str
    title_en: str
    view: str  # the view whose body it is cut from (its name in the view registry)
    rows: tuple[str, ...]  # dotted paths to the rows in the body; the first one present wins
    columns: tuple[Column, ...]
    shape: Shape = "list"  # mapping: {key: row or value}, the key in columns[0]; tree: nested "children"

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en


def lookup(data: Any, dotted: str) -> Any:
    """The value at `dotted` inside nested dicts, or MISSING."""
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return MISSING
        data = data[part]
    return data


def rows_of(spec: TableSpec, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The spec's rows in `body`; KeyError when none of its row paths is there."""
    found = next((v for p in spec.rows if (v := lookup(body, p)) is not MISSING), MISSING)
    if found is MISSING:
        raise KeyError(f"{spec.name}: none of {list(spec.rows)} in the body of view {spec.view}")
    if spec.shape == "mapping":
        key = spec.columns[0].key
        return [{key: k, **v} if isinstance(v, dict) else {key: k, "value": v} for k, v in found.items()]
    if spec.shape == "tree":
        return list(_flatten(found, None))
    return list(found)


def _flatten(nodes: list[dict[str, Any]], parent: str | None) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield {**{k: v for k, v in node.items() if k != "children"}, "parent_id": parent}
        yield from _flatten(node.get("children", []), node["unit_id"])


def cell(column: Column, row: dict[str, Any]) -> Any:
    value = lookup(row, column.key)
    if value is MISSING:
        if column.default is None:
            raise KeyError(f"column {column.key} is not in the row {sorted(row)}")
        return column.default
    return value


def problems(spec: TableSpec, body: dict[str, Any]) -> list[str]:
    """Why `spec` does not fit `body` (no row path, a column key absent from a row); empty when it fits."""
    try:
        rows = rows_of(spec, body)
    except KeyError as exc:
        return [str(exc.args[0])]
    return [
        f"{spec.name}: column {c.key} is missing in a row"
        for c in spec.columns
        if c.default is None and any(lookup(r, c.key) is MISSING for r in rows)
    ]
