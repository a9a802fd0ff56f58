"""The conformance checks (tests/support/wire.py) catch each way a record can break the published contracts;
the end-to-end conformance test relies on them finding nothing only when there is nothing to find."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest

from cds_contracts import Envelope
from cds_contracts.personnel_officers import OfficerDeparted
from tests.support.wire import Contracts, OrderCheck, Record, check, check_dead_letter, is_rfc3339, undocumented

CONTRACTS = Contracts.load()
TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def record(
    officer: str = "CB-1", *, offset: int = 0, partition: int = 0, at: str = "2025-03-01T08:00:00+00:00"
) -> Record:
    data = OfficerDeparted(officer_id=officer, unit_id="U1", effective_date=dt.date(2025, 3, 1), reason="retirement")
    envelope = Envelope(
        type="vn.cds.personnel.officer.departed",
        version=1,
        source="/personnel",
        subject=officer,
        occurred_at=dt.datetime.fromisoformat(at),
        correlation_id=uuid.uuid4(),
        traceparent=TRACE,
    )
    value = data.model_dump_json().encode()
    return Record("personnel.officer", partition, offset, officer.encode(), value, tuple(envelope.to_headers()))


def with_headers(r: Record, change: Callable[[dict[str, bytes]], object]) -> Record:
    headers = dict(r.headers)
    change(headers)
    return Record(r.topic, r.partition, r.offset, r.key, r.value, tuple(headers.items()))


def test_a_record_as_the_outbox_relay_publishes_it_conforms() -> None:
    problems, parsed = check(CONTRACTS, record())
    assert problems == [] and parsed is not None and parsed.key == "CB-1"


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (with_headers(record(), lambda h: h.update({"correlation_id": b"x"})), "'correlation_id' was unexpected"),
        (with_headers(record(), lambda h: h.pop("traceparent")), "'traceparent' is a required property"),
        (with_headers(record(), lambda h: h.update({"traceparent": b"00-abc-def-01"})), "is not W3C trace context"),
        (with_headers(record(), lambda h: h.update({"ce_time": b"20250301T080000Z"})), "is not RFC 3339"),
        (with_headers(record(), lambda h: h.update({"ce_source": b"/training"})), "'/personnel' was expected"),
        (with_headers(record(), lambda h: h.update({"ce_subject": b"CB-2"})), "is not data.officer_id"),
        (with_headers(record(), lambda h: h.pop("ce_id")), "'ce_id' is a required property"),
        (with_headers(record(), lambda h: h.pop("ce_source")), "not a CloudEvent"),
        (
            with_headers(record(), lambda h: h.update({"ce_type": b"vn.cds.personnel.officer.departed.v9"})),
            "is not documented on personnel.officer",
        ),
        (
            with_headers(record(), lambda h: h.update({"ce_type": b"vn.cds.training.plan.adopted.v1"})),
            "is not documented on personnel.officer",
        ),
        (Record("personnel.officer", 0, 0, b"CB-2", record().value, record().headers), "is not data.officer_id"),
        (Record("personnel.officer", 0, 0, b"CB-1", None, record().headers), "not compacted"),
        (Record("personnel.officer", 0, 0, b"CB-1", b'{"officer_id": "CB-1"}', record().headers), "data: 'unit_id'"),
        (Record("personnel.officer", 0, 0, b"CB-1", record().value, (*record().headers, ("ce_id", b"x"))), "2 times"),
    ],
)
def test_each_breach_of_the_contract_is_reported(broken: Record, problem: str) -> None:
    problems, parsed = check(CONTRACTS, broken)
    assert any(problem in p for p in problems), problems
    assert parsed is None


def test_rfc3339_needs_a_zone_and_a_real_date() -> None:
    assert is_rfc3339("2025-03-01T08:00:00.123456+07:00") and is_rfc3339("2025-03-01T08:00:00Z")
    assert not is_rfc3339("2025-03-01T08:00:00") and not is_rfc3339("2025-13-01T08:00:00Z")


def _order(*records: Record) -> list[str]:
    order = OrderCheck()
    for r in records:
        _, parsed = check(CONTRACTS, r)
        assert parsed is not None
        order.add(parsed)
    return order.problems()


def test_a_key_going_back_in_time_or_spread_over_partitions_is_reported() -> None:
    late, early = record(offset=1, at="2025-03-02T08:00:00+00:00"), record(offset=2, at="2025-03-01T08:00:00+00:00")
    assert any("is older than" in p for p in _order(late, early))
    assert any("is on partitions [0, 1]" in p for p in _order(record(), record(offset=1, partition=1)))


def test_redeliveries_may_come_late() -> None:
    first = record(offset=1)
    later = record(offset=2, at="2025-03-05T08:00:00+00:00")
    again = Record(first.topic, 0, 3, first.key, first.value, first.headers)  # the same record once more
    renamed = with_headers(again, lambda h: h.update({"ce_id": str(uuid.uuid4()).encode()}))  # same fact, new id
    replayed = with_headers(again, lambda h: h.update({"x-replay-for": b"reporting-projections"}))
    for late in (again, renamed, replayed):
        assert _order(first, later, Record(late.topic, 0, 4, late.key, late.value, late.headers)) == []


def test_a_dead_letter_needs_the_dlq_headers_of_a_documented_consumer() -> None:
    original = record()
    ours = {
        "x-dlq-cause": b"ValueError: no",
        "x-dlq-error-type": b"ValueError",
        "x-dlq-origin-topic": b"personnel.officer",
        "x-dlq-origin-partition": b"0",
        "x-dlq-origin-offset": b"7",
        "x-dlq-attempt": b"1",
        "x-dlq-consumer": b"reporting-projections",
        "x-dlq-failed-at": b"2025-03-01T08:00:01+00:00",
    }
    letter = Record("personnel.officer.dlq", 0, 0, b"\xff", b"\x00not json", (*original.headers, *ours.items()))
    assert check_dead_letter(CONTRACTS, letter) == []
    nobody = Record(letter.topic, 0, 1, None, None, (*original.headers, *{**ours, "x-dlq-consumer": b"x"}.items()))
    assert "consumer 'x' is not documented" in check_dead_letter(CONTRACTS, nobody)[0]
    no_cause = tuple((k, v) for k, v in letter.headers if k != "x-dlq-cause")
    assert any(
        "'x-dlq-cause' is a required" in p
        for p in check_dead_letter(CONTRACTS, Record(letter.topic, 0, 2, None, None, no_cause))
    )


def test_every_documented_type_has_its_schema() -> None:
    assert undocumented(CONTRACTS, [("personnel.officer", "vn.cds.personnel.officer.departed.v1")]) == []
    assert undocumented(CONTRACTS, [("personnel.officer", "vn.cds.x.v1")]) == [
        "personnel.officer carries vn.cds.x.v1, which no document lists"
    ]
    assert {m.ce_type for m in CONTRACTS.messages.values()} <= CONTRACTS.schema_types
