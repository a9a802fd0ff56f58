"""Secure by default for operators: a service refuses to start with the token secret published in this
repository unless the local-only flag says so (scripts/stack.sh and the test fixtures set it), and the
refusal is a clear message and exit code 3 (a start-up failure, like a port in use)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-m", "cds_plumbing.serve"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(service: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUTH_")}
    return subprocess.run(
        [*SERVE, f"{service}.entrypoints.app:app", "--port", str(free_port())],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


@pytest.mark.parametrize("service", ["personnel"])
def test_a_service_without_the_local_flag_refuses_the_published_secret(service: str) -> None:
    done = serve(service)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "refusing to start with the development token secret published in the repository" in done.stderr
    assert "AUTH_JWT_SECRET" in done.stderr and "openssl rand" in done.stderr


def test_a_short_secret_is_refused_too() -> None:
    done = serve("training", AUTH_JWT_SECRET="changeme")
    assert done.returncode == 3, done.stderr[-2000:]
    assert "shorter than 32 characters" in done.stderr
