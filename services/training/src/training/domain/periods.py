"""Day arithmetic shared by the domain and the read model."""

from __future__ import annotations

import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def day_before(day: dt.date) -> dt.date:
    return day - ONE_DAY
