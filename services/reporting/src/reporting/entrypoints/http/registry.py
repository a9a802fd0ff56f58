"""The one registry of reporting's views: name → path → query function → response model → export tables.

Everything that serves a view reads it from here: its route (path, response model, the call), the
overview (which views its cards come from), snapshots (which views they freeze, and with what query),
exports (which view a table is cut from) and the dashboard (GET /api/v1/catalogue). A view is called
in-process as a Python function that answers its pydantic model, exactly the body its route answers.

To add a view: write its query function in service_layer/ and its response model in http/models/,
add a View here, and a route in the router of its family that calls `VIEWS[name].read`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from reporting.domain.slices import Slice
from reporting.domain.tables import TableSpec
from reporting.entrypoints.http.models import officers, readiness, recruitment, training, trends
from reporting.service_layer import officer_views, readiness_views, recruitment_views, trend_views
from reporting.service_layer import training_views as tv
from reporting.service_layer.context import ViewContext
from reporting.service_layer.export_tables import SPECS

API = "/api/v1"


@dataclass(frozen=True)
class ViewArgs:
    """Everything a view may be asked with; each view reads the arguments it takes (see View.takes)."""

    as_of: dt.date
    sl: Slice
    year: int | None = None
    days: int = 90
    start: str | None = None  # trends: first month (YYYY-MM), the query's `from`
    end: str | None = None  # trends: last month, the query's `to`


Query = Callable[[ViewContext, ViewArgs], Awaitable[dict[str, Any]]]
Param = Literal["year", "days", "range"]


@dataclass(frozen=True)
class View:
    name: str  # stable: snapshots store their bodies under it, export specs and the dashboard name it
    path: str
    model: type[BaseModel]
    query: Query
    title_vi: str
    title_en: str
    takes: tuple[Param, ...] = ()  # parameters besides as_of and the slice
    year_required: bool = False
    snapshot_year: bool = False  # a snapshot asks for as_of's year (the view is per plan year)

    async def read(self, ctx: ViewContext, args: ViewArgs) -> BaseModel:
        """The view's answer as its model; a unit not valid on as_of raises UnknownUnitError (one 404
        handler, http/errors.py), a statement past its timeout asyncpg's QueryCanceledError (503)."""
        return self.model.model_validate(await self.query(ctx, args))

    async def body(self, ctx: ViewContext, args: ViewArgs) -> dict[str, Any]:
        """The JSON body the route answers (aliases as on the wire), for snapshots, exports and the overview."""
        return (await self.read(ctx, args)).model_dump(mode="json", by_alias=True)

    @property
    def tables(self) -> tuple[TableSpec, ...]:
        return tuple(s for s in SPECS.values() if s.view == self.name)

    def snapshot_query(self, as_of: dt.date, sl: Slice) -> tuple[ViewArgs, list[tuple[str, str]]]:
        """What a snapshot reads this view with, and that as the query string it stores."""
        query = [("as_of", as_of.isoformat()), *sl.query()]
        if self.snapshot_year:
            query.append(("year", str(as_of.year)))
        return ViewArgs(as_of, sl, year=as_of.year if self.snapshot_year else None), query


def _views(*views: View) -> dict[str, View]:
    return {v.name: v for v in views}


VIEWS = _views(
    View(
        "units",
        f"{API}/units/tree",
        officers.UnitTreeResponse,
        lambda ctx, a: officer_views.unit_tree(ctx, a.as_of, a.sl),
        "Cây đơn vị",
        "Unit tree",
    ),
    View(
        "headcount",
        f"{API}/officers/headcount",
        officers.HeadcountResponse,
        lambda ctx, a: officer_views.headcount(ctx, a.as_of, a.sl),
        "Cán bộ CĐS theo đơn vị",
        "CĐS officers by unit",
    ),
    View(
        "coverage",
        f"{API}/officers/coverage",
        officers.CoverageResponse,
        lambda ctx, a: officer_views.coverage(ctx, a.as_of, a.sl),
        "Bố trí cán bộ CNTT tại cơ quan, đơn vị",
        "Agencies and the IT staffing rule",
    ),
    View(
        "community-teams",
        f"{API}/community-teams",
        officers.CommunityTeamsResponse,
        lambda ctx, a: officer_views.community_teams(ctx, a.as_of, a.sl),
        "Tổ công nghệ số cộng đồng",
        "Community technology teams",
    ),
    View(
        "trends",
        f"{API}/trends",
        trends.Trends,
        lambda ctx, a: trend_views.trends(ctx, a.as_of, a.sl, a.start, a.end),
        "Diễn biến theo tháng",
        "Monthly trends",
        takes=("range",),
    ),
    View(
        "attainment",
        f"{API}/training/attainment",
        training.AttainmentResponse,
        lambda ctx, a: tv.attainment(ctx, a.as_of, a.sl, a.year or a.as_of.year),
        "Kết quả thực hiện kế hoạch đào tạo",
        "Training plan attainment",
        takes=("year",),
        year_required=True,
        snapshot_year=True,
    ),
    View(
        "trained-share",
        f"{API}/training/trained-share",
        training.TrainedShareResponse,
        lambda ctx, a: tv.trained_share(ctx, a.as_of, a.sl),
        "Cán bộ được bồi dưỡng trong 12 tháng",
        "Officers trained in the last 12 months",
    ),
    View(
        "certificates-expiring",
        f"{API}/training/certificates/expiring",
        training.ExpiringResponse,
        lambda ctx, a: tv.expiring(ctx, a.as_of, a.sl, a.days),
        "Chứng chỉ sắp hết hạn",
        "Certificates expiring soon",
        takes=("days",),
    ),
    View(
        "drills",
        f"{API}/training/drills",
        training.DrillsResponse,
        lambda ctx, a: tv.drills(ctx, a.as_of, a.sl, a.year),
        "Diễn tập và kiến nghị",
        "Drills and findings",
        takes=("year",),
    ),
    View(
        "vacancies",
        f"{API}/recruitment/vacancies",
        recruitment.VacanciesResponse,
        lambda ctx, a: recruitment_views.vacancies(ctx, a.as_of, a.sl),
        "Vị trí tuyển dụng đang mở",
        "Open vacancies",
    ),
    View(
        "pipeline",
        f"{API}/recruitment/pipeline",
        recruitment.PipelineResponse,
        lambda ctx, a: recruitment_views.pipeline(ctx, a.as_of, a.sl, a.year),
        "Các bước tuyển dụng",
        "Recruitment pipeline",
        takes=("year",),
    ),
    View(
        "policies",
        f"{API}/recruitment/policies",
        recruitment.PoliciesResponse,
        lambda ctx, a: recruitment_views.policies(ctx, a.as_of, a.sl),
        "Tuyển dụng theo chính sách thu hút",
        "Hires per incentive policy",
    ),
    View(
        "staffing-fill",
        f"{API}/recruitment/staffing-fill",
        recruitment.StaffingFillResponse,
        lambda ctx, a: recruitment_views.staffing_fill(ctx, a.as_of, a.sl, a.year or a.as_of.year),
        "Tỷ lệ đáp ứng kế hoạch biên chế CNTT",
        "Staffing plan fill rate",
        takes=("year",),
    ),
    View(
        "attrition",
        f"{API}/attrition",
        recruitment.AttritionResponse,
        lambda ctx, a: recruitment_views.attrition(ctx, a.as_of, a.sl),
        "Nghỉ việc và tuyển mới (12 tháng)",
        "Departures and hires (12 months)",
    ),
    View(
        "readiness",
        f"{API}/response-teams/readiness",
        readiness.ReadinessResponse,
        lambda ctx, a: readiness_views.readiness(ctx, a.as_of, a.sl),
        "Mức sẵn sàng của đội ứng cứu sự cố",
        "Incident-response team readiness",
    ),
)

# What a snapshot freezes, in this order. Adding a view here changes new snapshots only: a stored
# snapshot keeps the bodies (and the view names) it was taken with.
SNAPSHOT_VIEWS = (
    "headcount",
    "coverage",
    "community-teams",
    "trends",
    "attainment",
    "trained-share",
    "attrition",
    "vacancies",
    "readiness",
)
# The overview (http/overview.py) is no view of its own: its cards are read from these views, card
# source (domain/overview.py) → view.
OVERVIEW_PATH = f"{API}/overview"
OVERVIEW_SOURCES = {
    "headcount": "headcount",
    "coverage": "coverage",
    "teams": "community-teams",
    "attainment": "attainment",
    "attrition": "attrition",
    "vacancies": "vacancies",
    "readiness": "readiness",
}
