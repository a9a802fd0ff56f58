"""The steps a batch is applied in: one kind per step, a key's events in their order, as few steps as that allows."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cds_plumbing.consumer.plan import OrderKey, plan_steps


class Joined: ...


class Left: ...


class Moved: ...


@dataclass(frozen=True)
class It:
    kind: type
    order: OrderKey
    seq: int


def _items(*spec: tuple[type, tuple[str, ...]]) -> list[It]:
    return [It(kind, ("topic", *key), i) for i, (kind, key) in enumerate(spec)]


def _shape(items: list[It]) -> list[tuple[str, list[int]]]:
    return [(s.kind.__name__, [i.seq for i in s.items]) for s in plan_steps(items)]


def test_distinct_keys_of_one_kind_share_one_step_in_batch_order() -> None:
    items = _items(*[(Joined, (f"team{i}",)) for i in range(5)])
    assert _shape(items) == [("Joined", [0, 1, 2, 3, 4])]


def test_interleaved_kinds_of_distinct_keys_make_one_step_per_kind() -> None:
    items = _items((Joined, ("a",)), (Left, ("b",)), (Joined, ("c",)), (Left, ("d",)))
    assert _shape(items) == [("Joined", [0, 2]), ("Left", [1, 3])]


def test_a_keys_events_keep_their_order_across_steps() -> None:
    # a: Joined, Left, Joined; b: Joined. b's Joined may share a's first step, a's second Joined may not.
    items = _items((Joined, ("a",)), (Left, ("a",)), (Joined, ("a",)), (Joined, ("b",)))
    assert _shape(items) == [("Joined", [0, 3]), ("Left", [1]), ("Joined", [2])]


def test_finer_keys_of_one_aggregate_share_a_step_but_the_aggregates_own_events_wait() -> None:
    # Members of team t join together; the team's move (key t) waits for them, the next join waits for it.
    items = _items((Joined, ("t", "m1")), (Joined, ("t", "m2")), (Moved, ("t",)), (Joined, ("t", "m3")))
    assert _shape(items) == [("Joined", [0, 1]), ("Moved", [2]), ("Joined", [3])]


def test_an_event_goes_into_an_earlier_step_of_its_kind_when_its_key_allows() -> None:
    items = _items((Joined, ("a",)), (Left, ("a",)), (Joined, ("a",)), (Left, ("b",)), (Joined, ("c",)))
    # b's Left joins a's Left (step 1); c's Joined joins the first Joined step.
    assert _shape(items) == [("Joined", [0, 4]), ("Left", [1, 3]), ("Joined", [2])]


def test_random_batches_keep_every_keys_order_and_one_item_per_key_and_step() -> None:
    rng = random.Random(7)
    kinds = (Joined, Left, Moved)
    for _ in range(200):
        spec = []
        for _ in range(rng.randint(1, 60)):
            team = f"t{rng.randint(1, 4)}"
            key = (team,) if rng.random() < 0.3 else (team, f"m{rng.randint(1, 4)}")
            spec.append((rng.choice(kinds), key))
        items = _items(*spec)
        steps = plan_steps(items)
        position = {item.seq: n for n, step in enumerate(steps) for item in step.items}
        assert sorted(position) == list(range(len(items))), "every item exactly once"
        for step in steps:
            assert {i.kind for i in step.items} == {step.kind}
            assert [i.seq for i in step.items] == sorted(i.seq for i in step.items), "batch order within a step"
        for a in items:
            for b in items:
                related = a.order[: len(b.order)] == b.order or b.order[: len(a.order)] == a.order
                if related and a.seq < b.seq:
                    assert position[a.seq] < position[b.seq], f"{a} must be applied before {b}"
