"""执法检查: inspections in the year to date by township, by action, and by month.

Definitions of kpis.md (inspections, penalties, fines_10k_cny), so county totals equal
the scoreboard's figures as of the same date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch

PENALTY_ACTIONS = "('罚款', '停产整顿', '关闭取缔', '移送司法')"


def by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    """Per township: inspections YTD and LY-same-period (township mart), hazards found,
    penalties and fines, and the ranking's quota (2 inspections per 7 days) for the YTD."""
    require_login(viewer).require_leader()
    return fetch(
        f"""
        with params as (
            select ?::date as d, date_trunc('year', ?::date)::date as y0,
                   (select num_value from ref.settings where key = 'ranking.inspections_per_7_days') as per_week
        ),
        ytd as (
            select township_code, sum(hazards_found) as hazards_found,
                   count(*) filter (where action in {PENALTY_ACTIONS}) as penalties,
                   coalesce(sum(fine_10k_cny), 0) as fines_10k_cny
            from staging.stg_ledgers__inspections, params
            where inspected_on between y0 and d
            group by 1
        )
        select k.township_code, k.township_name, k.inspections, k.inspections_ly,
               round((date_diff('day', y0, d) + 1) * per_week / 7, 2) as quota,
               round(100.0 * k.inspections / nullif((date_diff('day', y0, d) + 1) * per_week / 7, 0), 1)
                   as quota_pct,
               coalesce(ytd.hazards_found, 0) as hazards_found, coalesce(ytd.penalties, 0) as penalties,
               coalesce(ytd.fines_10k_cny, 0) as fines_10k_cny
        from marts.township_kpis_daily as k
        cross join params
        left join ytd on ytd.township_code = k.township_code
        where k.as_of = params.d
        order by k.township_code
        """,
        as_of, as_of,
    )


def by_action(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        f"""
        select action, count(*) as inspections, sum(hazards_found) as hazards_found,
               coalesce(sum(fine_10k_cny), 0) as fines_10k_cny,
               action in {PENALTY_ACTIONS} as is_penalty
        from staging.stg_ledgers__inspections
        where inspected_on between date_trunc('year', ?::date) and ?
        group by action order by inspections desc, action
        """,
        as_of, as_of,
    )


def by_month(viewer: Viewer, through: dt.date) -> pl.DataFrame:
    """Inspections, penalties and fines per month of every year, through a date."""
    require_login(viewer).require_leader()
    return fetch(
        f"""
        select year(inspected_on) as year, month(inspected_on) as month, count(*) as inspections,
               count(*) filter (where action in {PENALTY_ACTIONS}) as penalties,
               coalesce(sum(fine_10k_cny), 0) as fines_10k_cny
        from staging.stg_ledgers__inspections
        where inspected_on <= ? and inspected_on >= (select min(as_of) from marts.kpi_scoreboard_daily)
        group by all order by year, month
        """,
        through,
    )
