"""A one-line progress indicator on stderr for long operator commands."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`label: 120/300 (40%)`, rewritten in place on a terminal; elsewhere only the final line is written,
    so logs of a non-interactive run stay short."""

    def __init__(self, label: str, total: int, *, out: TextIO | None = None, every_s: float = 0.2) -> None:
        self.label, self.total = label, total
        self._out = out if out is not None else sys.stderr
        self._every_s = every_s
        self._last = 0.0
        self._done = 0
        self._tty = self._out.isatty()

    def _line(self) -> str:
        pct = f" ({self._done / self.total:.0%})" if self.total else ""
        return f"{self.label}: {self._done}/{self.total}{pct}"

    def update(self, done: int) -> None:
        self._done = done
        now = time.monotonic()
        if self._tty and now - self._last >= self._every_s:
            self._last = now
            self._out.write("\r" + self._line())
            self._out.flush()

    def finish(self) -> None:
        self._out.write(("\r" if self._tty else "") + self._line() + "\n")
        self._out.flush()
