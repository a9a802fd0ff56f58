"""The personnel app on a fresh database and private topics, with a province admin's token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cds_plumbing.auth import Role, mint_token
from personnel.config import Settings
from personnel.entrypoints.app import create_app


@pytest.fixture
def api(database: str, bootstrap: str, topic_prefix: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=topic_prefix)
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = f"Bearer {mint_token(settings, Role.PROVINCE_ADMIN, subject='admin')}"
    with client:
        yield client
