"""What every page needs: the dates the data covers, the townships, the ranked periods."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import AccessDenied, Viewer
from dashboards.data.source import NoData, fetch

PERIOD_TYPES = ("week", "month", "quarter")


def require_login(viewer: Viewer | None) -> Viewer:
    """No data without a login: every query function starts here."""
    if not isinstance(viewer, Viewer):
        raise AccessDenied("请先登录")
    return viewer


def data_dates(viewer: Viewer) -> tuple[dt.date, dt.date]:
    """First and last date the scoreboard covers."""
    require_login(viewer)
    frame = fetch("select min(as_of) as first, max(as_of) as last from marts.kpi_scoreboard_daily")
    first, last = frame.row(0)
    if first is None:
        raise NoData("数仓中还没有数据：请先放入报送文件并运行 `safetywh run`")
    return first, last


def clamp_date(viewer: Viewer, wanted: dt.date | None) -> dt.date:
    """A date inside the data (the latest when none is asked for)."""
    first, last = data_dates(viewer)
    if wanted is None:
        return last
    return min(max(wanted, first), last)


def townships(viewer: Viewer) -> pl.DataFrame:
    """The county's townships (code, name, short name, kind) in code order; a township login
    gets its own only, so a picker fed from here can offer nothing else."""
    require_login(viewer)
    frame = fetch(
        "select township_code, township_name, short_name, kind, forest_area_ha "
        "from marts.townships order by township_code"
    )
    if not viewer.is_leader:
        frame = frame.filter(pl.col("township_code") == viewer.township_code)
    return frame


def ranked_periods(viewer: Viewer, period_type: str) -> pl.DataFrame:
    """Periods of one kind that have a ranking, latest first, with whether they are complete."""
    require_login(viewer)
    if period_type not in PERIOD_TYPES:
        raise ValueError(period_type)
    return fetch(
        "select period, any_value(period_start) as period_start, any_value(period_end) as period_end, "
        "bool_and(is_complete) as is_complete, any_value(as_of) as as_of "
        "from marts.township_rankings where period_type = ? group by period order by period_end desc",
        period_type,
    )
