"""总览: the KPI scoreboard as of a date, tables by sector and township, monthly trends."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch

SCOREBOARD_COLUMNS = (
    "as_of, metric_order, metric_id, label, value, ly_value, change, change_pct, change_text, "
    "target, target_kind, unit, status"
)

# metric_id -> trend chart; monthly amounts are differences of the marts' month-end YTD
# figures, so a year's bars add up to the scoreboard's value on 31 December.
TREND_METRICS = {
    "accidents": "生产安全事故（起）",
    "accident_deaths": "事故死亡（人）",
    "hazards_rectified": "隐患整改销号（项）",
    "inspections": "执法检查（次）",
}


def scoreboard(viewer: Viewer, as_of: dt.date, metric_ids: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The 18 KPIs of kpis.md as of a date (or the listed ones), in kpis.md's order."""
    require_login(viewer).require_leader()
    if metric_ids:
        marks = ", ".join("?" for _ in metric_ids)
        return fetch(
            f"select {SCOREBOARD_COLUMNS} from marts.kpi_scoreboard_daily "
            f"where as_of = ? and metric_id in ({marks}) order by metric_order",
            as_of,
            *metric_ids,
        )
    return fetch(
        f"select {SCOREBOARD_COLUMNS} from marts.kpi_scoreboard_daily where as_of = ? order by metric_order",
        as_of,
    )


def accidents_by_sector(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        "select sector, accidents, accidents_ly, accidents_change_text, deaths, deaths_ly, deaths_change_text "
        "from marts.accidents_by_sector_daily where as_of = ? order by accidents desc, deaths desc, sector",
        as_of,
    )


def by_township(viewer: Viewer, as_of: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        "select township_code, township_name, accidents, accidents_ly, accidents_change_text, deaths, deaths_ly, "
        "deaths_change_text, open_major_hazards, overdue_major_hazards, inspections, inspections_ly, "
        "forest_fires, forest_fires_ly, forest_fire_damaged_ha "
        "from marts.township_kpis_daily where as_of = ? order by township_code",
        as_of,
    )


def monthly_trends(viewer: Viewer, through: dt.date) -> pl.DataFrame:
    """Per metric, year and month: the amount of that month (through the given date).

    Accidents, deaths and inspections come from the scoreboard mart (month-end YTD values
    differenced); hazards rectified per month from county_activity_daily (each month's
    month-to-date row on its last day, or on the date itself for its month)."""
    require_login(viewer).require_leader()
    return fetch(
        """
        with ends as (
            select metric_id, year(as_of) as year, month(as_of) as month, value
            from marts.kpi_scoreboard_daily
            where metric_id in ('accidents', 'accident_deaths', 'inspections')
              and as_of <= ?
              and (as_of = last_day(as_of) or as_of = ?)
        ),
        from_marts as (
            select metric_id, year, month,
                   value - coalesce(lag(value) over (partition by metric_id, year order by month), 0) as amount
            from ends
        ),
        rectified as (
            select 'hazards_rectified' as metric_id, year(as_of) as year, month(as_of) as month,
                   cast(hazards_rectified_mtd as double) as amount
            from marts.county_activity_daily
            where as_of <= ? and (as_of = last_day(as_of) or as_of = ?) and hazards_rectified_mtd > 0
        )
        select metric_id, year, month, amount from from_marts
        union all
        select metric_id, year, month, amount from rectified
        order by metric_id, year, month
        """,
        through,
        through,
        through,
        through,
    )
