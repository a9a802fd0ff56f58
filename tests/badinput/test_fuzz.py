"""Schemathesis against each of the four services (real processes, isolated stack): valid and invalid
requests generated from each service's own OpenAPI document, with a fixed seed and a bounded number of
examples per operation (the four run in parallel, a few minutes on two cores). Checks: no 5xx, every status
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
MAX_EXAMPLES = 10
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


def _command(iso: Stack, service: str, reports: Path) -> list[str]:
    return [
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


def test_schemathesis_finds_nothing_in_any_service(iso: Stack) -> None:
    """The four runs go in parallel, one process each (the services are separate processes too)."""
    reports = ROOT / ".run" / "test-artifacts" / "schemathesis"
    reports.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    runs = {
        service: subprocess.Popen(
            _command(iso, service, reports), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for service in SERVICES
    }
    outputs = {service: run.communicate(timeout=900)[0] for service, run in runs.items()}
    took = time.monotonic() - began
    failed = {service: outputs[service] for service, run in runs.items() if run.returncode != 0}
    for service, out in outputs.items():
        print(f"schemathesis {service}: exit {runs[service].returncode}; " + " ".join(out.splitlines()[-3:]))
    print(f"all four in {took:.0f}s")
    assert not failed, "\n\n".join(f"== {svc}\n{out[-15000:]}" for svc, out in failed.items())
