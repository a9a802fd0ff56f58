"""`cds-serve` as a real process (tests/support/slow_app.py on the real engines): it binds where the
service's settings say when no flag does, and a forced exit (a second Ctrl+C while a request is still in
flight) is not reported as a clean stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from cds_contracts import TopicSpec

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[4]
CDS_SERVE = ROOT / ".venv" / "bin" / "cds-serve"
APP = "tests.support.slow_app:app"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log: IO[bytes] = log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(CDS_SERVE), APP, *args], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, f"exited early:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout}s:\n{self.output()}"
            time.sleep(0.1)

    def wait_ready(self, base: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"exited early:\n{self.output()}"
            try:
                if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:  # refused while still starting
                pass
            time.sleep(0.2)
        pytest.fail(f"not ready within {timeout}s:\n{self.output()}")


@pytest.fixture
def env(database: str, topic: TopicSpec) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # for tests.support
        "PYTHONUNBUFFERED": "1",
        "TESTS_DATABASE_URL": database,
        "TESTS_TOPIC": topic.name,
        "TESTS_CONSUMER_NAME": f"tests-serve-{topic.name[-10:]}",
        "LOG_FORMAT": "text",
    }


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for p in started:
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()
        p.log.close()


def test_without_flags_it_binds_where_the_service_settings_say(
    env: dict[str, str], procs: list[Proc], tmp_path: Path
) -> None:
    port = _free_port()
    server = Proc([], {**env, "TESTS_HTTP_HOST": "127.0.0.1", "TESTS_HTTP_PORT": str(port)}, tmp_path / "s.log")
    procs.append(server)
    server.wait_ready(f"http://127.0.0.1:{port}")
    assert f"Uvicorn running on http://127.0.0.1:{port}" in server.output()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0, server.output()


def test_a_forced_exit_is_not_reported_as_a_clean_stop(env: dict[str, str], procs: list[Proc], tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = Proc(["--port", str(port)], env, tmp_path / "s.log")
    procs.append(server)
    server.wait_ready(base)

    def slow_request() -> None:
        with contextlib.suppress(httpx.TransportError):  # the forced exit drops it: that is the point
            httpx.get(f"{base}/slow", params={"seconds": 30}, timeout=40)

    in_flight = threading.Thread(target=slow_request, daemon=True)
    in_flight.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGINT)
    server.wait_for("Waiting for connections to close")  # the graceful part has begun and is blocked
    server.proc.send_signal(signal.SIGINT)  # Ctrl+C again: force
    code = server.proc.wait(15)
    assert code == 130, f"exit code {code}:\n{server.output()}"
    in_flight.join(10)
