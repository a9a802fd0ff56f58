from __future__ import annotations

import pytest

from recruitment.config import Settings


def test_recruitment_settings_use_their_prefix_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECRUITMENT_DATABASE_URL", raising=False)
    monkeypatch.delenv("RECRUITMENT_HTTP_PORT", raising=False)
    s = Settings()
    assert (s.service_name, s.http_port) == ("recruitment", 8003)
    assert s.database_url.rsplit("/", 1)[1] == "recruitment"
    monkeypatch.setenv("RECRUITMENT_HTTP_PORT", "18000")
    assert Settings().http_port == 18000
