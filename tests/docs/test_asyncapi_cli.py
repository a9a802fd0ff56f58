"""The AsyncAPI CLI (`@asyncapi/cli`, pinned in tools/asyncapi/package.json and installed by `make test`)
finds no error and no warning in any committed AsyncAPI document, and does reject a broken one, so a
passing run means something. tools/asyncapi/validate-all.cjs runs the CLI's own `validate` command on each
file in one Node process, so the CLI's start-up (seconds) is paid once."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "tools" / "asyncapi" / "node_modules" / ".bin" / "asyncapi"
VALIDATE_ALL = ROOT / "tools" / "asyncapi" / "validate-all.cjs"
DOCS = sorted((ROOT / "docs" / "asyncapi").glob("*.json"))


def _env(tmp: Path) -> dict[str, str]:
    # The CLI reports usage to its authors unless told not to; the file says "not", and no network is needed.
    settings = tmp / "asyncapi-analytics.json"
    settings.write_text(json.dumps({"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "cds-tests"}))
    return {**os.environ, "ASYNCAPI_METRICS_CONFIG_PATH": str(settings), "SUPPRESS_NO_CONFIG_WARNING": "1"}


def _broken(tmp: Path) -> Path:
    """A small document whose operation sends a message its channel does not carry."""
    message = {"name": "M", "summary": "m", "description": "m", "payload": {"type": "string"}}
    doc = {
        "asyncapi": "3.1.0",
        "info": {"title": "broken", "version": "1", "description": "An operation sends another channel's message."},
        "servers": {"local": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "k"}},
        "channels": {
            name: {"address": name, "description": name, "messages": {"m": {"$ref": "#/components/messages/m"}}}
            for name in ("a", "b")
        },
        "operations": {
            "send-a": {
                "action": "send",
                "description": "x",
                "channel": {"$ref": "#/channels/a"},
                "messages": [{"$ref": "#/channels/b/messages/m"}],
            }
        },
        "components": {"messages": {"m": message}},
    }
    path = tmp / "broken.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """Every committed document and the broken one through the CLI's `validate`, in one Node process."""
    assert CLI.exists(), f"{CLI} is missing: `make test` installs it (scripts/stack.sh install-node)"
    tmp = tmp_path_factory.mktemp("asyncapi")
    files = [*DOCS, _broken(tmp)]
    run = subprocess.run(
        ["node", str(VALIDATE_ALL), *map(str, files), "--", "--fail-severity", "warn"],
        env=_env(tmp),
        cwd=VALIDATE_ALL.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = {}
    for block in run.stdout.split("=== validate ")[1:]:
        name = Path(block.split("\n", 1)[0]).name
        exit_line = re.search(r"^=== exit (\d+) ", block, re.MULTILINE)
        assert exit_line, f"no verdict for {name}:\n{block}\n{run.stderr[-2000:]}"
        out[name] = (int(exit_line.group(1)), block)
    assert set(out) == {f.name for f in files}, f"{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    return out


@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_the_asyncapi_cli_finds_no_problem_in_the_committed_document(
    verdicts: dict[str, tuple[int, str]], name: str
) -> None:
    code, output = verdicts[name]
    assert code == 0, output
    assert "is valid" in output and "don't have governance issues" in output, output


def test_the_asyncapi_cli_rejects_a_document_that_breaks_the_specification(
    verdicts: dict[str, tuple[int, str]],
) -> None:
    code, output = verdicts["broken.json"]
    assert code == 1, output
    assert "asyncapi3-operation-messages-from-referred-channel" in output, output


def test_every_committed_document_is_validated() -> None:
    assert [p.stem for p in DOCS] == ["personnel", "recruitment", "reporting", "training"]
