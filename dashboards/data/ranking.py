"""乡镇排名: the county ranking of a week, month or quarter (every login may see it)."""

from __future__ import annotations

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import PERIOD_TYPES, require_login
from dashboards.data.source import fetch

RANKING_COLUMNS = (
    "period_type, period, period_start, period_end, is_complete, as_of, rank, movement, township_code, "
    "township_name, total, s_acc, s_haz, s_enf, s_prep, s_rep, band, vetoed, veto_reason, red_list, named, "
    "weakest_component, weakest_component_label, weakest_component_lost, accidents, deaths, forest_fires, "
    "hazards_due, hazards_due_ontime, overdue_major_hazards, inspections, inspection_quota, has_depot, has_plan, "
    "has_drill, files_received, rows_loaded, rows_quarantined, report_weeks_due, report_weeks_on_time"
)


def _check(period_type: str) -> None:
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}")


def ranking(viewer: Viewer, period_type: str, period: str) -> pl.DataFrame:
    """The ranking table of one period, by rank then township code (as the bulletin lists it)."""
    require_login(viewer)
    _check(period_type)
    return fetch(
        f"select {RANKING_COLUMNS} from marts.township_rankings "
        "where period_type = ? and period = ? order by rank, township_code",
        period_type,
        period,
    )


def rank_history(viewer: Viewer, period_type: str, township_codes: tuple[str, ...]) -> pl.DataFrame:
    """Rank and total of the given townships in every period of one kind."""
    require_login(viewer)
    _check(period_type)
    if not township_codes:
        return fetch(
            "select period, period_end, township_code, township_name, rank, total, band "
            "from marts.township_rankings where false"
        )
    marks = ", ".join("?" for _ in township_codes)
    return fetch(
        "select period, period_end, township_code, township_name, rank, total, band "
        f"from marts.township_rankings where period_type = ? and township_code in ({marks}) "
        "order by township_code, period_end",
        period_type,
        *township_codes,
    )


def summary(viewer: Viewer, period_type: str, period: str) -> dict:
    """Headline counts of a period: townships ranked, average total of the non-vetoed,
    red list, named and vetoed townships."""
    require_login(viewer)
    _check(period_type)
    return fetch(
        "select count(*) as townships, round(avg(total) filter (where not vetoed), 2) as average_total, "
        "count(*) filter (where red_list) as red_list, count(*) filter (where named) as named, "
        "count(*) filter (where vetoed) as vetoed "
        "from marts.township_rankings where period_type = ? and period = ?",
        period_type,
        period,
    ).row(0, named=True)
