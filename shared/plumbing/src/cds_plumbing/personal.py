"""Personal fields, defined once, and the one mechanism that shows or hides them per caller.

A response model describing one person subclasses `PersonalRecord` and marks each personal field with
`personal(...)` (which puts `x-personal: <category>` into the OpenAPI schema). When FastAPI validates a
response into such a model, the record's personal fields are kept only when the caller may see this
person (province_admin: everyone; unit_editor: people whose `scope_unit` lies in its subtree; viewer:
nobody) and set to null otherwise, so a hidden field is always present and null, and the schema says
so. Every person shown is noted in the request's `AccessContext`; the access-log middleware writes one
row per response from it (cds_plumbing.access_log).

Why validation and not serialization: FastAPI validates every endpoint's return value into its
response_model before serialising it (also a returned model instance, since `revalidate_instances` is
"always" here), and a validator touches neither the JSON schema nor the field types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cds_contracts.bounds import Line

PERSONAL = "x-personal"
Category = Literal[
    "name", "birth_year", "gender", "contact", "free_text", "destination", "exit_interview", "candidate", "departure"
]
HIDDEN_NOTE = " Personal data: null unless the caller may see this person (see README, Personal data)."


def personal(description: str, category: Category, **kwargs: Any) -> Any:
    """`Field` of a personal field; its type must allow None (the value for callers who may not see it)."""
    return Field(default=None, description=description + HIDDEN_NOTE, json_schema_extra={PERSONAL: category}, **kwargs)


@dataclass
class AccessContext:
    """Who is asking (set by cds_plumbing.auth.authenticated) and whose personal data the answer shows."""

    actor: str | None = None
    role: str | None = None
    sees_all: bool = False
    units: frozenset[str] = frozenset()
    shown: dict[str, set[str]] = field(default_factory=dict)  # subject kind -> ids whose fields were shown

    def admit(self, actor: str, role: str, *, sees_all: bool, units: frozenset[str]) -> None:
        self.actor, self.role, self.sees_all, self.units = actor, role, sees_all, units

    def may_see(self, unit: str | None) -> bool:
        return self.sees_all or (unit is not None and unit in self.units)

    def note(self, kind: str, subject_id: str) -> None:
        self.shown.setdefault(kind, set()).add(subject_id)

    @property
    def subjects(self) -> list[str]:
        return sorted(i for ids in self.shown.values() for i in ids)


_CONTEXT: ContextVar[AccessContext | None] = ContextVar("cds_access_context", default=None)


def access_context() -> AccessContext | None:
    return _CONTEXT.get()


@contextmanager
def access_scope() -> Iterator[AccessContext]:
    """The context of one request (the access-log middleware opens it around the whole request)."""
    ctx = AccessContext()
    token = _CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _CONTEXT.reset(token)


@cache
def personal_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and PERSONAL in info.json_schema_extra
    )


class PersonalRecord(BaseModel):
    """Base of every response model that describes one person.

    Subclasses set `subject_kind` (officer, community_member, candidate) and `subject_id_field` (the field
    holding the person's id), and fill `scope_unit` (never serialised) with the unit whose editors may see
    the person: the officer's unit, the team's commune, the vacancy's unit."""

    model_config = ConfigDict(revalidate_instances="always")

    subject_kind: ClassVar[str]
    subject_id_field: ClassVar[str]

    scope_unit: str | None = Field(
        default=None, exclude=True, description="Unit whose editors may see this person (not serialised)."
    )

    @model_validator(mode="after")
    def _show_or_hide(self) -> Self:
        names = personal_fields(type(self))
        ctx = access_context()
        if ctx is not None and ctx.may_see(self.scope_unit):
            if any(getattr(self, n) is not None for n in names):
                ctx.note(self.subject_kind, str(getattr(self, self.subject_id_field)))
            return self
        for name in names:  # no context (not a request) or not allowed: nothing personal leaves
            object.__setattr__(self, name, None)
        return self


class EraseRequest(BaseModel):
    """The body of every erasure endpoint (personnel's officers and members, recruitment's candidates)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: Line = Field(
        description="The request's reference (e.g. its document number), kept in the access log; not the name.",
    )


@dataclass(frozen=True)
class Erased:
    """What an erasure did: when, and whether the person had been erased already (erasing is idempotent)."""

    subject_kind: str
    subject_id: str
    erased_at: dt.datetime
    already_erased: bool
