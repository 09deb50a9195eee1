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


def _of_township(sql: str, params: list, township_code: str | None) -> tuple[str, list]:
    """``sql`` narrowed to one township when one is asked for (access was checked before)."""
    if township_code is None:
        return sql, params
    return sql + " and township_code = ?", [*params, township_code]


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
    sql, params = _of_township(
        "select township_code, township_name, score, level_rank, level, level_name, is_floored, main_indicators "
        "from marts.township_risk where as_of = ?",
        [as_of],
        township_code,
    )
    return fetch(sql + " order by level_rank desc, score desc, township_code", *params)


def indicators(viewer: Viewer, as_of: dt.date, township_code: str) -> pl.DataFrame:
    """The indicators behind one township's level, largest first."""
    _scope(viewer, township_code)
    return fetch(
        "select indicator_rank, label, figure, unit, points from marts.township_risk_indicators "
        "where as_of = ? and township_code = ? order by indicator_rank",
        as_of,
        township_code,
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
    sql, params = _of_township(
        "select as_of, township_code, township_name, score, level_rank, level from marts.township_risk "
        "where as_of >= ? and isodow(as_of) = 7",
        [since],
        township_code,
    )
    return fetch(sql + " order by as_of, township_code", *params)


def backtest(viewer: Viewer) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the summary row, the weekly rows) of the backtest: leaders only."""
    _scope(viewer, None)
    return (
        fetch("select * from marts.risk_backtest"),
        fetch("select * from marts.risk_backtest_weekly order by week_end desc"),
    )


# ---------------------------------------------------------------- warnings and 叫应


def _home():
    import os

    from warehouse.home import Home

    return Home.resolve(os.environ.get("SAFETYWH_HOME"))


def _now() -> dt.datetime:
    from zoneinfo import ZoneInfo

    from pipelines.lib.profile import load_profile

    return dt.datetime.now(ZoneInfo(load_profile().timezone)).replace(tzinfo=None)


def warnings(viewer: Viewer, township_code: str | None = None) -> pl.DataFrame:
    """The warnings issued (latest first) with who acknowledged them and when, and whether
    they are overdue (not acknowledged within 24 hours). The acknowledgements are read
    fresh from the home's store, never cached."""
    from dashboards.data.source import has_table
    from pipelines.lib.risk_warnings import WARNING_SCHEMA, acknowledgements, warnings_with_acks

    _scope(viewer, township_code)
    if not has_table("meta", "risk_warnings"):
        return warnings_with_acks(pl.DataFrame(schema=WARNING_SCHEMA), acknowledgements(_home()), _now())
    sql = f"select {', '.join(WARNING_SCHEMA)} from meta.risk_warnings"
    params: list = []
    if township_code is not None:
        sql += " where township_code = ?"
        params.append(township_code)
    frame = fetch(sql + " order by created_at desc, township_code", *params)
    return warnings_with_acks(frame, acknowledgements(_home()), _now())


def acknowledge(viewer: Viewer, warning_id: str) -> bool:
    """The clerk of the warned township acknowledges it (叫应); the account comes from the
    login. A leader cannot acknowledge for a township."""
    from pipelines.lib.risk_warnings import acknowledge as record

    require_login(viewer)
    if viewer.role != "township" or not viewer.township_code:
        from dashboards.auth import AccessDenied

        raise AccessDenied("只有被预警乡镇的账号可以确认收到")
    mine = warnings(viewer, viewer.township_code).filter(pl.col("warning_id") == warning_id)
    if mine.height == 0:
        from dashboards.auth import AccessDenied

        raise AccessDenied("这条预警不是发给本乡镇的")
    return record(_home(), warning_id, viewer.township_code, viewer.username, _now())
