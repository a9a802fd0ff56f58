"""A small province for the sliced training, recruitment and readiness views (own events, so the numbers
hand-computed in those tests do not move when scenario.py grows).

From 2020: P (People's Committee, province) over P.SKHCN (state agency) with the centre P.TT under it,
the Party office P.TU and district D with communes C1 and C2. On 2025-07-01 C1 and C2 merge into C12
(under P), D is dissolved and its officer moves to P. Officers from 2023-01-01: a1 P.SKHCN, a2 P.TT,
a3 D, a4 C1, a5 C2, a6 P.TU; a2 retires on 2024-09-01, a5 leaves for the private sector on 2025-03-10."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from cds_contracts import Event
from cds_contracts.personnel_officers import OfficerAppointed, OfficerDeparted, OfficerTransferred
from cds_contracts.personnel_org_units import OrgUnitDissolved, OrgUnitRegistered, OrgUnitsMerged
from cds_plumbing.http import install_problem_handlers
from reporting.entrypoints.http import readiness as api_readiness
from reporting.entrypoints.http import recruitment as api_recruitment
from reporting.entrypoints.http import training as api_training
from reporting.entrypoints.http.errors import install_view_errors
from reporting.entrypoints.http.params import ProjectionSource
from reporting.service_layer.officer_views import ViewContext

D = dt.date
REORG = D(2025, 7, 1)
SINCE, APPOINTED = D(2020, 1, 1), D(2023, 1, 1)
LIVE = "reporting-projections"


def unit(uid: str, kind: str, level: str, parent: str | None, since: dt.date = SINCE) -> Event:
    return OrgUnitRegistered(unit_id=uid, name_vi=uid, kind=kind, level=level, parent_id=parent, valid_from=since)


def officer(oid: str, uid: str, functions: tuple[Any, ...] = (), since: dt.date = APPOINTED, **extra: Any) -> Event:
    return OfficerAppointed(
        officer_id=oid,
        unit_id=uid,
        employment_category="civil_servant",
        assignment="concurrent",
        functions=functions,
        effective_date=since,
        **extra,
    )


def move(oid: str, frm: str, to: str) -> Event:
    return OfficerTransferred(
        officer_id=oid, from_unit_id=frm, to_unit_id=to, effective_date=REORG, reason="reorganisation"
    )


def tree() -> list[Event]:
    return [
        unit("P", "peoples_committee", "province", None),
        unit("P.SKHCN", "state_agency", "province", "P"),
        unit("P.TT", "centre", "province", "P.SKHCN"),
        unit("P.TU", "party_agency", "province", "P"),
        unit("D", "peoples_committee", "district", "P"),
        unit("C1", "peoples_committee", "commune", "D"),
        unit("C2", "peoples_committee", "commune", "D"),
        officer("a1", "P.SKHCN", ("information_security",)),
        officer("a2", "P.TT", ("it_technical",)),
        officer("a3", "D", ("it_leader",)),
        officer("a4", "C1", ("it_technical",)),
        officer("a5", "C2"),
        officer("a6", "P.TU", ("it_leader",)),
        OfficerDeparted(officer_id="a2", unit_id="P.TT", effective_date=D(2024, 9, 1), reason="retirement"),
        OfficerDeparted(officer_id="a5", unit_id="C2", effective_date=D(2025, 3, 10), reason="private_sector"),
        unit("C12", "peoples_committee", "commune", "P", REORG),
        move("a4", "C1", "C12"),
        move("a3", "D", "P"),
        OrgUnitsMerged(successor_id="C12", predecessor_ids=("C1", "C2"), effective_date=REORG),
        OrgUnitDissolved(unit_id="D", effective_date=REORG),
    ]


def context(pool: asyncpg.Pool) -> ViewContext:
    return ViewContext(pool, LIVE, ())


def client(pool: asyncpg.Pool) -> httpx.AsyncClient:
    """The real training, recruitment and readiness routers in-process, over the test's pool (no Kafka)."""
    app = FastAPI()
    install_problem_handlers(app)
    install_view_errors(app)
    app.state.runtime = type("Runtime", (), {"pool": pool})()  # all the views need of the running service
    app.state.projection_source = ProjectionSource(LIVE, ())
    for router in (api_training.router, api_recruitment.router, api_readiness.router):
        app.include_router(router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting.test")


async def get(c: httpx.AsyncClient, path: str, as_of: dt.date, **params: Any) -> dict[str, Any]:
    response = await c.get(f"/api/v1/{path}", params={"as_of": as_of.isoformat(), **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
