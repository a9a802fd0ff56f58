"""Where cds-serve binds: the command-line flags, else the service's own settings variables."""

from __future__ import annotations

import pytest

from cds_plumbing.serve import bind_address, main

APP = "personnel.entrypoints.app:app"


def test_the_service_settings_variables_are_the_defaults() -> None:
    env = {"PERSONNEL_HTTP_HOST": "0.0.0.0", "PERSONNEL_HTTP_PORT": "18001", "TRAINING_HTTP_PORT": "18002"}  # noqa: S104
    assert bind_address(APP, None, None, env) == ("0.0.0.0", 18001)  # noqa: S104
    assert bind_address("training.entrypoints.app:app", None, None, env) == ("127.0.0.1", 18002)


def test_flags_win_over_the_settings_variables() -> None:
    env = {"PERSONNEL_HTTP_HOST": "0.0.0.0", "PERSONNEL_HTTP_PORT": "18001"}  # noqa: S104
    assert bind_address(APP, "127.0.0.2", 9000, env) == ("127.0.0.2", 9000)


def test_no_port_anywhere_is_an_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PERSONNEL_HTTP_PORT", raising=False)
    assert bind_address(APP, None, None, {}) == ("127.0.0.1", None)
    with pytest.raises(SystemExit) as exited:
        main([APP])
    assert exited.value.code == 2
    assert "PERSONNEL_HTTP_PORT" in capsys.readouterr().err

    monkeypatch.setenv("PERSONNEL_HTTP_PORT", "eighty")
    with pytest.raises(SystemExit):
        main([APP])
    assert "PERSONNEL_HTTP_PORT must be a port number, not 'eighty'" in capsys.readouterr().err
