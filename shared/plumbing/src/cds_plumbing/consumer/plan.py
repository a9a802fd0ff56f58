"""The order a batch is applied in: steps of one event type each, never reordering one key's events.

A batch is fetched from several partitions; events of different aggregates already arrive in any
relative order (they may sit in different partitions), so only each key's own order is kept. An item's
order key is (topic, aggregate key) and, for a batch handler that declares it, a finer part within the
aggregate (e.g. a team's member), so the members of one team can be written in one statement. Two items
conflict when one key is a prefix of the other (or they are equal): the later one then goes into a later
step. Each item goes into the first step of its type after every conflicting earlier item, so a step
holds at most one item per key and the steps run in index order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

OrderKey = tuple[Hashable, ...]


class Planned(Protocol):
    @property
    def order(self) -> OrderKey: ...

    @property
    def kind(self) -> type: ...


P = TypeVar("P", bound=Planned)


@dataclass
class Step(Generic[P]):
    """Items of one kind (event model) with distinct order keys, in batch order."""

    kind: type
    items: list[P] = field(default_factory=list)


def plan_steps(items: Sequence[P]) -> list[Step[P]]:
    steps: list[Step[P]] = []
    steps_of_kind: dict[type, list[int]] = {}  # step indices per kind, ascending
    latest_at: dict[OrderKey, int] = {}  # key -> step of its latest item
    latest_under: dict[OrderKey, int] = {}  # key -> latest step of any item whose key starts with it
    for item in items:
        key = item.order
        # (topic, aggregate) is the shortest; most keys are just that (no finer part): one prefix, no slicing
        prefixes = [key] if len(key) == 2 else [key[:n] for n in range(2, len(key) + 1)]
        after = latest_under.get(key, -1)  # >= latest_at[key]: the key itself is one of its own prefixes
        for prefix in prefixes[:-1]:
            after = max(after, latest_at.get(prefix, -1))
        candidates = steps_of_kind.setdefault(item.kind, [])
        pos = bisect_right(candidates, after)
        if pos < len(candidates):
            index = candidates[pos]
        else:
            index = len(steps)
            steps.append(Step(item.kind))
            candidates.append(index)
        steps[index].items.append(item)
        latest_at[key] = index
        for prefix in prefixes:
            if latest_under.get(prefix, -1) < index:
                latest_under[prefix] = index
    return steps
