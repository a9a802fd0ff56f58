"""A service app whose PostgreSQL goes away: writes answer 503 with Retry-After and a problem body (not a
500 with a traceback per request), the outage is logged once when it starts and once when it ends,
readiness says 503 meanwhile, the relay names the real cause (not asyncpg's "connection has been released
back to the pool"), and writes succeed again once the database is back. The database is cut with a TCP
proxy between the app and the real server, which drops every open connection like a server crash."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_contracts import Registry, TopicSpec
from cds_plumbing.auth import Role, mint_token
from cds_plumbing.db import create_pool
from cds_plumbing.outages import Dependency, classify, commit_unconfirmed
from cds_plumbing.unit_of_work import UnitOfWork
from tests.support.proxy import ThreadedProxy

from .test_runtime import build_app

pytestmark = pytest.mark.integration
POSTGRES_PORT = int(os.environ.get("POSTGRES_PORT", "5432"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(check: object, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("condition never held")


def _unpublished(dsn: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(dsn)  # the real server, not through the proxy
        try:
            return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
        finally:
            await conn.close()

    return asyncio.run(count())


def test_a_database_outage_is_a_503_with_retry_after_logged_once(
    database: str, bootstrap: str, registry: Registry, topic: TopicSpec, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    proxy = ThreadedProxy(port, POSTGRES_PORT)
    proxy.start()
    app, settings = build_app(database.replace(f":{POSTGRES_PORT}/", f":{port}/"), bootstrap, registry)
    auth = {"Authorization": f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN, subject='admin')}"}
    try:
        with TestClient(app) as client, caplog.at_level(logging.INFO):
            assert client.post("/counters/c1", json={"amount": 1}, headers=auth).status_code == 202
            # Cut while the relay idles (the case): published, it waits on LISTEN and its 5 s poll.
            _wait_for(lambda: _unpublished(database) == 0)
            time.sleep(0.5)
            caplog.clear()
            proxy.cut()
            answers = [client.post("/counters/c1", json={"amount": 1}, headers=auth) for _ in range(5)]
            assert [a.status_code for a in answers] == [503] * 5, [a.text for a in answers]
            assert answers[0].headers["Retry-After"] == "5"
            assert answers[0].headers["content-type"] == "application/problem+json"
            body = answers[0].json()
            assert (body["status"], body["title"], body["dependency"]) == (503, "Service Unavailable", "database")
            assert client.get("/health/ready").status_code == 503

            time.sleep(6.0)  # longer than the relay's idle poll (5 s): it wakes up into the outage
            proxy.start()
            _wait_for(lambda: any("available again" in r.getMessage() for r in caplog.records))
            assert client.post("/counters/c1", json={"amount": 1}, headers=auth).status_code == 202
    finally:
        proxy.close()

    ours = [r for r in caplog.records if r.name == "cds_plumbing.outages"]
    assert [r.levelname for r in ours] == ["WARNING", "INFO"], [r.getMessage() for r in ours]
    assert ours[0].getMessage().startswith("database unavailable (")
    assert "5 request(s) were answered 503" in ours[1].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "no error, no traceback per request"
    relay = [r.getMessage() for r in caplog.records if r.name == "cds_plumbing.outbox" and r.levelno >= logging.WARNING]
    assert relay, "the relay ran into the outage"
    assert relay[0].startswith("outbox relay failed: database unavailable ("), relay[0]
    assert not any("released back to the pool" in m for m in relay), relay


class _DropOn:
    """A TCP proxy to PostgreSQL that drops the connection instead of forwarding a statement containing
    `marker`: the client is left waiting for its answer when the connection dies, as in a server crash."""

    def __init__(self, marker: bytes) -> None:
        self.marker = marker
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", POSTGRES_PORT)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, inspect: bool) -> None:
            while data := await src.read(65536):
                if inspect and self.marker in data:
                    writer.close()
                    up_writer.close()
                    return
                dst.write(data)
                await dst.drain()

        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False), return_exceptions=True)


async def test_a_connection_lost_during_commit_is_an_unknown_outcome(database: str) -> None:
    proxy = _DropOn(b"COMMIT;")
    port = await proxy.start()
    conn = await asyncpg.connect(database.replace(f":{POSTGRES_PORT}/", f":{port}/"))
    with pytest.raises(Exception) as lost:
        async with conn.transaction():
            await conn.execute("CREATE TABLE never_committed (id int)")
    assert classify(lost.value) is Dependency.DATABASE
    assert commit_unconfirmed(lost.value), "the client cannot know whether PostgreSQL committed"

    other = await asyncpg.connect(database.replace(f":{POSTGRES_PORT}/", f":{port}/"))
    with pytest.raises(Exception) as before:
        async with other.transaction():
            other.terminate()  # lost before the commit was even sent: certainly not stored
            await other.execute("CREATE TABLE never_either (id int)")
    assert not commit_unconfirmed(before.value)
    assert proxy.server is not None
    proxy.server.close()


class _Work(UnitOfWork):
    SOURCE = "/test"


async def test_a_write_committed_just_before_the_database_went_away_is_not_an_error(database: str) -> None:
    """The commit is answered, then the connection dies while the pool resets it for reuse: the write
    stands, so the request must succeed (it used to raise, and the client got a 503 for a stored write)."""
    proxy = _DropOn(b"RESET ALL")
    port = await proxy.start()
    pool = await create_pool(database.replace(f":{POSTGRES_PORT}/", f":{port}/"), 1, 2)
    try:
        async with _Work(pool, actor="test") as work:
            assert work._conn is not None
            await work._conn.execute("CREATE TABLE committed_anyway (id int)")
    finally:
        pool.terminate()
        assert proxy.server is not None
        proxy.server.close()
    check = await asyncpg.connect(database)
    assert await check.fetchval("SELECT to_regclass('committed_anyway') IS NOT NULL")
    await check.close()
