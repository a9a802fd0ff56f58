"""Which exception becomes which RFC 9457 problem: one small table every service and module extends.

`install_problem_handlers` (http.py) answers any exception that reaches it by the first rule here whose
class matches, so a database refusal never turns into a 500: a unique-key race is a 409, a value the
database cannot store a 422, a statement that ran past `statement_timeout` a 503 with Retry-After.
Services add their domain errors (`register_problem(NotFoundError, 404, "Not Found")`), and other modules
(e.g. outage handling) add theirs with `register_problem` or `register_rule`, without touching http.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import asyncpg.exceptions._base as asyncpg_base
from pydantic import ValidationError

RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)  # run again before answering 409
MAX_ERRORS = 50  # a 422 lists at most this many errors (a 1.3-million-item body must not answer 123 MB)
RETRY_AFTER_S = 2


@dataclass(frozen=True)
class ProblemSpec:
    status: int
    title: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[BaseException], ProblemSpec | None]
_RULES: list[tuple[type[BaseException], Rule]] = []


def register_rule(exc_type: type[BaseException], rule: Rule) -> None:
    """`rule(exc)` answers a ProblemSpec for an instance of exc_type, or None to let other rules try.
    The rule for the most specific class wins; between rules for one class, the last registered."""
    _RULES.append((exc_type, rule))


def register_problem(
    exc_type: type[BaseException],
    status: int,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """exc_type → status/title; the detail is `detail`, or the exception's own message."""

    def rule(exc: BaseException) -> ProblemSpec:
        return ProblemSpec(status, title, detail or str(exc), dict(headers or {}))

    register_rule(exc_type, rule)


def problem_for(exc: BaseException) -> ProblemSpec | None:
    mro = type(exc).__mro__
    ranked = sorted(
        (mro.index(t) if t in mro else len(mro), -i, i) for i, (t, _) in enumerate(_RULES) if isinstance(exc, t)
    )
    for _, _, i in ranked:
        spec = _RULES[i][1](exc)
        if spec is not None:
            return spec
    return None


def field_errors(errors: Any) -> list[dict[str, Any]]:
    """pydantic/FastAPI errors as the 422 body lists them: where, what, which rule (no echoed input)."""
    return [
        {
            "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg")),
            "type": str(e.get("type")),
        }
        for e in list(errors)[:MAX_ERRORS]
    ]


def _pg(exc: BaseException) -> str:
    msg = getattr(exc, "message", None) or str(exc)
    detail = getattr(exc, "detail", None)
    return f"{msg} ({detail})" if detail else msg


def _validation(exc: BaseException) -> ProblemSpec:
    assert isinstance(exc, ValidationError)
    errors = exc.errors(include_url=False)
    return ProblemSpec(
        422,
        "Invalid request",
        "the request leads to a value the service does not accept",
        extra={"errors": field_errors(errors), "error_count": len(errors)},
    )


register_rule(ValidationError, _validation)
register_rule(
    asyncpg_base.DataError,  # asyncpg refused to encode a parameter (e.g. an int beyond int32)
    lambda e: ProblemSpec(422, "Invalid request", f"a value is out of the range the service can store: {e}"),
)
register_rule(
    asyncpg.DataError,  # SQLSTATE class 22: out of range, invalid text, NUL, date overflow
    lambda e: ProblemSpec(422, "Invalid request", f"a value the database cannot store or compute with: {_pg(e)}"),
)
register_rule(
    asyncpg.IntegrityConstraintViolationError,  # class 23 not mapped below
    lambda e: ProblemSpec(422, "Invalid request", f"the request breaks a storage rule: {_pg(e)}"),
)
for _conflict in (asyncpg.UniqueViolationError, asyncpg.ExclusionViolationError, asyncpg.ForeignKeyViolationError):
    register_rule(
        _conflict,
        lambda e: ProblemSpec(
            409, "Conflict", f"the request conflicts with data stored meanwhile (concurrent change?): {_pg(e)}"
        ),
    )
for _race in RETRYABLE:
    register_rule(
        _race,
        lambda e: ProblemSpec(
            409,
            "Conflict",
            "a concurrent request changed the same data; nothing was written, the request may be retried",
            {"Retry-After": "1"},
        ),
    )
register_rule(
    asyncpg.QueryCanceledError,  # statement_timeout: the work is bounded, the caller may retry later
    lambda e: ProblemSpec(
        503,
        "Service Unavailable",
        "the request took longer than the service allows and was cancelled; nothing was written",
        {"Retry-After": str(RETRY_AFTER_S)},
    ),
)
