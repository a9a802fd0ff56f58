"""The bench's profiler never reports an empty profile as if it were one."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bench import profile


def test_a_process_that_gives_no_sample_is_reported_as_such(tmp_path: Path) -> None:
    async def run() -> profile.Profile:
        # py-spy leaves idle threads out: a sleeping process yields no sample, as a run that ends early does.
        # The profile starts once the sleeper says it is asleep: its start-up (imports) is busy and sampled.
        sleeper = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "import time; print('asleep', flush=True); time.sleep(5)",
            stdout=asyncio.subprocess.PIPE,
        )
        assert sleeper.stdout is not None
        await sleeper.stdout.readline()
        try:
            return await profile.record(sleeper.pid, 1, "sleeper", tmp_path / "profile-sleeper")
        finally:
            sleeper.kill()
            await sleeper.wait()

    result = asyncio.run(run())
    assert result.samples == 0
    assert result.error, "an empty profile carries the reason it is empty"
