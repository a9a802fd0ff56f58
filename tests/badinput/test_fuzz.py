"""Schemathesis against each of the four services (real processes, isolated stack): valid and invalid
requests generated from each service's own OpenAPI document, with a fixed seed and a bounded number of
examples per operation (all four take about three minutes on two cores). Checks: no 5xx, every status
and content type documented, every body matching its declared schema, invalid input rejected."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.support.isolated_stack import SERVICES, Stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ST = ROOT / ".venv" / "bin" / "st"
SEED = 2024
MAX_EXAMPLES = 12
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


@pytest.mark.parametrize("service", SERVICES)
def test_schemathesis_finds_nothing(iso: Stack, service: str) -> None:
    reports = ROOT / ".run" / "test-artifacts" / "schemathesis"
    reports.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(ST),
        "run",
        f"{iso.services[service].base}/openapi.json",
        "--header",
        f"Authorization: Bearer {iso.token(subject=f'fuzz-{service}')}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",  # CPython 3.11's ast.parse is not thread-safe, and hypothesis parses lambdas while generating
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(reports / f"{service}.xml"),
    ]
    began = time.monotonic()
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    took = time.monotonic() - began
    tail = "\n".join(run.stdout.splitlines()[-15:])
    print(f"schemathesis {service}: exit {run.returncode} in {took:.0f}s\n{tail}")
    assert run.returncode == 0, (
        f"schemathesis found problems in {service}:\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}"
    )
