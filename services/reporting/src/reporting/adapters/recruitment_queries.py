"""Read queries over the recruitment and attrition projections (search_path set by the caller).

`scope` is the slice through time (adapters/attribution.py; None = the whole province). Each record is
matched on its unit and day: a vacancy (and its applications) on its unit and opening day, a hire on its
unit and first day, a plan on its unit and as_of, a departure on the departing officer's last unit and
last day served, a headcount on the officer's unit on the day counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cds_plumbing.db import Connection
from reporting.adapters.attribution import Scope, in_scope, scope_params

# The province's calendar day of a timestamp, to compare it with an as_of day.
_DAY = "(({col}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
# A departure's day in its unit: the last day served (the last period ends the day before the departure),
# not before that period began (a departure on the day of appointment).
_LAST_DAY = "greatest(o.departure_date - 1, p.valid_from)"


async def open_vacancies(conn: Connection, as_of: dt.date, scope: Scope | None) -> list[dict[str, Any]]:
    """Vacancies open on as_of (in the scope), with their age and hires so far."""
    rows = await conn.fetch(
        f"""SELECT vacancy_id, unit_id, function, positions, policy_ids, opened_on, closes_on,
                  ($1::date - opened_on) AS age_days,
                  (SELECT count(*) FROM hires h WHERE h.vacancy_id = v.vacancy_id AND h.hired_on <= $1) AS hired
           FROM vacancies v
           WHERE opened_on <= $1 AND (closed_on IS NULL OR closed_on > $1)
             AND {in_scope("v.unit_id", "v.opened_on", 2)}
           ORDER BY opened_on, vacancy_id""",
        as_of,
        *scope_params(scope),
    )
    return [dict(r) for r in rows]


async def stages_reached(conn: Connection, year: int | None, as_of: dt.date, scope: Scope | None) -> dict[str, int]:
    """Applications (of `year` when given) per stage reached by the end of as_of, for the scope's vacancies."""
    rows = await conn.fetch(
        f"""SELECT s.stage, count(*) AS n FROM application_stages s JOIN applications a USING (application_id)
            LEFT JOIN vacancies v ON v.vacancy_id = a.vacancy_id
            WHERE ($1::int IS NULL OR extract(year FROM a.applied_at) = $1) AND {_DAY.format(col="s.reached_at")} <= $2
              AND {in_scope("v.unit_id", "v.opened_on", 3)}
            GROUP BY s.stage""",
        year,
        as_of,
        *scope_params(scope),
    )
    return {r["stage"]: r["n"] for r in rows}


async def fill_days(conn: Connection, year: int | None, as_of: dt.date, scope: Scope | None) -> list[int]:
    """Days from opening to closing of the vacancies filled by as_of (closed in `year` when given)."""
    rows = await conn.fetch(
        f"""SELECT v.closed_on - v.opened_on AS days FROM vacancies v
           WHERE v.outcome = 'filled' AND ($1::int IS NULL OR extract(year FROM v.closed_on) = $1)
             AND v.closed_on <= $2 AND {in_scope("v.unit_id", "v.opened_on", 3)}""",
        year,
        as_of,
        *scope_params(scope),
    )
    return [int(r["days"]) for r in rows]


async def hires_by_policy(conn: Connection, as_of: dt.date, scope: Scope | None) -> list[dict[str, Any]]:
    """Every policy with the hires under it up to as_of into the scope's vacancies (a hire's unit is its
    vacancy's)."""
    rows = await conn.fetch(
        f"""SELECT p.policy_id, p.name, p.document_number, p.monthly_allowance_vnd,
                  count(h.application_id) AS hires,
                  count(h.application_id) FILTER (WHERE h.appointed) AS appointed
           FROM incentive_policies p
           LEFT JOIN hires h ON p.policy_id = ANY (h.policy_ids) AND h.hired_on <= $1
                            AND {in_scope("h.unit_id", "h.hired_on", 2)}
           GROUP BY p.policy_id ORDER BY p.policy_id""",
        as_of,
        *scope_params(scope),
    )
    return [dict(r) for r in rows]


async def staffing_fill(conn: Connection, year: int, as_of: dt.date, scope: Scope | None) -> list[dict[str, Any]]:
    """Per unit with a plan for `year` (in the scope on as_of): quota and filled per function on as_of."""
    rows = await conn.fetch(
        f"""WITH serving AS (
               SELECT unit_id,
                      count(*) FILTER (WHERE 'it_technical' = ANY (functions)) AS it_technical,
                      count(*) FILTER (WHERE 'information_security' = ANY (functions)) AS information_security,
                      count(*) FILTER (WHERE 'it_leader' = ANY (functions)) AS leadership
               FROM officer_periods WHERE valid_from <= $2 AND (valid_to IS NULL OR $2 <= valid_to)
               GROUP BY unit_id),
             data_hires AS (
               SELECT unit_id, count(*) AS data FROM hires
               WHERE function = 'data' AND appointed AND hired_on <= $2 GROUP BY unit_id)
           SELECT p.unit_id, p.it_technical AS q_it_technical, p.information_security AS q_information_security,
                  p.data AS q_data, p.leadership AS q_leadership,
                  coalesce(s.it_technical, 0) AS f_it_technical,
                  coalesce(s.information_security, 0) AS f_information_security,
                  coalesce(d.data, 0) AS f_data, coalesce(s.leadership, 0) AS f_leadership
           FROM staffing_plans p LEFT JOIN serving s USING (unit_id) LEFT JOIN data_hires d USING (unit_id)
           WHERE p.year = $1 AND {in_scope("p.unit_id", "$2::date", 3)} ORDER BY p.unit_id""",
        year,
        as_of,
        *scope_params(scope),
    )
    return [dict(r) for r in rows]


async def departures(conn: Connection, start: dt.date, end: dt.date, scope: Scope | None) -> list[dict[str, Any]]:
    """Departures with date in [start, end] in the scope: month, unit (of the last period), reason."""
    rows = await conn.fetch(
        f"""SELECT to_char(o.departure_date, 'YYYY-MM') AS month, p.unit_id, o.departure_reason AS reason,
                  count(*) AS departures
           FROM officers o
           JOIN LATERAL (SELECT unit_id, valid_from FROM officer_periods p WHERE p.officer_id = o.officer_id
                         ORDER BY valid_from DESC LIMIT 1) p ON true
           WHERE o.departure_date BETWEEN $1 AND $2 AND {in_scope("p.unit_id", _LAST_DAY, 3)}
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        start,
        end,
        *scope_params(scope),
    )
    return [dict(r) for r in rows]


async def hires_per_month(conn: Connection, start: dt.date, end: dt.date, scope: Scope | None) -> dict[str, int]:
    """Officers appointed because of a hire, per month of their first day, in the scope on that day."""
    rows = await conn.fetch(
        f"""SELECT to_char(h.hired_on, 'YYYY-MM') AS month, count(*) AS n FROM officer_hires h
           JOIN officer_periods p ON p.officer_id = h.officer_id AND p.valid_from = h.hired_on
           WHERE h.hired_on BETWEEN $1 AND $2 AND {in_scope("p.unit_id", "h.hired_on", 3)} GROUP BY 1""",
        start,
        end,
        *scope_params(scope),
    )
    return {r["month"]: r["n"] for r in rows}


async def headcount_on(conn: Connection, days: list[dt.date], scope: Scope | None) -> list[int]:
    """Officers serving on each day in a unit in the scope that day (in the order of the days, sorted)."""
    if scope is None:
        return await _province_headcount_on(conn, sorted(days))
    rows = await conn.fetch(
        f"""SELECT d, (SELECT count(*) FROM officer_periods p
                     WHERE p.valid_from <= d AND (p.valid_to IS NULL OR d <= p.valid_to)
                       AND {in_scope("p.unit_id", "d", 2)}) AS n
           FROM unnest($1::date[]) AS d ORDER BY d""",
        days,
        *scope_params(scope),
    )
    return [int(r["n"]) for r in rows]


async def _province_headcount_on(conn: Connection, days: list[dt.date]) -> list[int]:
    """headcount_on for the whole province in one pass over the periods instead of one per day. With
    width_bucket (how many of the sorted days are <= a date), a period counts on the days of index
    [since, until) (until: all the days when open-ended); the periods are counted per such pair (a few
    dozen) and each day adds up the pairs that cover it. An empty period (valid_to < valid_from: departed
    on the day of appointment) never counts."""
    rows = await conn.fetch(
        """SELECT width_bucket(valid_from - 1, $1::date[]) AS since, width_bucket(valid_to, $1::date[]) AS until,
                  count(*) AS n
           FROM officer_periods WHERE valid_to IS NULL OR valid_to >= valid_from GROUP BY 1, 2""",
        days,
    )
    change = [0] * (len(days) + 1)
    for r in rows:
        change[r["since"]] += r["n"]
        change[len(days) if r["until"] is None else r["until"]] -= r["n"]
    counts, running = [], 0
    for step in change[:-1]:
        running += step
        counts.append(running)
    return counts


async def exit_reasons(conn: Connection, start: dt.date, end: dt.date, scope: Scope | None) -> dict[str, int]:
    """Reasons given in exit interviews of departures in [start, end], by the departing officer's (last) unit
    on the last day served."""
    rows = await conn.fetch(
        f"""SELECT reason, count(*) AS n
            FROM exit_interviews o
            LEFT JOIN LATERAL (SELECT unit_id, valid_from FROM officer_periods p WHERE p.officer_id = o.officer_id
                               ORDER BY valid_from DESC LIMIT 1) p ON true,
            unnest(o.reasons) AS reason
            WHERE o.departure_date BETWEEN $1 AND $2 AND {in_scope("p.unit_id", _LAST_DAY, 3)}
            GROUP BY reason ORDER BY reason""",
        start,
        end,
        *scope_params(scope),
    )
    return {r["reason"]: r["n"] for r in rows}
