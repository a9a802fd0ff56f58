"""Erasure end to end, on the running stack: an officer (known to training by name, interviewed on leaving
by recruitment, gone to a named employer) and a community team member are erased; within 10 s no API of
any service shows their names, no table of any service database holds them (searched in a pg_dump), no
current value of any topic holds them, and reporting's overview of their province is unchanged."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from cds_plumbing.settings import default_bootstrap
from tests.support.e2e import caught_up, eventually, ok
from tests.support.people import World, base, build, client
from tests.support.scan import Names, current_records, dump

pytestmark = pytest.mark.e2e
ERASE = {"reference": "QĐ-XOÁ-2026-01"}


def overview(r: httpx.Client, w: World) -> dict[str, Any]:
    body = ok(r.get("/api/v1/overview", params={"unit_id": w.unit("P")}))
    return {k: v for k, v in body.items() if k != "current_to"}  # how fresh it is: not a figure


def apis_text(w: World) -> str:
    """What a province admin reads about these people from every service (the fullest view there is)."""
    reads = {
        "personnel": [
            f"/api/v1/officers/{w.ids['leaves']}",
            f"/api/v1/officers?unit_id={w.unit('C')}&status=all",
            f"/api/v1/community-teams/{w.ids['team']}",
            f"/api/v1/response-teams/{w.ids['response_team']}",
        ],
        "training": [f"/api/v1/officers/{w.ids['leaves']}", f"/api/v1/classes/{w.ids['class']}"],
        "recruitment": [f"/api/v1/exit-interviews?unit_id={w.unit('C')}", f"/api/v1/departures/{w.ids['leaves']}"],
        "reporting": [f"/api/v1/overview?unit_id={w.unit('P')}", f"/api/v1/community-teams?unit_id={w.unit('P')}"],
    }
    texts = []
    for service, paths in reads.items():
        with client(service) as c:
            texts += [c.get(path).text for path in paths]
    return "\n".join(texts)


def test_an_erased_officer_and_member_are_gone_everywhere_and_no_figure_moves() -> None:
    w = build()
    with client("training") as t:
        eventually(lambda: ok(t.get(f"/api/v1/officers/{w.ids['leaves']}"))["full_name"], "the name in training")
    gone = Names([w.names["leaves"], w.names["member"]])
    assert gone.in_text(apis_text(w)) == {n.casefold() for n in (w.names["leaves"], w.names["member"])}
    with client("reporting") as r:
        # reporting has applied the whole world (every service's events, not just one figure's) first
        caught_up(r)
        headcount = ok(r.get("/api/v1/officers/headcount", params={"unit_id": w.unit("P")}))["units"][0]
        assert headcount["rolled_up"]["total"] == 1, "one officer serving in C"
        before = overview(r, w)

    with client("personnel") as p:
        started = time.monotonic()
        ok(p.post(f"/api/v1/officers/{w.ids['leaves']}/erasure", json=ERASE))
        ok(p.post(f"/api/v1/community-members/{w.ids['member']}/erasure", json=ERASE))
    words = [w.names[k] for k in ("leaves", "member", "destination", "notes")]
    leaked = Names(words)
    eventually(lambda: not leaked.in_text(apis_text(w)), "no API showing them", timeout_s=10)
    assert time.monotonic() - started < 10

    for database in ("personnel", "training", "recruitment", "reporting"):
        assert not leaked.in_text(dump(database)), database
    current = asyncio.run(current_records(default_bootstrap()))
    assert len(current) > 10
    hits = [(f.topic, f.key, leaked.in_text(f.text)) for f in current if leaked.in_text(f.text)]
    assert hits == []
    (tombstone,) = [f for f in current if f.topic == "personnel.officer-profile" and f.key == w.ids["leaves"]]
    assert tombstone.text == ""  # the profile's current value is the tombstone

    with client("reporting") as r:
        assert overview(r, w) == before
    with client("personnel") as p:
        log = ok(p.get("/api/v1/audit/personal-data-access", params={"subject": w.ids["leaves"]}))["items"]
        assert f"erasure ({ERASE['reference']})" in [e["operation"] for e in log]
    with httpx.Client(base_url=base("training"), timeout=30) as anonymous:
        assert anonymous.get(f"/api/v1/officers/{w.ids['leaves']}").status_code == 401
