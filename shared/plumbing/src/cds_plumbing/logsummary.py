"""Client libraries' repeated warnings, summarised: with the broker down, aiokafka logs "Unable connect to
node with id 1" for every reconnect attempt of every client in the process (thousands of lines a minute);
with the database down, asyncpg's pool logs a traceback each time it fails to refill itself.

`RepeatSummaryFilter` lets the first WARNING/ERROR of each message template of the listed loggers through,
drops the repeats for `window_s`, and appends "(N more like this in the last 60 s)" to the first one after
the window. Our own loggers and every INFO line (joins, assignments) pass untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

NOISY_LOGGERS = ("aiokafka", "kafka", "faststream", "asyncpg")


@dataclass
class _Seen:
    window_start: float
    suppressed: int = 0


class RepeatSummaryFilter(logging.Filter):
    def __init__(
        self,
        prefixes: tuple[str, ...] = NOISY_LOGGERS,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._prefixes = prefixes
        self._window_s = window_s
        self._clock = clock
        self._seen: dict[tuple[str, int, str], _Seen] = {}  # keyed by template: bounded by the library's code

    def _noisy(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING and any(
            record.name == p or record.name.startswith(p + ".") for p in self._prefixes
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._noisy(record):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen.window_start < self._window_s:
            seen.suppressed += 1
            return False
        self._seen[key] = _Seen(now)
        if seen is not None and seen.suppressed:
            # Appended to the template, so the record's own arguments still format it.
            more = f" ({seen.suppressed} more like this in the last {self._window_s:.0f} s)"
            record.msg = str(record.msg) + more.replace("%", "%%")
        return True
