"""Every metric of cds_plumbing.metrics has a row in deploy/README.md's Metrics table."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.metrics import MetricWrapperBase

from cds_plumbing import metrics

README = Path(__file__).resolve().parents[4] / "deploy" / "README.md"


def test_every_metric_is_documented() -> None:
    rows = {
        line.split("|")[1].strip().strip("`") for line in README.read_text().splitlines() if line.startswith("| `cds_")
    }
    declared = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            name = value._name  # the exposition name without the _total a counter gets
            declared.add(f"{name}_total" if value._type == "counter" else name)
    assert declared and declared <= rows, f"not in deploy/README.md: {sorted(declared - rows)}"
