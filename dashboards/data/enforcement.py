"""执法检查: inspections in the year to date by township, by action, and by month.

Definitions of kpis.md (inspections, penalties, fines_10k_cny), so county totals equal
the scoreboard's figures as of the same date. Marts: inspections_by_township_daily,
inspections_by_action_daily, county_activity_daily (month to date).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch


def by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Per township: inspections YTD and LY-same-period, the ranking's quota (2 inspections
    per 7 days by default) for the YTD and its completion, hazards found, penalties and fines."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select township_code, township_name, inspections, inspections_ly, quota, quota_pct, hazards_found,
               penalties, fines_10k_cny
        from marts.inspections_by_township_daily
        where as_of = ?
        order by township_code
        """,
        as_of,
    )


def by_action(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Actions taken in the year to date, most frequent first."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select action, inspections, hazards_found, fines_10k_cny, is_penalty
        from marts.inspections_by_action_daily
        where as_of = ? and inspections > 0
        order by inspections desc, action
        """,
        as_of,
    )


def by_month(viewer: Viewer, through: dt.date) -> pl.DataFrame:
    """Inspections, penalties and fines per month of every year, through a date: each
    month's month-to-date row on its last day (on the date itself for its month)."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select year, month, inspections_mtd as inspections, penalties_mtd as penalties,
               fines_10k_cny_mtd as fines_10k_cny
        from marts.county_activity_daily
        where as_of <= ? and (as_of = last_day(as_of) or as_of = ?) and inspections_mtd > 0
        order by year, month
        """,
        through,
        through,
    )
