"""GET /api/v1/overview: the dashboard's headline cards for a day and a slice of the province."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from reporting.domain.overview import cards
from reporting.entrypoints.http.models.common import Frozen, SliceEcho
from reporting.entrypoints.http.params import AsOf, Ctx, SliceQuery, day
from reporting.entrypoints.http.registry import OVERVIEW_PATH, OVERVIEW_SOURCES, VIEWS, ViewArgs

router = APIRouter(tags=["overview"])

PLAN_LOOKBACK_YEARS = 3


class OfficersCard(Frozen):
    total: int = Field(description="CĐS officers (dedicated and concurrent) serving on the day.")
    dedicated: int = Field(description="Officers working on CĐS full time.")
    concurrent: int = Field(description="Officers doing CĐS work besides another post.")
    dedicated_share: float | None = Field(description="dedicated / total (0..1); null without officers.")


class InfosecCard(Frozen):
    officers: int = Field(description="Officers with the information-security function.")


class CoverageCard(Frozen):
    agencies: int = Field(description="Agencies the rule applies to.")
    compliant: int = Field(description="Agencies with an IT leader and at least one IT technical officer.")
    failing: int = Field(description="Agencies lacking one of them.")
    compliance_rate: float | None = Field(description="compliant / agencies (0..1).")


class TeamsCard(Frozen):
    teams: int = Field(description="Community technology teams active on the day.")
    members: int = Field(description="Their members on the day.")


class TrainingCard(Frozen):
    year: int = Field(description="The plan's year: the as-of day's, or the latest of the 3 years before it.")
    planned_trainees: int = Field(description="Trainees the plan targets (all levels and advanced).")
    trained: int = Field(description="Trainees counted against those targets so far.")
    attainment: float | None = Field(description="Overall plan attainment (0..1, each target capped at 100%).")


class AttritionCard(Frozen):
    departures_12m: int = Field(description="Departures in the 12 months ending on the day.")
    rate_12m: float | None = Field(description="Departures / average month-end headcount (0..1).")
    private_sector_share: float | None = Field(description="Share of departures to the private sector (0..1).")


class VacanciesCard(Frozen):
    open: int = Field(description="Vacancies open on the day.")


class ReadinessCard(Frozen):
    teams: int = Field(description="Incident-response teams.")
    average_score: float | None = Field(description="Mean readiness score (0..100); null without teams.")


class Cards(Frozen):
    officers: OfficersCard = Field(description="CĐS officers.")
    information_security: InfosecCard = Field(description="Information-security officers.")
    coverage: CoverageCard = Field(description="The rule: an IT leader and an IT technical officer per agency.")
    community_teams: TeamsCard = Field(description="Community technology teams.")
    training: TrainingCard = Field(description="Attainment of the year's training plan.")
    attrition: AttritionCard = Field(description="12-month attrition.")
    vacancies: VacanciesCard = Field(description="Open vacancies.")
    readiness: ReadinessCard = Field(description="Incident-response readiness.")


class Overview(Frozen):
    as_of: str = Field(description="Day the figures are valid on.")
    current_to: str | None = Field(description="Newest event time applied to the projections.")
    slice: SliceEcho = Field(description="The unit subtree, sectors and levels covered.")
    cards: Cards = Field(description="The headline figures.")


@router.get(OVERVIEW_PATH, response_model=Overview, summary="Headline cards for the dashboard")
async def overview(ctx: Ctx, sl: SliceQuery, as_of: AsOf = None) -> dict[str, Any]:
    """The cards' views are called in-process and at once, each on its own pool connection (its own
    consistent snapshot, as when they were separate requests). The cards read a few counts off the
    query functions' bodies as built, without the response models' validation and dump of every row
    (the same figures: test_bodies_unchanged). A view's error is the overview's: an unknown unit a 404,
    a statement past its timeout a 503 with Retry-After (cds_plumbing)."""
    when = day(as_of)
    plain, this_year = ViewArgs(when, sl), ViewArgs(when, sl, year=when.year)  # the plan: as_of's year first
    views = [VIEWS[name] for name in OVERVIEW_SOURCES.values()]
    bodies = await asyncio.gather(*(v.query(ctx, this_year if "year" in v.takes else plain) for v in views))
    by_name = dict(zip(OVERVIEW_SOURCES, bodies, strict=True))
    # Early in a year its plan may not be adopted yet: the card then shows the latest plan before it.
    for year in range(when.year - 1, when.year - 1 - PLAN_LOOKBACK_YEARS, -1):
        if by_name["attainment"].get("plan_revision") is not None:
            break
        earlier = await VIEWS["attainment"].query(ctx, ViewArgs(when, sl, year=year))
        if earlier.get("plan_revision") is not None:
            by_name["attainment"] = earlier
    return {
        "as_of": when.isoformat(),
        "current_to": by_name["headcount"].get("current_to"),
        "slice": sl.as_dict(),
        "cards": cards(by_name),
    }
