"""One telemetry setup for every service: OpenTelemetry traces (exported over OTLP/HTTP only when an
endpoint is configured) and log lines that carry the current trace and span ids: JSON lines by default
(for log collectors), or the human format with LOG_FORMAT=text.

One trace follows an event end to end: FastAPI's own instrumentation opens the request's server span once
a tracer provider is installed, outbox.append stores the active context with the row, the relay restores
it around the publish, and each consumer continues the context it finds in the Kafka headers."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler

from .logsummary import RepeatSummaryFilter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [trace=%(trace_id)s span=%(span_id)s] %(message)s"
LOG_FORMATS = ("json", "text")
# uvicorn gives these loggers their own text handlers; in JSON mode they go through the root handler.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def _ids() -> tuple[str | None, str | None]:
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None, None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


class TraceContextFilter(logging.Filter):
    """Adds trace_id/span_id of the active span (or '-') to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        trace_id, span_id = _ids()
        record.trace_id = trace_id or "-"
        record.span_id = span_id or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ids are null outside a span. Non-ASCII stays readable (Vietnamese)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        trace_id = getattr(record, "trace_id", None)
        span_id = getattr(record, "span_id", None)
        if trace_id is None:  # formatter used without TraceContextFilter
            trace_id, span_id = _ids()
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "trace_id": None if trace_id == "-" else trace_id,
            "span_id": None if span_id == "-" else span_id,
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _ServiceLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the one root handler this module installs, so set-up can run more than once."""


def configure_logging(service_name: str, log_level: str = "INFO", log_format: str | None = None) -> None:
    """Install (or re-configure) the root handler; `log_format` defaults to $LOG_FORMAT, else json."""
    fmt = (log_format or os.environ.get("LOG_FORMAT") or "json").strip().lower()
    if fmt not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _ServiceLogHandler)), None)
    if handler is None:
        handler = _ServiceLogHandler()
        handler.addFilter(TraceContextFilter())
        handler.addFilter(RepeatSummaryFilter())  # a broker outage: one line a minute per message, not thousands
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter(service_name) if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    if fmt == "json":
        for name in SERVER_LOGGERS:
            server_logger = logging.getLogger(name)
            server_logger.handlers.clear()
            server_logger.propagate = True
    root.setLevel(log_level.upper())


def sampler(otlp_endpoint: str | None) -> Sampler | None:
    """New traces unsampled when nothing exports them, unless OTEL_TRACES_SAMPLER says otherwise; None: the
    SDK's default (every trace, or what OTEL_TRACES_SAMPLER sets)."""
    if otlp_endpoint or os.environ.get("OTEL_TRACES_SAMPLER"):
        return None
    return ParentBased(ALWAYS_OFF)


def setup_tracing(service_name: str, otlp_endpoint: str | None = None) -> TracerProvider:
    """Install the global tracer provider once; spans go out in batches (OTEL_BSP_* tune the batching).
    Without an endpoint (and no OTEL_TRACES_SAMPLER) new traces are not sampled: their spans record
    nothing that would go nowhere (7 % of a command's CPU in personnel), yet still have ids, so the
    trace context reaches the outbox, Kafka's headers and every log line as before."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}), sampler=sampler(otlp_endpoint))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces"))
        )
    trace.set_tracer_provider(provider)
    return provider


def setup_telemetry(
    service_name: str, otlp_endpoint: str | None = None, log_level: str = "INFO", log_format: str | None = None
) -> TracerProvider:
    """Install the global tracer provider and the log handler; safe to call more than once."""
    provider = setup_tracing(service_name, otlp_endpoint)
    configure_logging(service_name, log_level, log_format)
    return provider
