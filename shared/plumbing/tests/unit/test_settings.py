"""The settings base: service prefix wins, shared unprefixed variables are the fallback."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from cds_plumbing.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")
    service_name: str = "demo"


def test_defaults_point_at_the_local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_PORT", "POSTGRES_PORT", "POSTGRES_HOST", "DEMO_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    s = DemoSettings()
    assert s.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert s.database_url == "postgresql://demo:demo@127.0.0.1:5432/demo"
    assert s.jwt_algorithm == "HS256"


def test_shared_variables_apply_to_every_service_and_the_prefix_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker-a:9092")
    monkeypatch.setenv("POSTGRES_PORT", "6543")
    assert DemoSettings().kafka_bootstrap_servers == "broker-a:9092"
    assert DemoSettings().database_url.endswith(":6543/demo")
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP_SERVERS", "broker-b:9092")
    monkeypatch.setenv("DEMO_DATABASE_URL", "postgresql://u:p@db/x")
    monkeypatch.setenv("DEMO_HTTP_PORT", "9000")
    s = DemoSettings()
    assert (s.kafka_bootstrap_servers, s.database_url, s.http_port) == ("broker-b:9092", "postgresql://u:p@db/x", 9000)


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_HTTP_PORT", "eighty")
    with pytest.raises(ValueError, match="http_port"):
        DemoSettings()
