"""The service's notion of now: UTC instants, and the calendar day in the province."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PROVINCE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(PROVINCE_TZ).date()
