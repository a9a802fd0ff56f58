"""The application pipeline: applied → screened → interviewed → offered → accepted | declined; accepted →
hired; rejected (with a reason) from any stage before hired."""

from __future__ import annotations

from cds_contracts.recruitment import Stage

from .errors import ConflictError, RuleViolationError

FORWARD: dict[str, tuple[str, ...]] = {
    "applied": ("screened",),
    "screened": ("interviewed",),
    "interviewed": ("offered",),
    "offered": ("accepted", "declined"),
    "accepted": ("hired",),
}
REJECTABLE: frozenset[str] = frozenset(FORWARD)  # every stage before hired that is not final
FINAL: frozenset[str] = frozenset({"declined", "hired", "rejected"})
STAGES: tuple[Stage, ...] = (
    "applied",
    "screened",
    "interviewed",
    "offered",
    "accepted",
    "declined",
    "hired",
    "rejected",
)


def allowed_from(stage: str) -> tuple[str, ...]:
    return FORWARD.get(stage, ()) + (("rejected",) if stage in REJECTABLE else ())


def check_transition(from_stage: str, to_stage: str, reason: str | None = None) -> None:
    """ConflictError naming both stages unless the move is legal; a rejection needs a reason."""
    if to_stage not in allowed_from(from_stage):
        allowed = ", ".join(allowed_from(from_stage)) or "none, the stage is final"
        raise ConflictError(f"an application cannot move from {from_stage} to {to_stage} (allowed: {allowed})")
    if to_stage == "rejected" and not (reason and reason.strip()):
        raise RuleViolationError("a rejection needs a reason")
