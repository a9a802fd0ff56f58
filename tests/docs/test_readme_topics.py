"""The README's topic table names every declared topic with its producer (the generated docs/events.md has
the full detail; this keeps the hand-written summary from drifting)."""

from __future__ import annotations

import re
from pathlib import Path

from cds_contracts import all_topics

ROOT = Path(__file__).resolve().parents[2]


def test_every_topic_is_in_the_readme_with_its_producer() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| topic | producer | consumers") :].split("\n\n", 1)[0]
    listed: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        topics, producer = row.split(" | ")[:2]
        for topic in re.findall(r"`([a-z.-]+)`", topics):
            listed[topic] = producer
    declared = {t.name for t in all_topics() if not t.name.endswith(".dlq")}
    assert set(listed) == declared
    for topic, producer in listed.items():
        owner = topic.split(".", 1)[0]
        assert producer == f"[{owner}](docs/asyncapi/{owner}.json)", topic
        assert (ROOT / "docs" / "asyncapi" / f"{owner}.json").exists()
