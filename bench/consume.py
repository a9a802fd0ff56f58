"""`python -m bench.consume BOOTSTRAP TOPIC... [--decode]`: (a) raw consume, or (a') consume and decode, in
a process of its own set up as `reporting-rebuild` is (uvloop, the garbage collector tuned and frozen
after the imports), so that its rate compares like for like with the rebuild's. In the bench's own
process every collection would also walk the generated data sets it holds. Prints one JSON object."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import uvloop

from cds_plumbing.consumer import kafka_consumer
from cds_plumbing.db import Connection
from cds_plumbing.runtime import tune_garbage_collector

from . import topics as bench_topics
from .procs import CpuMeter


async def _nothing(conn: Connection) -> None:
    """The decode-only consumer opens no transaction: its batch hook never runs."""


async def consume(bootstrap: str, topics: list[str], *, decode: bool) -> dict[str, Any]:
    """Read every record of `topics` once; with `decode`, also decode each batch with the rebuild's
    consumer (its registry and handlers: the same checks, the same dead-letter decisions)."""
    consumer = None
    if decode:
        from reporting.entrypoints.events.subscribers import make_consumer

        consumer = make_consumer("bench-decode", before_batch=_nothing)
    kafka = kafka_consumer(bootstrap, None, "bench-raw-consume")  # no group, from the earliest offset
    await kafka.start()
    try:
        partitions = await bench_topics.partitions(kafka, topics)
        kafka.assign(partitions)
        await kafka.seek_to_beginning(*partitions)
        end = await kafka.end_offsets(partitions)
        total, records, decoded = sum(end.values()), 0, 0
        meter = CpuMeter()
        meter.sample([os.getpid()])
        started = time.perf_counter()
        while records < total:
            for batch in (await kafka.getmany(timeout_ms=1000, max_records=10_000)).values():
                records += len(batch)
                if consumer is not None:
                    decoded += len(consumer.decode_batch(batch).items)
        seconds = time.perf_counter() - started
        meter.sample([os.getpid()])
    finally:
        await kafka.stop()
    out = {"events": records, "seconds": seconds, "per_s": records / seconds, "client": meter.totals()}
    return out | ({"decoded": decoded} if consumer is not None else {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.consume", description=__doc__.split("\n\n")[0])
    parser.add_argument("bootstrap")
    parser.add_argument("topics", nargs="+")
    parser.add_argument("--decode", action="store_true", help="also decode every record as the rebuild does")
    args = parser.parse_args(argv)
    if args.decode:
        import reporting.entrypoints.events.subscribers  # noqa: F401  # imported before the freeze, as in the rebuild
    tune_garbage_collector(freeze=True)
    print(json.dumps(uvloop.run(consume(args.bootstrap, args.topics, decode=args.decode))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
