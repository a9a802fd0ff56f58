"""The alert rules of deploy/alerts.yml: valid for Prometheus (`promtool check rules`), doing what their
names say on synthetic series (`promtool test rules deploy/alerts.test.yml`: lag growing for 5 minutes
alerts while a burst does not, an outbox row older than a minute, dead letters waiting until replayed, a
silent service), and built only on metrics the services export."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.metrics import MetricWrapperBase

from cds_plumbing import metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROMTOOL = shutil.which("promtool")
# `make test` installs it (scripts/stack.sh install-promtool, Debian's prometheus package).
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (make test installs it)")


@needs_promtool
def test_promtool_accepts_the_rules_and_the_config() -> None:
    assert PROMTOOL is not None
    for args in (["check", "rules", "alerts.yml"], ["check", "config", "prometheus.yml"]):
        done = subprocess.run([PROMTOOL, *args], cwd=DEPLOY, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


@needs_promtool
def test_the_rules_fire_when_and_only_when_they_should() -> None:
    assert PROMTOOL is not None
    done = subprocess.run(
        [PROMTOOL, "test", "rules", "alerts.test.yml"], cwd=DEPLOY, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _exported() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            names.add(f"{value._name}_total" if value._type == "counter" else value._name)
    return names


def test_every_metric_the_rules_use_is_exported_by_the_services() -> None:
    text = (DEPLOY / "alerts.yml").read_text()
    used = set(re.findall(r"\b(cds_[a-z_]+)\b", text))
    assert {"cds_consumer_lag", "cds_outbox_oldest_unpublished_age_seconds", "cds_dlq_pending"} <= used
    assert used <= _exported(), f"not exported: {sorted(used - _exported())}"
    for alert in ("ConsumerLagGrowing", "OutboxStuck", "DeadLettersWaiting", "ServiceDown"):
        assert f"alert: {alert}" in text
    assert 'rule_files: ["alerts.yml"]' in (DEPLOY / "prometheus.yml").read_text()
