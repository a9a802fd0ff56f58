"""`make bench` kept working: the whole run at a tiny scale with seconds instead of minutes (`--quick`),
every measurement of the report present with real figures. The figures themselves mean nothing at this
size; `make bench` (not part of `make test`) is where they are read. The demo-scale projection built
from the synthetic events must show exactly the generator's expected figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_make_bench_runs_every_measurement_and_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "0.1", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    for key in ("raw_consume", "raw_write", "rebuild", "catch_up", "freshness", "import", "reads", "write_side"):
        assert report.get(key), f"{key} missing from the report"
    assert report["raw_consume"]["events"] == report["data"]["rebuild"]["events"] > 2000
    assert report["rebuild"]["events"] == report["raw_consume"]["events"], "the rebuild applied every event"
    decoded = report["consume_decode"]
    assert decoded["events"] == decoded["decoded"] == report["raw_consume"]["events"], "every record decoded"
    # PostgreSQL's CPU is read in clock ticks from its backends: at this tiny scale it may round to 0
    assert report["rebuild"]["peak_rss_mb"] > 0 and report["rebuild"]["postgres"]["cpu_s"] >= 0
    assert report["catch_up"]["events"] == report["data"]["province"]["events"]
    assert report["freshness"]["errors"] == 0 and report["freshness"]["not_visible"] == 0
    assert report["freshness"]["freshness"]["count"] == report["freshness"]["commands"]
    assert report["import"]["visible_s"] > 0
    assert len(report["reads"]) == 2 and all(len(views) == 14 for views in report["reads"].values())
    assert report["write_side"]["sustained"]["count"] > 0
    assert report["rebuild"]["profile"]["samples"] or report["rebuild"]["profile"]["error"]
    figures = report["figures"]
    assert figures and all(actual == expected for _, actual, expected in figures), figures
    measures = [row[0][:2] for row in report["table"]]
    assert {"a.", "a'", "b.", "c.", "d.", "e.", "f.", "g.", "h.", "i."} <= set(measures)
    assert (out / "report.md").read_text().startswith("# `make bench` report")
    assert proc.stdout.count("\n") > 12 and "a. raw consume" in proc.stdout, "the table is printed"
