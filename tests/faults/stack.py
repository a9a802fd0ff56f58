"""A private stack for fault runs: its own Kafka broker, PostgreSQL cluster and two replicas of every
service, on ports of their own (FAULT_PORT_BASE, default 27000: broker +92, PostgreSQL +432, services
+1..+4 and +101..+104 for the second replicas; below Linux's ephemeral range, 32768-60999, so that no
outgoing connection of another process can hold one of them when a restarted service binds it), its own
topic prefix (`chaos.`), its own data and pid folders (.cache/faults, .run/faults). Started, stopped and
broken through scripts/stack.sh, so it is the same stack `make up` runs, only with REPLICAS=2; the faults
are real: SIGKILL, SIGTERM, pg_ctl stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("personnel", "training", "recruitment", "reporting")
PRODUCERS = ("personnel", "training", "recruitment")
_OFFSETS = {"personnel": 1, "training": 2, "recruitment": 3, "reporting": 4}


@dataclass
class FaultStack:
    base: int = field(default_factory=lambda: int(os.environ.get("FAULT_PORT_BASE", "27000")))
    replicas: int = 2
    prefix: str = "chaos."
    name: str = "faults"

    @property
    def run_dir(self) -> Path:
        return ROOT / ".run" / self.name

    @property
    def env(self) -> dict[str, str]:
        b = self.base
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.endswith(("_PORT", "_DATABASE_URL")) and k not in {"KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_ADMIN_URL"}
        }
        env.update(
            KAFKA_PORT=str(b + 92),
            KAFKA_CONTROLLER_PORT=str(b + 93),
            KAFKA_PROXIED_PORT=str(b + 94),
            KAFKA_PROXY_PORT=str(b + 95),
            POSTGRES_PORT=str(b + 432),
            KAFKA_TOPIC_PREFIX=self.prefix,
            KAFKA_HEAP="512m",
            REPLICAS=str(self.replicas),
            STACK_RUN_DIR=str(self.run_dir),
            STACK_STATE_DIR=str(ROOT / ".cache" / self.name),
            **{f"{s.upper()}_HTTP_PORT": str(b + o) for s, o in _OFFSETS.items()},
        )
        return env

    def sh(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [str(ROOT / "scripts" / "stack.sh"), *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"stack.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout + done.stderr

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / ".venv" / "bin" / "cds-platform"), *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    # Addresses
    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.base + 92}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.base + 432}/postgres"

    def db_url(self, service: str) -> str:
        return f"postgresql://{service}:{service}@127.0.0.1:{self.base + 432}/{service}"

    def url(self, service: str, replica: int = 1) -> str:
        return f"http://127.0.0.1:{self.base + _OFFSETS[service] + 100 * (replica - 1)}"

    @staticmethod
    def replica_name(service: str, replica: int) -> str:
        return service if replica == 1 else f"{service}-{replica}"

    def log(self, name: str) -> Path:
        return self.run_dir / "logs" / f"{name}.log"

    # Processes
    def pid(self, name: str) -> int | None:
        path = self.run_dir / f"{name}.pid"
        if not path.exists():
            return None
        pid = int(path.read_text().split()[0])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def signal(self, name: str, sig: signal.Signals) -> int:
        pid = self.pid(name)
        assert pid is not None, f"{name} is not running"
        os.kill(pid, sig)
        return pid

    @staticmethod
    def wait_exit(pid: int, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        raise TimeoutError(f"pid {pid} still running after {timeout_s} s")

    def up(self, *, fresh: bool = True) -> None:
        if fresh:
            self.sh("reset")
        self.sh("up", timeout=600)

    def down(self) -> None:
        self.sh("down")
