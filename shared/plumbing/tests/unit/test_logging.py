"""Log lines: JSON by default with the active span's ids, the human format with LOG_FORMAT=text."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from opentelemetry import trace

from cds_plumbing.telemetry import SERVER_LOGGERS, _ServiceLogHandler, configure_logging

NAME_VI = "Sở Thông tin và Truyền thông tỉnh Điện Biên"


@pytest.fixture
def service_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The root handler configure_logging installs, writing to a buffer; the logging set-up is restored after."""
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    servers = {n: logging.getLogger(n) for n in SERVER_LOGGERS}
    saved_servers = {n: (list(lg.handlers), lg.propagate, lg.level, lg.disabled) for n, lg in servers.items()}
    for server_logger in servers.values():  # a server run earlier in this process (uvicorn) sets its own level
        server_logger.setLevel(logging.NOTSET)
        server_logger.disabled = False
    buffer = io.StringIO()
    # an app built earlier in this process installed its handler already: start from none of ours
    root.handlers[:] = [h for h in saved_handlers if not isinstance(h, _ServiceLogHandler)]
    configure_logging("personnel", "INFO")
    new = [h for h in root.handlers if isinstance(h, _ServiceLogHandler)]
    assert len(new) == 1
    handler = new[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, (handlers, propagate, level, disabled) in saved_servers.items():
            servers[name].handlers[:] = handlers
            servers[name].propagate = propagate
            servers[name].setLevel(level)
            servers[name].disabled = disabled


def _lines(buffer: io.StringIO) -> list[str]:
    return buffer.getvalue().splitlines()


def test_json_is_the_default_and_carries_the_active_span(service_log: io.StringIO) -> None:
    with trace.get_tracer("test").start_as_current_span("request") as span:
        logging.getLogger("personnel.api").warning("đã đăng ký đơn vị %s", NAME_VI)
        ctx = span.get_span_context()

    [line] = _lines(service_log)
    record = json.loads(line)
    assert record == {
        "ts": record["ts"],
        "level": "WARNING",
        "logger": "personnel.api",
        "message": f"đã đăng ký đơn vị {NAME_VI}",
        "service": "personnel",
        "trace_id": f"{ctx.trace_id:032x}",
        "span_id": f"{ctx.span_id:016x}",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", record["ts"])
    assert NAME_VI in line, "Vietnamese text is written as is, not as \\u escapes"


def test_outside_a_span_the_ids_are_null_and_an_exception_is_one_field(service_log: io.StringIO) -> None:
    log = logging.getLogger("training.consumer")
    try:
        raise ValueError("không hợp lệ\nsecond line")
    except ValueError:
        log.exception("handler failed")
    log.debug("below the level: not written")

    [line] = _lines(service_log)  # a multi-line traceback stays inside one JSON line
    record = json.loads(line)
    assert (record["trace_id"], record["span_id"]) == (None, None)
    assert record["level"] == "ERROR"
    assert record["exc_info"].startswith("Traceback (most recent call last):")
    assert record["exc_info"].endswith("ValueError: không hợp lệ\nsecond line")


def test_server_loggers_go_through_the_same_json_handler(service_log: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    [line] = _lines(service_log)
    assert json.loads(line)["logger"] == "uvicorn.error"


def test_log_format_text_keeps_the_human_format(service_log: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "text")
    configure_logging("personnel", "INFO")  # reconfigures the one handler rather than adding another
    with trace.get_tracer("test").start_as_current_span("request") as span:
        logging.getLogger("personnel.api").info("đơn vị %s", NAME_VI)
        ids = f"trace={span.get_span_context().trace_id:032x} span={span.get_span_context().span_id:016x}"
    logging.getLogger("personnel.api").info("no span")

    first, second = _lines(service_log)
    assert re.fullmatch(rf"\S+ \S+ INFO personnel\.api \[{ids}\] đơn vị {NAME_VI}", first)
    assert second.endswith("INFO personnel.api [trace=- span=-] no span")


def test_an_unknown_log_format_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of json, text"):
        configure_logging("personnel")
