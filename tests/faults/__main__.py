"""`make chaos`: the whole fault suite at full length on a private stack, then the report.

    .venv/bin/python -m tests.faults [--demo-scale 1.0] [--keep]

1. Backup and restore of the demo data set (full scale by default): timed, answers compared (RTO).
2. Every fault scenario (tests/faults/scenarios.py) with writes going on, each followed by the audit.
The report (a Markdown table, one row per scenario, then what each measured) is printed and written to
.run/chaos-report.md, the figures to .run/chaos-report.json. Exit 1 when anything was lost, applied twice,
stored although refused, or the restore answered differently.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from .audit import consumers
from .backup_drill import drill, summary
from .load import Load
from .scenarios import (
    Chaos,
    kill_broker,
    kill_replicas,
    kill_reporting,
    poison,
    rolling_restart,
    sigterm,
    stop_postgres,
    table,
    to_json,
)
from .stack import ROOT, FaultStack

SCENARIOS = (stop_postgres, kill_broker, kill_reporting, poison, kill_replicas, sigterm, rolling_restart)


async def run(scale: float) -> int:
    stack = FaultStack()
    began = time.monotonic()
    print(f"starting the private stack (ports from {stack.base}, topic prefix {stack.prefix!r}) ...", flush=True)
    await asyncio.to_thread(stack.up)
    infos = consumers()
    print(f"backup and restore of the demo data set at scale {scale} ...", flush=True)
    d = await drill(stack, infos, scale=scale)
    restore = summary(d)
    load = Load(stack)
    await load.setup()
    chaos = Chaos(stack, load, infos, full=True)
    crashed: list[str] = []
    try:
        for scenario in SCENARIOS:
            print(f"scenario: {(scenario.__doc__ or scenario.__name__).splitlines()[0]}", flush=True)
            try:
                await scenario(chaos)
            except Exception as exc:  # report it and go on: the other scenarios' figures still count
                crashed.append(f"{scenario.__name__}: {type(exc).__name__}: {exc}")
                print(f"  did not complete: {crashed[-1]}", flush=True)
    finally:
        await load.close()
    report = table(chaos.outcomes)
    restore_line = ", ".join(f"{k}: {v}" for k, v in restore.items())
    text = f"# Fault run\n\n{report}\n\n## Backup and restore\n\n{restore_line}\n"
    if d.differences:
        text += "\nAnswers that differ after the restore:\n" + "\n".join(f"- {x}" for x in d.differences) + "\n"
    text += "".join(f"\nScenario that did not complete: {c}\n" for c in crashed)
    text += f"\nTotal {time.monotonic() - began:.0f} s.\n"
    (ROOT / ".run").mkdir(exist_ok=True)
    (ROOT / ".run" / "chaos-report.md").write_text(text)
    figures = {"scenarios": json.loads(to_json(chaos.outcomes)), "backup_restore": restore}
    (ROOT / ".run" / "chaos-report.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print("\n" + text)
    bad = [
        o for o in chaos.outcomes if o.audit.problems or o.audit.lost or o.audit.duplicated or o.audit.refused_stored
    ]
    return 1 if bad or crashed or d.differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--demo-scale", type=float, default=1.0, help="size of the demo data set to back up")
    parser.add_argument("--keep", action="store_true", help="leave the private stack running afterwards")
    args = parser.parse_args()
    try:
        return asyncio.run(run(args.demo_scale))
    finally:
        if not args.keep:
            FaultStack().down()


if __name__ == "__main__":
    sys.exit(main())
