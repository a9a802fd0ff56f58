"""The overview cards over real projections: figures hand-computed from the scenario's history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from fastapi.testclient import TestClient

from cds_contracts import Registry, TopicSpec
from reporting.adapters.projection_schema import use_active_schema
from reporting.config import Settings
from reporting.entrypoints.app import build_app
from reporting.entrypoints.events.subscribers import make_consumer
from services.reporting.tests.integration import test_training_views as training
from services.reporting.tests.integration.auth_support import viewer
from services.reporting.tests.integration.scenario import Feeder, RaisingDeadLetters, history, reorganisation

pytestmark = pytest.mark.integration


@pytest.fixture
async def consumer_name(rpool: asyncpg.Pool) -> str:
    """Feed the projections as a consumer of this name; the app reads its freshness from the same name
    (a private group name also keeps the test's consumer out of the running stack's group)."""
    name = f"reporting-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(name, before_batch=use_active_schema)
    consumer.bind(rpool, RaisingDeadLetters())
    await Feeder(consumer).feed(history() + reorganisation())
    return name


@pytest.fixture
def client(
    reporting_db: str, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]], consumer_name: str
) -> Iterator[TestClient]:
    registry, _ = personnel_topics  # empty fresh topics: the app's own consumer has nothing to add
    settings = Settings(database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=consumer_name)
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        yield c


def test_cards_at_the_end_of_2024(client: TestClient) -> None:
    body = client.get("/api/v1/overview", params={"as_of": "2024-12-31"}).json()
    cards = body["cards"]
    # O1..O8 serve; dedicated O1, O3, O6 (O7 only from 2025); infosec O1, O6
    assert cards["officers"] == {"total": 8, "dedicated": 3, "concurrent": 5, "dedicated_share": 0.375}
    assert cards["information_security"] == {"officers": 2}
    # agencies P, P.SKHCN, D, C1, C2, C3 (P.HTH is kind "other"); only P.SKHCN and C2 have both functions
    assert cards["coverage"] == {"agencies": 6, "compliant": 2, "failing": 4, "compliance_rate": 0.3333}
    assert cards["community_teams"] == {"teams": 3, "members": 5}  # m5 leaves T3 in January 2025
    assert cards["attrition"] == {"departures_12m": 0, "rate_12m": 0.0, "private_sector_share": None}
    assert cards["training"] == {"year": 2024, "planned_trainees": 0, "trained": 0, "attainment": None}
    assert cards["vacancies"] == {"open": 0}
    assert cards["readiness"] == {"teams": 0, "average_score": None}
    assert body["as_of"] == "2024-12-31" and body["current_to"] is not None
    assert body["slice"] == {"unit_id": None, "sectors": [], "levels": []}


def test_cards_after_the_reorganisation_for_peoples_committees(client: TestClient) -> None:
    params = {"as_of": "2025-07-01", "sector": "peoples_committee"}
    cards = client.get("/api/v1/overview", params=params).json()["cards"]
    # People's Committees on 1 July 2025: P (O3 moved there), C12 (O4, O5), C3 (O7; O6 left in March)
    assert cards["officers"] == {"total": 4, "dedicated": 2, "concurrent": 2, "dedicated_share": 0.5}
    whole = client.get("/api/v1/overview", params={"as_of": "2025-07-01"}).json()["cards"]
    # O6's departure on 15 March 2025 over 12 month-end headcounts: 8 x 7 (Aug-Feb) and 7 x 5 (Mar-1 Jul)
    assert whole["attrition"] == {"departures_12m": 1, "rate_12m": 0.132, "private_sector_share": 1.0}


def test_cards_on_days_that_are_not_month_ends(client: TestClient) -> None:
    # 20 March 2025: the 12 months from 1 April 2024 hold O6's departure on 15 March. Month ends: 6 (April,
    # May), 8 with O7 and O8 (June-February, 9 months), 7 on 20 March: 91 / 12 = 7.58; 1 / 7.58 = 13.2%.
    march = client.get("/api/v1/overview", params={"as_of": "2025-03-20"})
    assert march.status_code == 200, march.text
    assert march.json()["cards"]["attrition"] == {"departures_12m": 1, "rate_12m": 0.132, "private_sector_share": 1.0}
    # 10 March 2026: the window starts on 1 April 2025, after O6 left (15 March 2025, a month that is
    # not in it, rather than a month without hires)
    later = client.get("/api/v1/overview", params={"as_of": "2026-03-10"})
    assert later.status_code == 200, later.text
    assert later.json()["cards"]["attrition"] == {"departures_12m": 0, "rate_12m": 0.0, "private_sector_share": None}


def test_unknown_unit_and_bad_sector(client: TestClient) -> None:
    gone = client.get("/api/v1/overview", params={"as_of": "2025-07-01", "unit_id": "D"})
    assert gone.status_code == 404 and "does not exist on 2025-07-01" in gone.json()["detail"]
    bad = client.get("/api/v1/overview", params={"sector": "ministry"})
    assert bad.status_code == 422


async def test_the_training_card_falls_back_to_the_latest_plan(
    rpool: asyncpg.Pool, reporting_db: str, bootstrap: str, personnel_topics: tuple[Registry, list[TopicSpec]]
) -> None:
    name = f"reporting-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(name, before_batch=use_active_schema)
    consumer.bind(rpool, RaisingDeadLetters())
    await Feeder(consumer).feed(training.units_and_officers() + training.year_2024())
    registry, _ = personnel_topics
    settings = Settings(database_url=reporting_db, kafka_bootstrap_servers=bootstrap, consumer_name=name)
    with TestClient(build_app(settings, registry=registry), headers=viewer(settings)) as c:
        # no 2025 plan yet in March 2025: the card shows 2024's (trainee targets 2+1+1+1, 4 of them met)
        early = c.get("/api/v1/overview", params={"as_of": "2025-03-01"}).json()["cards"]["training"]
        assert early == {"year": 2024, "planned_trainees": 5, "trained": 4, "attainment": 0.857}  # the view: 85.7%
        # four years on, 2024's plan is too old to stand in for the current one
        late = c.get("/api/v1/overview", params={"as_of": "2028-03-01"}).json()["cards"]["training"]
        assert late == {"year": 2028, "planned_trainees": 0, "trained": 0, "attainment": None}
