"""The province's day for tests: services count days in Asia/Ho_Chi_Minh, not on the machine's clock
(between 17:00 and 24:00 UTC the two differ). The same clock the services use (cds_plumbing.clock)."""

from __future__ import annotations

import datetime as dt

from cds_plumbing import clock


def province_today() -> dt.date:
    return clock.today()
