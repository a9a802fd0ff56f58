"""The demo data set as the services would publish it: every call of `demo.generator` turned into the
events personnel, training and recruitment append for it, so a million events can be written straight
onto the topics (loading them through the HTTP APIs would take hours; the bench measures the APIs apart).

The translation follows the services' rules where reporting can see them: a merge carries the
predecessors' officers (OfficerTransferred, reason reorganisation), community teams (CommunityTeamMoved)
and sub-units (OrgUnitMoved) to the successor before OrgUnitsMerged; enrolments carry the officer's unit
and level of the day; a pass in a certifying programme issues a certificate; a hire appoints an officer
carrying the application id. Ids the services would generate (applications, findings, certificates,
interviews) are derived from the data set. Events are valid per the contracts (built with the models).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from cds_contracts import Event
from cds_contracts import personnel_officers as po
from cds_contracts import personnel_org_units as pu
from cds_contracts import personnel_response_teams as pr
from cds_contracts import personnel_teams as pt
from demo.dataset import Call, DataSet, Row

from .synth_other import recruitment_events, training_events

Emitted = tuple[str, Event]  # (CloudEvents source, event)


class World:
    """What personnel knows while the calls are replayed: units, officers and teams where they are now."""

    def __init__(self) -> None:
        self.parent: dict[str, str | None] = {}
        self.level: dict[str, str] = {}
        self.officer_unit: dict[str, str] = {}
        self.team_commune: dict[str, str] = {}
        self.ceased: set[str] = set()

    def officers_in(self, unit: str) -> list[str]:
        return [o for o, u in self.officer_unit.items() if u == unit]


def _p(event: Event) -> Emitted:
    return "/personnel", event


def events(ds: DataSet) -> Iterator[Emitted]:
    """Every event of the data set, in the order the demo loader's calls would produce them."""
    w = World()
    for row in ds.units:
        w.parent[row["unit_id"]], w.level[row["unit_id"]] = row["parent_id"], row["level"]
        yield _p(pu.OrgUnitRegistered.model_validate(row))
    for row in ds.officers:
        w.officer_unit[row["officer_id"]] = row["unit_id"]
        yield _p(po.OfficerAppointed.model_validate(row))
    for row in ds.teams:
        w.team_commune[row["team_id"]] = row["commune_id"]
        yield _p(pt.CommunityTeamEstablished.model_validate(row))
    for row in ds.members:
        yield _p(pt.CommunityTeamMemberJoined.model_validate(row))
    for call in ds.personnel:
        yield from map(_p, _personnel_call(call))
    for call in ds.departures:
        officer = call.path.split("/")[4]
        body = call.body | {"officer_id": officer, "unit_id": w.officer_unit.pop(officer)}
        yield _p(po.OfficerDeparted.model_validate(body))
    yield from training_events(ds, w.officer_unit, w.level)
    yield from recruitment_events(ds, w.officer_unit)
    for call in ds.reorganisation:
        yield from map(_p, _reorganisation_call(call, w))


def _personnel_call(call: Call) -> Iterator[Event]:
    parts, body = call.path.split("/"), call.body
    if parts[-1] == "qualifications":
        yield po.OfficerQualificationAdded.model_validate(body | {"officer_id": parts[4]})
    elif call.path == "/api/v1/response-teams":
        yield pr.ResponseTeamFormed.model_validate(body)
    elif parts[-1] == "members":
        yield pr.ResponseTeamMemberJoined.model_validate(body | {"team_id": parts[4]})
    elif parts[-1] == "shifts":
        yield pr.OnCallShiftScheduled.model_validate(body | {"team_id": parts[4]})
    elif parts[-1] == "incidents":
        yield pr.IncidentReported.model_validate(body | {"team_id": parts[4]})
    elif parts[-1] == "acknowledge":
        yield pr.IncidentAcknowledged.model_validate(body | {"team_id": parts[4], "incident_id": parts[6]})
    elif parts[-1] == "resolve":
        yield pr.IncidentResolved.model_validate(body | {"team_id": parts[4], "incident_id": parts[6]})
    else:
        raise ValueError(f"no translation for personnel call {call.path}")


def _reorganisation_call(call: Call, w: World) -> Iterator[Event]:
    parts, body = call.path.split("/"), call.body
    if call.path == "/api/v1/units":
        w.parent[body["unit_id"]], w.level[body["unit_id"]] = body.get("parent_id"), body["level"]
        yield pu.OrgUnitRegistered.model_validate(body)
    elif call.path == "/api/v1/units/merge":
        yield from _merge(body, w)
    elif parts[-1] == "move":
        w.parent[parts[4]] = body["parent_id"]
        yield pu.OrgUnitMoved.model_validate(body | {"unit_id": parts[4], "level": w.level[parts[4]]})
    elif parts[-1] == "transfer":
        officer = parts[4]
        yield _transfer(w, officer, body["to_unit_id"], body["effective_date"], "transfer")
    elif parts[-1] == "dissolve":
        w.ceased.add(parts[4])
        yield pu.OrgUnitDissolved.model_validate(body | {"unit_id": parts[4]})
    else:
        raise ValueError(f"no translation for reorganisation call {call.path}")


def _transfer(w: World, officer: str, to_unit: str, day: Any, reason: str) -> Event:
    body = {"officer_id": officer, "from_unit_id": w.officer_unit[officer], "to_unit_id": to_unit}
    w.officer_unit[officer] = to_unit
    return po.OfficerTransferred.model_validate(body | {"effective_date": day, "reason": reason})


def _merge(body: Row, w: World) -> Iterator[Event]:
    successor, day = body["successor_id"], dt.date.fromisoformat(body["effective_date"])
    for unit in body["predecessor_ids"]:
        if unit == successor:
            continue
        for officer in w.officers_in(unit):
            yield _transfer(w, officer, successor, day, "reorganisation")
        for team in [t for t, c in w.team_commune.items() if c == unit]:
            w.team_commune[team] = successor
            yield pt.CommunityTeamMoved(team_id=team, commune_id=successor, effective_date=day)
        for child in [u for u, p in w.parent.items() if p == unit and u not in w.ceased]:
            w.parent[child] = successor
            yield pu.OrgUnitMoved.model_validate(
                {"unit_id": child, "parent_id": successor, "level": w.level[child], "effective_date": day}
            )
        w.ceased.add(unit)
    yield pu.OrgUnitsMerged.model_validate(body)
