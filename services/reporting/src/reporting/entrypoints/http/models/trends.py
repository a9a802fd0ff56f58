"""Response models of /api/v1/trends (the OpenAPI contract of the series)."""

from __future__ import annotations

from pydantic import Field

from reporting.entrypoints.http.models.common import Frozen, SliceEcho


class TrendMonth(Frozen):
    month: str = Field(description="Tháng / Month (YYYY-MM).")
    month_end: str = Field(description="Day the counts are read on: the month's last day, or as_of in its month.")
    headcount: int = Field(description="Cán bộ CĐS / CĐS officers serving on month_end.")
    dedicated: int = Field(description="Chuyên trách / Dedicated officers on month_end.")
    dedicated_share: float | None = Field(description="dedicated / headcount (0..1); null without officers.")
    information_security: int = Field(
        description="An toàn thông tin / Officers with the information-security function."
    )
    trained: int = Field(
        description="Đã đào tạo / Officers serving on month_end who passed a class (not cancelled) in the 12 months "
        "up to it."
    )
    trained_share: float | None = Field(description="trained / headcount (0..1); null without officers.")
    departures: int = Field(description="Nghỉ việc / Departures dated in the month (up to month_end).")
    hires: int = Field(description="Tuyển dụng / Officers appointed for a recruitment hire, first day in the month.")


class Trends(Frozen):
    as_of: str = Field(description="Day the series is as of; its last month ends there.")
    current_to: str | None = Field(description="Newest event time applied to the projections.")
    slice: SliceEcho = Field(description="What the figures cover (resolved on as_of, see the endpoint).")
    months: list[TrendMonth] = Field(description="One entry per month, oldest first.")
