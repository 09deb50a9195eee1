"""乡镇详情: one township's figures. Every function refuses a township the login may not see."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import PERIOD_TYPES, require_login
from dashboards.data.source import NoData, fetch


def _allowed(viewer: Viewer, township_code: str) -> None:
    require_login(viewer).require_township(township_code)


def kpis(viewer: Viewer, township_code: str, as_of: dt.date) -> pl.DataFrame:
    """The township's row of township_kpis_daily as of a date (YTD vs LY-same-period)."""
    _allowed(viewer, township_code)
    return fetch(
        "select * from marts.township_kpis_daily where township_code = ? and as_of = ?",
        township_code,
        as_of,
    )


def components(viewer: Viewer, township_code: str, period_type: str) -> pl.DataFrame:
    """Its ranking in every period of one kind: rank, total and the five components."""
    _allowed(viewer, township_code)
    if period_type not in PERIOD_TYPES:
        raise ValueError(period_type)
    return fetch(
        "select period, period_end, is_complete, rank, movement, total, s_acc, s_haz, s_enf, s_prep, s_rep, band, "
        "vetoed, veto_reason, weakest_component_label, has_depot, has_plan, has_drill "
        "from marts.township_rankings where township_code = ? and period_type = ? order by period_end",
        township_code,
        period_type,
    )


def accidents(viewer: Viewer, township_code: str, as_of: dt.date) -> pl.DataFrame:
    """Accidents in the township in the year to date (no personal data: the ledger has none
    beyond the summary, which the mart leaves out)."""
    _allowed(viewer, township_code)
    return fetch(
        "select accident_id, occurred_at, sector, accident_type, deaths, serious_injuries, direct_loss_10k_cny, grade "
        "from marts.accidents "
        "where township_code = ? and occurred_on between date_trunc('year', ?::date) and ? "
        "order by occurred_at desc",
        township_code,
        as_of,
        as_of,
    )


def open_hazards(viewer: Viewer, township_code: str, as_of: dt.date) -> pl.DataFrame:
    """Hazards found by the date and not rectified by it, overdue ones first."""
    _allowed(viewer, township_code)
    return fetch(
        """
        select hazard_id, level, is_supervised, description, enterprise_name, found_on, deadline, is_overdue,
               days_overdue, sender_code
        from marts.open_hazards_daily
        where township_code = ? and as_of = ?
        order by days_overdue desc, level desc, deadline, hazard_id
        """,
        township_code,
        as_of,
    )


def inspections_by_month(viewer: Viewer, township_code: str, as_of: dt.date) -> pl.DataFrame:
    """Inspections in the township per month of the year to date: each month's month-to-date
    row on its last day (on the date itself for its month)."""
    _allowed(viewer, township_code)
    return fetch(
        """
        select strftime(as_of, '%Y-%m') as month, inspections_mtd as inspections, hazards_found_mtd as hazards_found,
               penalties_mtd as penalties, fines_10k_cny_mtd as fines_10k_cny
        from marts.inspections_by_township_daily
        where township_code = ? and as_of between date_trunc('year', ?::date) and ?
          and (as_of = last_day(as_of) or as_of = ?) and inspections_mtd > 0
        order by month
        """,
        township_code,
        as_of,
        as_of,
        as_of,
    )


def depot(viewer: Viewer, township_code: str) -> pl.DataFrame:
    _allowed(viewer, township_code)
    return fetch(
        "select status, completed_on, item_kinds, item_count from marts.reserve_depots where township_code = ?",
        township_code,
    )


def plans(viewer: Viewer, township_code: str) -> pl.DataFrame:
    _allowed(viewer, township_code)
    return fetch(
        "select plan_id, owner_unit, plan_type, issued_on, filed_on from marts.plans "
        "where township_code = ? order by issued_on desc, plan_id",
        township_code,
    )


def drills(viewer: Viewer, township_code: str, as_of: dt.date) -> pl.DataFrame:
    """Drills and trainings held in the township in the 365 days ending the date (the
    window of the ranking's preparedness component)."""
    _allowed(viewer, township_code)
    return fetch(
        "select held_on, kind, subject, team_id, participants from marts.drills "
        "where township_code = ? and held_on between ?::date - 364 and ? order by held_on desc",
        township_code,
        as_of,
        as_of,
    )


def reporting(viewer: Viewer, township_code: str) -> pl.DataFrame:
    """The township's reporting record per month (data-quality mart)."""
    _allowed(viewer, township_code)
    return fetch(
        "select period, files_due, files_on_time, files_late, files_missing, files_received, files_rejected, "
        "rows_loaded, rows_quarantined, pass_rate, on_time_rate "
        "from marts.data_quality_by_sender where sender_code = ? and period_type = 'month' order by period desc",
        township_code,
    )


def quarantine_reasons(viewer: Viewer, township_code: str) -> pl.DataFrame:
    """Why rows the township sent were quarantined (cells by rule and column)."""
    _allowed(viewer, township_code)
    return fetch(
        "select column_header, reason, count(*) as cells, count(distinct (file_id, row_number)) as rows "
        "from marts.data_quality_quarantined_cells where sender_code = ? "
        "group by all order by rows desc, column_header",
        township_code,
    )


def preparedness_status(viewer: Viewer, township_code: str, as_of: dt.date) -> dict:
    """The three preparedness checks of the ranking, as of a date: depot built, a 总体 plan
    filed, a drill or training in the 365 days ending the date."""
    _allowed(viewer, township_code)
    frame = fetch(
        """
        select depot_status, depot_completed_on, has_depot, plans_registered as plans, overall_plans_filed,
               drills_365_days as drills_365, last_drill_on
        from marts.township_preparedness_daily
        where township_code = ? and as_of = ?
        """,
        township_code,
        as_of,
    )
    if frame.height == 0:
        raise NoData(f"{as_of:%Y-%m-%d} 不在数据覆盖的日期内")
    return frame.row(0, named=True)


def weekly_trend(viewer: Viewer, township_code: str, as_of: dt.date) -> pl.DataFrame:
    """The township's open and overdue major hazards at each week's end (Sunday), the last
    two years to the date: its own trend beside the ranking's."""
    _allowed(viewer, township_code)
    return fetch(
        """
        select as_of, open_major_hazards, overdue_major_hazards
        from marts.township_kpis_daily
        where township_code = ? and as_of <= ? and as_of > ?::date - interval 2 year
          and (dayofweek(as_of) = 0 or as_of = ?)
        order by as_of
        """,
        township_code,
        as_of,
        as_of,
        as_of,
    )
