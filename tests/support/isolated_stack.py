"""The four services as real `cds-serve` processes on fresh databases and private topics (a random topic
prefix), for tests that throw arbitrary input at them (fuzzing, bad-input regressions): nothing they
create can meet the demo's data or another test's on the local stack."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from cds_contracts import TopicSpec, all_topics
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.kafka_admin import ensure_topics
from cds_plumbing.settings import ServiceSettings, admin_database_url, default_bootstrap

ROOT = Path(__file__).resolve().parents[2]
CDS_SERVE = ROOT / ".venv" / "bin" / "cds-serve"
SERVICES = ("personnel", "training", "recruitment", "reporting")


@dataclass
class Service:
    name: str
    base: str
    dsn: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Stack:
    prefix: str
    services: dict[str, Service] = field(default_factory=dict)

    def token(self, role: Role = Role.PROVINCE_ADMIN, subject: str = "fuzz-admin") -> str:
        return mint_token(ServiceSettings(service_name="tests"), role, subject=subject)

    def client(self, name: str, *, subject: str = "fuzz-admin", timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.services[name].base,
            headers={"Authorization": f"Bearer {self.token(subject=subject)}"},
            timeout=timeout,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _create_databases(names: list[str]) -> None:
    admin = await asyncpg.connect(admin_database_url())
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_databases(names: list[str]) -> None:
    admin = await asyncpg.connect(admin_database_url())
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _delete_topics(names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=default_bootstrap())
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


def _wait_ready(service: Service, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.proc.poll() is not None:
            raise RuntimeError(f"{service.name} exited early:\n{service.output()}")
        with contextlib.suppress(httpx.TransportError):  # refused while it is still starting
            if httpx.get(f"{service.base}/health/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{service.name} was not ready within {timeout}s:\n{service.output()}")


@contextlib.contextmanager
def isolated_stack(log_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    tag = uuid.uuid4().hex[:8]
    stack = Stack(prefix=f"t{tag}.")
    databases = {name: f"test_iso_{name}_{tag}" for name in SERVICES}
    topics = [TopicSpec(stack.prefix + t.name, t.partitions, t.config) for t in all_topics()]
    asyncio.run(_create_databases(list(databases.values())))
    asyncio.run(ensure_topics(default_bootstrap(), topics))
    base_dsn = admin_database_url().rsplit("/", 1)[0]
    try:
        for name in SERVICES:
            port, prefix = free_port(), name.upper()
            dsn = f"{base_dsn}/{databases[name]}"
            env = {
                **os.environ,
                f"{prefix}_DATABASE_URL": dsn,
                f"{prefix}_HTTP_PORT": str(port),
                "KAFKA_TOPIC_PREFIX": stack.prefix,
                "PYTHONUNBUFFERED": "1",
                **(extra_env or {}),
            }
            log_path = log_dir / f"{name}.log"
            cmd = [str(CDS_SERVE), f"{name}.entrypoints.app:app", "--host", "127.0.0.1", "--port", str(port)]
            with log_path.open("ab") as log:
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            stack.services[name] = Service(name, f"http://127.0.0.1:{port}", dsn, proc, log_path)
        for service in stack.services.values():
            _wait_ready(service)
        yield stack
    finally:
        for service in stack.services.values():
            service.proc.terminate()
        for service in stack.services.values():
            try:
                service.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                service.proc.kill()
        asyncio.run(_drop_databases(list(databases.values())))
        asyncio.run(_delete_topics([t.name for t in topics]))
