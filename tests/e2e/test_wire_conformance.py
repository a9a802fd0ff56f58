"""Every record on the platform's topics conforms to the published contracts, read with clients we did not
write: librdkafka (confluent-kafka) consumes, the CloudEvents SDK's Kafka binding parses, jsonschema validates
against the AsyncAPI documents and the committed JSON Schemas (tests/support/wire.py).

Marked `after_everything`, so `make test` runs it after the end-to-end tests have produced their records; on
a long-lived stack it checks the records this test session produced (conftest.py noted where each partition
ended when the session started), so records left by older code do not fail newer code. Run on its own, it
checks every record on the topics."""

from __future__ import annotations

from collections import Counter

import pytest

from cds_contracts import SOURCE_TOPICS
from tests.support.wire import Contracts, OrderCheck, check, check_dead_letter, undocumented
from tests.support.wire_kafka import Offsets, read_since

pytestmark = [pytest.mark.e2e, pytest.mark.after_everything]
SHOWN = 25


def _report(problems: list[str]) -> str:
    return "\n".join(problems[:SHOWN]) + (f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else "")


def test_every_record_on_the_platforms_topics_conforms_to_the_published_contracts(
    bootstrap: str, session_start: Offsets | None
) -> None:
    contracts = Contracts.load()
    assert contracts.topics == {t.name for t in SOURCE_TOPICS}, "every declared topic is documented, no other"
    records = read_since(bootstrap, sorted(contracts.topics), session_start)
    assert len(records) >= 100, "this test checks what the end-to-end tests produced: run it after them"

    problems: list[str] = []
    order = OrderCheck()
    seen: Counter[tuple[str, str]] = Counter()
    for r in records:
        found, parsed = check(contracts, r)
        problems += [f"{r.topic}[{r.partition}]@{r.offset}: {p}" for p in found]
        if parsed is not None:
            order.add(parsed)
            seen[(r.topic, dict(r.headers)["ce_type"].decode())] += 1
    problems += order.problems() + undocumented(contracts, seen)
    never = sorted(t for _, t in set(contracts.messages) - set(seen))
    print(f"\n{len(records)} records on {len(contracts.topics)} topics, {len(seen)} types; not produced: {never}")
    assert not problems, f"{len(problems)} problem(s):\n{_report(problems)}"


def test_every_dead_letter_carries_the_documented_headers(bootstrap: str, session_start: Offsets | None) -> None:
    contracts = Contracts.load()
    assert set(contracts.dead_letters) <= {t.dlq.name for t in SOURCE_TOPICS}
    records = read_since(bootstrap, sorted(contracts.dead_letters), session_start)
    problems = [p for r in records for p in check_dead_letter(contracts, r)]
    print(f"\n{len(records)} dead letters on {len(contracts.dead_letters)} dead-letter topics")
    assert not problems, f"{len(problems)} problem(s):\n{_report(problems)}"
