"""Which consumer a replayed dead letter is for: the predicate every consumer runs before decoding a record."""

from __future__ import annotations

from aiokafka import ConsumerRecord

from cds_plumbing.deadletter import REPLAY_FOR, replayed_for_another


def record(*headers: tuple[str, bytes]) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 7, 0, 0, b"k", b"{}", None, 1, 2, tuple(headers))


def test_a_record_without_the_header_is_everyones() -> None:
    assert not replayed_for_another(record(("ce_id", b"1")), "reporting-projections")


def test_a_replay_is_only_for_the_consumer_it_names() -> None:
    replay = record(("ce_id", b"1"), (REPLAY_FOR, b"training-officers"))
    assert not replayed_for_another(replay, "training-officers")
    assert replayed_for_another(replay, "reporting-projections")


def test_the_last_header_wins_and_bad_bytes_do_not_break_it() -> None:
    assert not replayed_for_another(record((REPLAY_FOR, b"a"), (REPLAY_FOR, b"b")), "b")
    assert replayed_for_another(record((REPLAY_FOR, b"\xff\xfe")), "b")
