"""The audit's own rules on hand-made data (no stack needed): an outbox row missing from Kafka is lost, a
key whose events reached Kafka in another order than committed is out of order, a redelivered copy is
only a skipped copy."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

from .audit import Audit, Rec, Snapshot, _order, _pipeline


def _snapshot(outbox: list[dict[str, Any]], records: list[Rec]) -> Snapshot:
    return Snapshot(
        outbox={"personnel": cast(Any, outbox)},
        inbox={},
        checkpoints={},
        records={"personnel.officer": records},
        ends={},
        entities={},
        projections={},
        prefix="",
    )


def _row(i: int, event: str, key: str = "CB-1") -> dict[str, Any]:
    return {"id": i, "event_id": event, "topic": "personnel.officer", "key": key, "event_type": "t",
            "published_at": "yes"}  # fmt: skip


def _rec(offset: int, event: str, key: str = "CB-1") -> Rec:
    return Rec("personnel.officer", 0, offset, key, event, ("t", 1), {})


def test_commit_order_is_checked_per_key_by_first_appearance() -> None:
    outbox = [_row(1, "e1"), _row(2, "e2"), _row(3, "x1", key="CB-2"), _row(4, "e3")]
    in_order = [_rec(0, "e1"), _rec(1, "x1", "CB-2"), _rec(2, "e2"), _rec(3, "e1"), _rec(4, "e3")]
    a = Audit()
    _order(_snapshot(outbox, in_order), a)
    assert a.out_of_order == 0, a.problems  # the late copy of e1 is a redelivery, not a reordering

    swapped = [_rec(0, "e2"), _rec(1, "e1"), _rec(2, "e3")]
    b = Audit()
    _order(_snapshot(outbox, swapped), b)
    assert b.out_of_order == 1 and "CB-1" in b.problems[0]


def test_an_outbox_row_missing_from_kafka_is_lost_and_copies_are_counted() -> None:
    a = Audit(dead_lettered=Counter())
    _pipeline(_snapshot([_row(1, "e1"), _row(2, "e2")], [_rec(0, "e1"), _rec(1, "e1")]), [], a)
    assert (a.lost, a.copies_skipped) == (1, 1)
    assert "outbox row 2" in a.problems[0]
