"""The copies of one record in a dead-letter topic, grouped: one copy per consumer group that failed the
record, plus one each time a failed batch was retried (`cds-platform dlq list`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dlq import DeadLetter


@dataclass(frozen=True)
class DeadRecord:
    """One record of the origin topic and its copies in the .dlq: one per consumer group that failed it, and
    one more each time a failed batch was retried."""

    origin: tuple[str, str, str]
    copies: tuple[DeadLetter, ...]

    @property
    def consumers(self) -> list[str]:
        return sorted({c.consumer for c in self.copies})

    def as_dict(self) -> dict[str, Any]:
        first = self.copies[0]
        topic, partition, offset = self.origin
        return {
            "origin_topic": topic,
            "origin_partition": partition,
            "origin_offset": offset,
            "key": first.as_dict()["key"],
            "event_id": first.original("ce_id"),
            "type": first.original("ce_type"),
            "consumers": self.consumers,
            "copies": [c.as_dict() for c in self.copies],
        }


def group_copies(letters: list[DeadLetter]) -> list[DeadRecord]:
    """The copies of each origin record together, ordered by their newest copy (as `letters` are ordered)."""
    groups: dict[tuple[str, str, str], list[DeadLetter]] = {}
    for d in letters:
        groups.setdefault(d.origin, []).append(d)
    ordered = sorted(groups.items(), key=lambda g: max(letters.index(d) for d in g[1]))
    return [DeadRecord(origin, tuple(copies)) for origin, copies in ordered]
