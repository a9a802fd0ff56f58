"""The province's day for tests: services count days in Asia/Ho_Chi_Minh, not on the machine's clock
(between 17:00 and 24:00 UTC the two differ)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PROVINCE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def province_today() -> dt.date:
    return dt.datetime.now(PROVINCE_TZ).date()
