from __future__ import annotations

import pytest

from training.config import Settings


def test_training_settings_use_their_prefix_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAINING_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRAINING_HTTP_PORT", raising=False)
    s = Settings()
    assert (s.service_name, s.http_port) == ("training", 8002)
    assert s.database_url.rsplit("/", 1)[1] == "training"
    monkeypatch.setenv("TRAINING_HTTP_PORT", "18000")
    assert Settings().http_port == 18000
