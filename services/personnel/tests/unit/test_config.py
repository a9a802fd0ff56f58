from __future__ import annotations

import pytest

from personnel.config import Settings


def test_personnel_settings_use_their_prefix_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERSONNEL_DATABASE_URL", raising=False)
    monkeypatch.delenv("PERSONNEL_HTTP_PORT", raising=False)
    s = Settings()
    assert (s.service_name, s.http_port) == ("personnel", 8001)
    assert s.database_url.rsplit("/", 1)[1] == "personnel"
    monkeypatch.setenv("PERSONNEL_HTTP_PORT", "18000")
    assert Settings().http_port == 18000
