from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from cds_contracts import Envelope, EnvelopeError


def test_envelope_round_trips_through_cloudevents_headers() -> None:
    env = Envelope(
        type="vn.cds.personnel.officer.appointed",
        version=1,
        source="/personnel",
        subject="OFF-1",
        actor="user-1",
        correlation_id=uuid.uuid4(),
        causation_id=uuid.uuid4(),
        occurred_at=datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    headers = dict(env.to_headers())
    assert headers["ce_type"] == b"vn.cds.personnel.officer.appointed.v1"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_time"] == b"2024-05-01T08:30:00+00:00"
    assert headers["content-type"] == b"application/json"
    assert Envelope.from_headers(env.to_headers()) == env


def test_optional_attributes_are_left_out_rather_than_sent_empty() -> None:
    env = Envelope(type="vn.cds.x.y", version=2, source="/x", subject="1")
    names = {k for k, _ in env.to_headers()}
    assert "ce_actor" not in names and "traceparent" not in names
    assert Envelope.from_headers(env.to_headers()).version == 2


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"ce_id": b"x"}, "missing CloudEvents header"),
        (
            {
                "ce_id": str(uuid.uuid4()).encode(),
                "ce_type": b"vn.cds.x",
                "ce_source": b"/x",
                "ce_subject": b"1",
                "ce_specversion": b"1.0",
            },
            "does not end in .v<version>",
        ),
        (
            {
                "ce_id": str(uuid.uuid4()).encode(),
                "ce_type": b"vn.cds.x.v1",
                "ce_source": b"/x",
                "ce_subject": b"1",
                "ce_specversion": b"0.3",
            },
            "unsupported ce_specversion",
        ),
        (
            {
                "ce_id": b"not-a-uuid",
                "ce_type": b"vn.cds.x.v1",
                "ce_source": b"/x",
                "ce_subject": b"1",
                "ce_specversion": b"1.0",
            },
            "invalid envelope",
        ),
    ],
)
def test_bad_headers_are_refused_with_the_reason(headers: dict[str, bytes], message: str) -> None:
    with pytest.raises(EnvelopeError, match=message.replace(".", r"\.").replace("<", ".").replace(">", ".")):
        Envelope.from_headers(headers)


def test_envelope_is_immutable() -> None:
    env = Envelope(type="vn.cds.x.y", version=1, source="/x", subject="1")
    with pytest.raises(ValueError, match="frozen"):
        env.subject = "2"  # type: ignore[misc]
