"""aiokafka's repeated warnings are summarised per message template; everything else passes."""

from __future__ import annotations

import logging

from cds_plumbing.logsummary import RepeatSummaryFilter


def _record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_repeats_within_the_window_are_dropped_then_counted_on_the_next_line() -> None:
    now = [0.0]
    f = RepeatSummaryFilter(window_s=60, clock=lambda: now[0])
    kept = []
    for i in range(2633):
        now[0] = i * 0.025  # 66 s of reconnect attempts
        r = _record("aiokafka.client", logging.ERROR, "Unable connect to node with id %s: %s", 1, "refused")
        if f.filter(r):
            kept.append(r.getMessage())
    assert kept[0] == "Unable connect to node with id 1: refused"
    assert len(kept) == 2, kept
    assert kept[1] == "Unable connect to node with id 1: refused (2399 more like this in the last 60 s)"


def test_our_loggers_info_lines_and_other_templates_pass() -> None:
    f = RepeatSummaryFilter(clock=lambda: 0.0)
    for _ in range(3):
        assert f.filter(_record("cds_plumbing.outbox", logging.WARNING, "relay failed"))
        assert f.filter(_record("aiokafka.consumer.group_coordinator", logging.INFO, "Joined group %s", "g"))
    assert f.filter(_record("aiokafka.conn", logging.WARNING, "one template"))
    assert f.filter(_record("aiokafka.conn", logging.WARNING, "another template"))
    assert not f.filter(_record("aiokafka.conn", logging.WARNING, "one template"))
    assert f.filter(_record("aiokafkax", logging.WARNING, "not the library")), "prefix means the logger tree only"
