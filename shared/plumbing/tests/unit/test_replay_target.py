"""Which consumer a replayed dead letter is for: the predicate every consumer runs before decoding a record."""

from __future__ import annotations

from aiokafka import ConsumerRecord

from cds_contracts import REGISTRY, Envelope
from cds_contracts.personnel_org_units import OrgUnitRegistered
from cds_plumbing.consumer import IdempotentConsumer
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


def _consumer() -> IdempotentConsumer:
    consumer = IdempotentConsumer("reporting-projections")

    @consumer.on(OrgUnitRegistered)
    async def on_org_unit_registered(conn: object, event: object, envelope: object) -> None: ...

    return consumer


def _unit_record(*extra: tuple[str, bytes]) -> ConsumerRecord[bytes, bytes]:
    value = b'{"unit_id": "U1", "name_vi": "S\xe1\xbb\x9f A", "kind": "state_agency", "level": "province", ' + (
        b'"valid_from": "2024-01-01"}'
    )
    spec = REGISTRY.spec_for(OrgUnitRegistered)
    envelope = Envelope(type=spec.type, version=spec.version, source="/personnel", subject="U1")
    headers = (*envelope.to_headers(), *extra)
    return ConsumerRecord("personnel.org-unit", 0, 7, 0, 0, b"U1", value, None, 1, 2, headers)


def test_the_consumer_skips_a_replay_for_another_even_when_its_headers_do_not_decode() -> None:
    # The headers are decoded once per record; the replay target must still be honoured first.
    decoded = _consumer().decode_batch(
        [
            _unit_record((REPLAY_FOR, b"training-officers")),
            _unit_record((REPLAY_FOR, b"training-officers"), ("x-bad", b"\xff")),
            _unit_record(("x-bad", b"\xff")),  # for everyone, and unreadable: a dead letter
            _unit_record((REPLAY_FOR, b"reporting-projections")),  # for this consumer: applied
            _unit_record(),
        ]
    )
    assert decoded.ignored == 2
    assert [r.offset for r, _ in decoded.undecodable] == [7]
    assert "not UTF-8" in str(decoded.undecodable[0][1])
    assert len(decoded.items) == 2
