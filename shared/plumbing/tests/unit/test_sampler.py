"""Spans that nothing exports record nothing, yet keep their ids: the trace context still reaches the
outbox, Kafka's headers and the log lines."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span

from cds_plumbing.telemetry import sampler


def _span(provider: TracerProvider) -> Span:
    return provider.get_tracer("t").start_span("request")


def test_without_an_endpoint_spans_record_nothing_but_carry_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    span = _span(TracerProvider(sampler=sampler(None)))
    context = span.get_span_context()
    assert not span.is_recording()
    assert context.is_valid and context.trace_id and context.span_id


def test_with_an_endpoint_every_trace_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    span = _span(TracerProvider(sampler=sampler("http://collector:4318")))
    assert span.is_recording() and span.get_span_context().trace_flags.sampled


def test_an_operators_sampler_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_on")
    assert _span(TracerProvider(sampler=sampler(None))).is_recording()
