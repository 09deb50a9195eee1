"""Reading the early-warning marts (README "Early warning"): the four under-reporting
signals and the township risk level as of a date, for the CLI, the dashboard, the
bulletin and the warnings. The figures are computed in dbt (marts/signals/); this module
only selects and reshapes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

# Order and Chinese names of the signals of the method (signals.md 1-4); the mart's
# columns are prefixed with these names (township_signals: self_report_drop__own, ...).
SIGNALS = {
    "self_report_drop": "自报骤降",
    "zero_run": "长期零报告",
    "late_report": "迟报补报",
    "enforcement_unreported": "执法发现未自报",
}
LEVELS = ("红", "橙", "黄", "蓝")
ALERT_LEVELS = ("红", "橙")


class SignalsError(RuntimeError):
    pass


@dataclass(frozen=True)
class AsOf:
    requested: dt.date
    used: dt.date

    @property
    def note(self) -> str | None:
        """Chinese note when the figures are those of an earlier computed date."""
        if self.used == self.requested:
            return None
        return (
            f"注：风险预警按周（每周日）及最新数据日计算，{self.requested} 没有单独结果，以下为截至 {self.used} 的结果"
        )


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    try:
        return con.sql(sql, params=params or None).pl()
    except duckdb.CatalogException as exc:
        raise SignalsError("数仓中还没有风险预警表：请先运行 `safetywh run`") from exc


def as_of_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    frame = _frame(con, "select distinct as_of from marts.township_risk order by as_of")
    return frame["as_of"].to_list()


def resolve_as_of(con: duckdb.DuckDBPyConnection, requested: dt.date) -> AsOf:
    """The computed as-of date to show for `requested`: itself when the marts hold it (every
    Sunday and the latest data day), else the latest one before it (decision: the marts are
    weekly; a weekday shows the week's Sunday and says so)."""
    dates = as_of_dates(con)
    if not dates:
        raise SignalsError("数仓中还没有数据，无法计算风险预警")
    earlier = [d for d in dates if d <= requested]
    if not earlier:
        raise SignalsError(f"{requested} 早于风险预警的第一个计算日（{dates[0]}），可选 {dates[0]} 至 {dates[-1]}")
    return AsOf(requested, earlier[-1])


def signals_frame(con: duckdb.DuckDBPyConnection, as_of: dt.date, township: str | None = None) -> pl.DataFrame:
    """The wide mart row per township as of a computed date (optionally one township)."""
    where = "where as_of = ?" + (" and township_code = ?" if township else "")
    params: list[Any] = [as_of] + ([township] if township else [])
    return _frame(con, f"select * from marts.township_signals {where} order by township_code", params)


def signals_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """One object per township and signal: township_code, signal, fires, figures, clue."""
    out = []
    for row in frame.to_dicts():
        for signal, label in SIGNALS.items():
            prefix = f"{signal}__"
            figures = {
                k[len(prefix) :]: _plain(v)
                for k, v in row.items()
                if k.startswith(prefix) and k[len(prefix) :] not in ("fires", "clue")
            }
            out.append(
                {
                    "as_of": str(row["as_of"]),
                    "township_code": row["township_code"],
                    "township_name": row["township_name"],
                    "signal": signal,
                    "signal_label": label,
                    "fires": bool(row[f"{prefix}fires"]),
                    "figures": figures,
                    "clue": row[f"{prefix}clue"],
                }
            )
    return out


def risk_frame(con: duckdb.DuckDBPyConnection, as_of: dt.date, township: str | None = None) -> pl.DataFrame:
    where = "where as_of = ?" + (" and township_code = ?" if township else "")
    params: list[Any] = [as_of] + ([township] if township else [])
    return _frame(con, f"select * from marts.township_risk {where} order by score desc, township_code", params)


def indicators_frame(con: duckdb.DuckDBPyConnection, as_of: dt.date, township: str | None = None) -> pl.DataFrame:
    where = "where as_of = ?" + (" and township_code = ?" if township else "")
    params: list[Any] = [as_of] + ([township] if township else [])
    return _frame(
        con,
        "select township_code, indicator, label, figure, unit, points, indicator_rank "
        f"from marts.township_risk_indicators {where} order by township_code, indicator_rank",
        params,
    )


def risk_records(risk: pl.DataFrame, indicators: pl.DataFrame) -> list[dict[str, Any]]:
    """One object per township: township_code, score, level, indicators (largest first)."""
    by_township: dict[str, list[dict[str, Any]]] = {}
    for row in indicators.to_dicts():
        by_township.setdefault(row["township_code"], []).append(
            {
                "indicator": row["indicator"],
                "label": row["label"],
                "points": row["points"],
                "figure": row["figure"],
                "unit": row["unit"],
            }
        )
    return [
        {
            "as_of": str(row["as_of"]),
            "township_code": row["township_code"],
            "township_name": row["township_name"],
            "score": row["score"],
            "level": row["level"],
            "level_name": row["level_name"],
            "is_floored": bool(row["is_floored"]),
            "indicators": by_township.get(row["township_code"], []),
        }
        for row in risk.to_dicts()
    ]


def backtest(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the summary row, the weekly rows) of the backtest."""
    return (
        _frame(con, "select * from marts.risk_backtest"),
        _frame(con, "select * from marts.risk_backtest_weekly order by week_end"),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
