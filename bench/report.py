"""The bench's report: one table of figures next to their targets, as text, Markdown and JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

Row = tuple[str, str, str, str]  # (measure, figure, target, met)


def _n(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else "yes" if ok else "NO"


def _per(cpu: dict[str, float] | None, n: float) -> str:
    """CPU µs per item, and the run-queue wait (time runnable but without a CPU: other work on the machine)."""
    if not cpu or not n:
        return "—"
    return f"{cpu['cpu_s'] / n * 1e6:,.0f} µs CPU (waited {cpu['runqueue_wait_s']:,.0f} s for a CPU)"


def cpu_rows(r: dict[str, Any]) -> list[Row]:
    """Where each side spent CPU per event: figures the machine's other load does not change much."""
    out: list[Row] = []
    a, b, c, d = r.get("raw_consume"), r.get("raw_write"), r.get("rebuild"), r.get("catch_up")
    if a:
        out.append(("a. raw consume, per event", _per(a.get("client"), a["events"]), "", ""))
    a2 = r.get("consume_decode")
    if a2:
        out.append(("a'. consume and decode, per event", _per(a2.get("client"), a2["events"]), "", ""))
    if b:
        out.append(("b. raw write, per row (PostgreSQL)", _per(b.get("postgres"), b["rows"]), "", ""))
    for name, x in (("c. rebuild", c), ("d. catch-up", d)):
        if x:
            out.append((f"{name}, per event: Python", _per(x.get("client"), x["events"]), "", ""))
            out.append((f"{name}, per event: PostgreSQL", _per(x.get("postgres"), x["events"]), "", ""))
    i = (r.get("write_side") or {}).get("sustained")
    if i and "personnel_cpu_ms" in i:
        figure = f"personnel {i['personnel_cpu_ms']:.1f} ms + PostgreSQL {i['postgres_cpu_ms']:.1f} ms CPU"
        out.append(("i. per command", figure, "", ""))
        if "personnel_cpu_ms_above_idle" in i:
            busy, idle = (i["personnel_cpu_ms_above_idle"], i["postgres_cpu_ms_above_idle"]), i["idle_cpu_ms_per_s"]
            figure = f"personnel {busy[0]:.2f} ms + PostgreSQL {busy[1]:.2f} ms"
            figure += f" (idle: {idle['personnel']:.0f} + {idle['postgres']:.0f} ms/s)"
            out.append(("i. per command, less idle CPU", figure, "", ""))
    return out


def _cpu_bound(r: dict[str, Any], floor: float) -> Row | None:
    """What bounds the rebuild, from this run's own figures: the CPU it spends per event (its process and its
    PostgreSQL backends) against the CPUs the machine has. Even spread perfectly over every CPU, the rebuild
    could not pass cpus / (CPU per event)."""
    c, a, a2, cpus = r["rebuild"], r.get("raw_consume"), r.get("consume_decode"), r.get("cpus")
    if not cpus or not c.get("client") or not c.get("postgres"):
        return None
    per_event = (c["client"]["cpu_s"] + c["postgres"]["cpu_s"]) / max(c["events"], 1)
    if per_event <= 0:
        return None
    ceiling = cpus / per_event
    figure = f"{per_event * 1e6:,.0f} µs of CPU per event: at most {_n(ceiling)} events/s on {cpus} CPUs"
    figure += f" = {ceiling / floor:.0%} of min(a, b)"
    if a and a2:
        figure += f"; decoding alone, nothing written (a'), {a2['per_s'] / a['per_s']:.0%} of a in one process"
    return ("c. … what bounds it (CPU)", figure, "", "")


def rows(r: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    a, b, c = r.get("raw_consume"), r.get("raw_write"), r.get("rebuild")
    if a:
        out.append(("a. raw consume (aiokafka, same topics)", f"{_n(a['per_s'])} events/s ({_n(a['events'])})", "", ""))
    a2 = r.get("consume_decode")
    if a and a2:
        # What bounds (c) in one process: the same read plus the rebuild's decoding, with nothing written.
        figure = f"{_n(a2['per_s'])} events/s = {a2['per_s'] / a['per_s']:.0%} of a"
        out.append(("a'. consume and decode (the rebuild's decoding, nothing written)", figure, "", ""))
    if b:
        out.append(("b. raw write (asyncpg COPY, officer_periods rows)", f"{_n(b['per_s'])} rows/s", "", ""))
    if a and b and c:
        floor = min(a["per_s"], b["per_s"])
        ratio = c["per_s"] / floor
        out.append(
            (
                "c. rebuild (reporting-rebuild, whole command)",
                f"{_n(c['per_s'])} events/s = {ratio:.0%} of min(a, b); {_n(c['events'])} in {_n(c['seconds'], 1)} s",
                "≥ 25 % of min(a, b)",
                _met(ratio >= 0.25),
            )
        )
        if ratio < 0.25 and (bound := _cpu_bound(r, floor)):
            out.append(bound)
        if c["events"] >= 1_000_000:
            out.append(
                (
                    "c. 1,000,000 events rebuilt in",
                    f"{_n(c['seconds'] * 1e6 / c['events'], 1)} s",
                    "< 120 s",
                    _met(c["seconds"] * 1e6 / c["events"] < 120),
                )
            )
    d = r.get("catch_up")
    if d and c:
        ratio = d["per_s"] / c["per_s"]
        out.append(
            (
                "d. live catch-up (running reporting, backlog)",
                f"{_n(d['per_s'])} events/s ({_n(d['events'])} events) = {ratio:.0%} of the rebuild's",
                "within 20 % of the rebuild rate",
                _met(ratio >= 0.8),
            )
        )
    e = r.get("freshness")
    if e:
        f, w, bl = e["freshness"], e["write"], e["backlog"]
        out.append(
            (
                f"e. freshness at {_n(e['rate'])} commands/s for {_n(e['seconds'])} s (2xx → visible)",
                f"p50 {_n(f['p50_ms'])} / p95 {_n(f['p95_ms'])} / p99 {_n(f['p99_ms'])} / max {_n(f['max_ms'])} ms",
                "p99 < 300 ms",
                _met(f["p99_ms"] < 300 and e["errors"] == 0 and e["not_visible"] == 0),
            )
        )
        if e.get("to_kafka") and e.get("kafka_to_visible"):
            k, v = e["to_kafka"], e["kafka_to_visible"]
            out.append(
                (
                    "e. … of which 2xx → on Kafka / on Kafka → visible",
                    f"p50 {_n(k['p50_ms'])} / {_n(v['p50_ms'])}, p99 {_n(k['p99_ms'])} / {_n(v['p99_ms'])}, "
                    f"max {_n(k['max_ms'])} / {_n(v['max_ms'])} ms",
                    "",
                    "",
                )
            )
        out.append(
            (
                "e. … writes at that rate; reporting's backlog",
                f"p50 {_n(w['p50_ms'])} / p99 {_n(w['p99_ms'])} ms, {e['errors']} errors; backlog "
                f"{bl['first']} → {bl['last']} (max {bl['max']}){_late(e.get('generator_late', {}).get('max_ms'))}",
                "no growing backlog",
                _met(bl["last"] is not None and bl["last"] <= max(50, 2 * (bl["first"] or 0))),
            )
        )
    f_ = r.get("import")
    if f_:
        out.append(
            (
                f"f. import of {_n(f_['officers'])} officers → all visible in reporting",
                f"{_n(f_['visible_s'], 1)} s (HTTP answer {_n(f_['http_s'], 1)} s)",
                "< 10 s",
                _met(f_["visible_s"] < 10),
            )
        )
    for scale, views in (r.get("reads") or {}).items():
        worst = max(views.values(), key=lambda v: v["p99_ms"])
        out.append(
            (
                f"g. reads at {scale}, 4 clients: slowest p99 of {len(views)} views",
                f"{_n(worst['p99_ms'])} ms ({next(k for k, v in views.items() if v is worst)})",
                "every view p99 < 300 ms",
                _met(all(v["p99_ms"] < 300 and v["errors"] == 0 for v in views.values())),
            )
        )
    if c:
        out.append(
            (
                "h. peak RSS of reporting-rebuild",
                f"{_n(c['peak_rss_mb'])} MiB",
                "< 1 GiB",
                _met(c["peak_rss_mb"] < 1024),
            )
        )
    if d:
        out.append(
            (
                "h. … of the reporting service catching up",
                f"{_n(d['peak_rss_mb'])} MiB",
                "< 1 GiB",
                _met(d["peak_rss_mb"] < 1024),
            )
        )
    i = r.get("write_side")
    if i:
        s = i["sustained"]
        out.append(
            (
                f"i. personnel sustains for {_n(i['seconds'])} s",
                f"{_n(s['rate'])} commands/s, p50 {_n(s['p50_ms'])} / p99 {_n(s['p99_ms'])} ms, {s['errors']} errors"
                f"{_late(s.get('generator_late_ms'))}",
                "≥ 300 commands/s, p99 < 200 ms",
                _met(s["ok"] and s["rate"] >= 300),
            )
        )
    return out


def _late(ms: float | None) -> str:
    """The load generator's own delay in starting requests, when the report has it (older ones do not)."""
    return "" if ms is None else f"; generator late ≤ {_n(ms)} ms"


def text_table(table: list[Row]) -> str:
    widths = [max(len(row[k]) for row in [("measure", "figure", "target", "met"), *table]) for k in range(4)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(("measure", "figure", "target", "met"), widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)


def markdown(r: dict[str, Any], table: list[Row]) -> str:
    md = ["# `make bench` report", "", f"Machine: {r['machine']}", f"Run: {r['run']}", ""]
    md += ["| measure | figure | target | met |", "|---|---|---|---|"]
    md += [f"| {' | '.join(row)} |" for row in table]
    for scale, views in (r.get("reads") or {}).items():
        md += ["", f"## g. read latency at {scale} (4 clients, ms)", "", "| view | p50 | p99 | max | requests |"]
        md += ["|---|---|---|---|---|"]
        md += [
            f"| {name} | {_n(v['p50_ms'], 1)} | {_n(v['p99_ms'], 1)} | {_n(v['max_ms'], 1)} | {_n(v['count'])} |"
            for name, v in views.items()
        ]
    if r.get("write_side"):
        ws = r["write_side"]
        md += ["", "## i. write-side probes, then the attempts to hold the best for the full time", ""]
        md += ["| offered /s | for | p50 ms | p99 ms | max ms | errors | p99 < 200 ms | generator late, max ms |"]
        md += ["|---|---|---|---|---|---|---|---|"]
        probe_s = _n(r.get("plan", {}).get("probe_s"))
        held = ws.get("attempts") or [ws["sustained"]]  # reports before 2026-12-05 kept the last attempt only
        for p, seconds in [*((p, probe_s) for p in ws["probes"]), *((p, _n(ws["seconds"])) for p in held)]:
            late = _n(p["generator_late_ms"]) if "generator_late_ms" in p else ""
            figures = f"{_n(p['rate'])} | {seconds} s | {_n(p['p50_ms'])} | {_n(p['p99_ms'])} | {_n(p['max_ms'])}"
            md.append(f"| {figures} | {p['errors']} | {_met(p['ok'])} | {late} |")
    for key, title in (("rebuild", "reporting-rebuild"), ("write_side", "personnel under the write load")):
        prof = (r.get(key) or {}).get("profile")
        if prof:
            md += ["", f"## Profile: {title} (py-spy, {prof['samples']} samples over {prof['seconds']:.0f} s)", ""]
            if prof.get("error"):
                md.append(f"No profile: {prof['error']}")
                continue
            md += ["| own time | function |", "|---|---|"] + [
                f"| {p['share']:.1%} | `{p['function']}` |" for p in prof["own"]
            ]
            md += ["", "| inclusive | function |", "|---|---|"]
            md += [f"| {p['share']:.1%} | `{p['function']}` |" for p in prof["inclusive"]]
    if r.get("figures"):
        md += ["", "## Figures check (demo-scale data set, reporting vs the generator's expected values)", ""]
        md += [f"- {label}: {actual} (expected {expected})" for label, actual, expected in r["figures"]]
    if r.get("failed"):
        md += ["", "## Failed measurements", ""] + [f"- {f}" for f in r["failed"]]
    if r.get("notes"):
        md += ["", "## Notes", ""] + [f"- {n}" for n in r["notes"]]
    return "\n".join(md) + "\n"


def write(r: dict[str, Any], out: Path) -> str:
    table = rows(r) + cpu_rows(r)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(r | {"table": table}, indent=1, ensure_ascii=False, default=str))
    (out / "report.md").write_text(markdown(r, table))
    return text_table(table)
