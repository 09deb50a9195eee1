"""风险预警: the township risk level, the under-reporting clues and the backtest
(marts/signals/). A leader sees the county; a township clerk only its own township: every
function checks the login before any SQL runs."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import NoData, fetch
from pipelines.lib.signals import SIGNALS


def _scope(viewer: Viewer, township_code: str | None) -> None:
    """None = the whole county (leaders only); a code = that township (its clerk or a leader)."""
    require_login(viewer)
    if township_code is None:
        viewer.require_leader()
    else:
        viewer.require_township(township_code)


def risk_dates(viewer: Viewer) -> list[dt.date]:
    """The dates the level is computed as of (every Sunday and the latest data day), latest first."""
    require_login(viewer)
    dates = fetch("select distinct as_of from marts.township_risk order by as_of desc")["as_of"].to_list()
    if not dates:
        raise NoData("还没有风险预警结果：请先运行 `safetywh run`")
    return dates


def levels(viewer: Viewer, as_of: dt.date, township_code: str | None = None) -> pl.DataFrame:
    """Each township's score, level and main indicators as of a date, highest score first."""
    _scope(viewer, township_code)
    sql = ("select township_code, township_name, score, level_rank, level, level_name, is_floored, main_indicators "
           "from marts.township_risk where as_of = ?")
    params: list = [as_of]
    if township_code is not None:
        sql += " and township_code = ?"
        params.append(township_code)
    return fetch(sql + " order by level_rank desc, score desc, township_code", *params)


def indicators(viewer: Viewer, as_of: dt.date, township_code: str) -> pl.DataFrame:
    """The indicators behind one township's level, largest first."""
    _scope(viewer, township_code)
    return fetch(
        "select indicator_rank, label, figure, unit, points from marts.township_risk_indicators "
        "where as_of = ? and township_code = ? order by indicator_rank",
        as_of, township_code,
    )


def clues(viewer: Viewer, as_of: dt.date, township_code: str | None = None) -> pl.DataFrame:
    """The signals firing as of a date, one row per township and signal, with the clue sentence."""
    _scope(viewer, township_code)
    parts = [
        f"select township_code, township_name, '{label}' as signal_label, {signal}__clue as clue "
        f"from marts.township_signals where as_of = ? and {signal}__fires"
        + (" and township_code = ?" if township_code else "")
        for signal, label in SIGNALS.items()
    ]
    params: list = []
    for _ in SIGNALS:
        params += [as_of] + ([township_code] if township_code else [])
    return fetch(" union all ".join(parts) + " order by township_code, signal_label", *params)


def trend(viewer: Viewer, since: dt.date, township_code: str | None = None) -> pl.DataFrame:
    """Each township's level on every Sunday since a date."""
    _scope(viewer, township_code)
    sql = ("select as_of, township_code, township_name, score, level_rank, level from marts.township_risk "
           "where as_of >= ? and isodow(as_of) = 7")
    params: list = [since]
    if township_code is not None:
        sql += " and township_code = ?"
        params.append(township_code)
    return fetch(sql + " order by as_of, township_code", *params)


def backtest(viewer: Viewer) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the summary row, the weekly rows) of the backtest: leaders only."""
    _scope(viewer, None)
    return (fetch("select * from marts.risk_backtest"),
            fetch("select * from marts.risk_backtest_weekly order by week_end desc"))
