"""Every record of every topic on the running stack (values and headers, dead-letter topics included)
against every name the services hold: officers' and community members' in personnel, candidates' in
recruitment. No event carries any of them; the only names on Kafka are the current values of the
compacted profile topics, each under its own person's key, and none of an erased person. Run it after
`make demo RESET=1` to check the demo data set; in `make test` it checks whatever the suite loaded."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from cds_plumbing.settings import admin_database_url, default_bootstrap
from tests.support.e2e import eventually, unpublished
from tests.support.scan import Names, current_records, words

pytestmark = pytest.mark.e2e
PROFILES = {"personnel.officer-profile", "recruitment.candidate-profile"}


async def fetch(database: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(admin_database_url().rsplit("/", 1)[0] + "/" + database)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def test_no_event_carries_a_name_and_profiles_hold_only_their_own_persons() -> None:
    officers = {
        r["officer_id"]: r["full_name"]
        for r in asyncio.run(fetch("personnel", "SELECT officer_id, full_name FROM officers"))
    }
    members = [r["full_name"] for r in asyncio.run(fetch("personnel", "SELECT full_name FROM community_team_members"))]
    candidates = asyncio.run(
        fetch(
            "recruitment",
            """SELECT c.candidate_id, c.full_name, bool_or(a.hire_status = 'pending') AS pending
               FROM candidates c LEFT JOIN applications a USING (candidate_id) GROUP BY 1, 2""",
        )
    )
    # Test data sometimes names a person after their id ("O1"): such a "name" is an id, and ids may travel.
    ids = {words(i) for i in [*officers, *(c["candidate_id"] for c in candidates)]}
    people = [*officers.values(), *members, *(c["full_name"] for c in candidates)]
    names = Names([n for n in people if n and words(n) not in ids])
    assert len(names) > 0, "no people on the stack: load some first (make demo)"
    # what the databases hold is on Kafka once the relays have published it (a profile's erasure, a hire's end)
    eventually(lambda: unpublished() == 0, "every outbox published")
    records = asyncio.run(current_records(default_bootstrap()))
    assert len(records) > 50

    leaks = [(r.topic, r.key, sorted(names.in_text(r.text))[:3]) for r in records if r.topic not in PROFILES]
    assert [leak for leak in leaks if leak[2]] == []

    pending = {c["candidate_id"] for c in candidates if c["pending"]}
    for record in (r for r in records if r.topic in PROFILES and r.text):  # current values, tombstones aside
        value = json.loads(record.value)
        if record.topic == "personnel.officer-profile":
            assert officers.get(record.key or "") == value["full_name"], record.key  # erased: None, no value
        else:  # only a hire personnel has not answered yet keeps its hand-off record
            assert record.key in pending, record.key
        assert words(value["full_name"])
