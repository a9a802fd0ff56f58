from __future__ import annotations

import pytest

from reporting.config import Settings


def test_reporting_settings_use_their_prefix_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTING_DATABASE_URL", raising=False)
    monkeypatch.delenv("REPORTING_HTTP_PORT", raising=False)
    s = Settings()
    assert (s.service_name, s.http_port) == ("reporting", 8004)
    assert s.database_url.rsplit("/", 1)[1] == "reporting"
    monkeypatch.setenv("REPORTING_HTTP_PORT", "18000")
    assert Settings().http_port == 18000
