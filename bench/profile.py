"""Where a process spends its time: py-spy samples it from outside (no code change in the process) and the
collapsed stacks are summed into the functions with the most samples, own and inclusive."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .procs import VENV

_FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
# Frames of the event loop and of asyncio plumbing say nothing about where the work is.
_NOISE = ("asyncio/", "<frozen", "uvloop", "selectors.py", "threading.py")


@dataclass
class Profile:
    target: str
    seconds: float
    samples: int = 0
    own: list[tuple[str, float]] = field(default_factory=list)  # (function, share of samples)
    inclusive: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "seconds": self.seconds,
            "samples": self.samples,
            "own": [{"function": f, "share": s} for f, s in self.own],
            "inclusive": [{"function": f, "share": s} for f, s in self.inclusive],
            "error": self.error,
        }


def _name(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/src/", "/work/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['fn']} ({path})"


def summarise(raw: str, target: str, seconds: float, top: int = 15) -> Profile:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_name(f) for f in stack.split(";") if f]
        if frames:
            own[frames[-1]] += n
        for name in set(frames):
            if not any(noise in name for noise in _NOISE) and "(" in name:
                inclusive[name] += n
    profile = Profile(target, seconds, total)
    if total:
        profile.own = [(f, n / total) for f, n in own.most_common(top)]
        profile.inclusive = [(f, n / total) for f, n in inclusive.most_common(top + 10)][:top]
    return profile


async def record(pid: int, seconds: float, target: str, out: Path, rate: int = 100) -> Profile:
    """Sample `pid` for `seconds` (py-spy needs ptrace rights: root, or CAP_SYS_PTRACE)."""
    raw = out.with_suffix(".folded")
    proc = await asyncio.create_subprocess_exec(
        str(VENV / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        str(rate),
        "--format",
        "raw",
        "--nonblocking",  # do not pause the process to sample it: the figures stay the process's own
        "--output",
        str(raw),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await proc.communicate()
    said = output.decode(errors="replace")[-500:]
    if proc.returncode != 0 or not raw.exists():
        return Profile(target, seconds, error=said)
    summary = summarise(raw.read_text(), target, seconds)
    if not summary.samples:
        # A short run (the smoke test's tiny scale) may end before py-spy takes its first sample: say so
        # rather than report an empty profile as if it were one.
        summary.error = f"no samples: the process ended before py-spy sampled it? {said}".strip()
    return summary
