"""Read the published numbers: the KPI scoreboard as of a date and the township ranking of
a period (dbt marts kpi_scoreboard_daily and township_rankings; issue "The numbers").

The figures are computed in dbt; these functions only select them, with clear errors for
a date outside the data or a malformed period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

SCOREBOARD_COLUMNS = (
    "as_of",
    "metric_order",
    "metric_id",
    "label",
    "value",
    "ly_value",
    "change",
    "change_pct",
    "change_text",
    "target",
    "target_kind",
    "unit",
    "status",
)

RANKING_COLUMNS = (
    "period_type",
    "period",
    "period_start",
    "period_end",
    "is_complete",
    "as_of",
    "rank",
    "movement",
    "township_code",
    "township_name",
    "total",
    "s_acc",
    "s_haz",
    "s_enf",
    "s_prep",
    "s_rep",
    "band",
    "vetoed",
    "veto_reason",
    "red_list",
    "named",
    "weakest_component",
    "weakest_component_label",
    "weakest_component_lost",
    "accidents",
    "deaths",
    "forest_fires",
    "hazards_due",
    "hazards_due_ontime",
    "overdue_major_hazards",
    "inspections",
    "inspection_quota",
    "has_depot",
    "has_plan",
    "has_drill",
    "files_received",
    "rows_loaded",
    "rows_quarantined",
    "report_weeks_due",
    "report_weeks_on_time",
)

_PERIOD = re.compile(r"^(?P<year>\d{4})-(?:W(?P<week>\d{2})|Q(?P<quarter>\d)|(?P<month>\d{2}))$")
_KIND_NAMES = {"week": "周", "month": "月", "quarter": "季度"}


class NumbersError(ValueError):
    """A request the published numbers cannot answer (message in Chinese, for the user)."""


@dataclass(frozen=True)
class Period:
    period_type: str  # week | month | quarter
    label: str  # 2023-W14 | 2023-04 | 2023-Q2


def parse_period(text: str) -> Period:
    """`2023-W14` (ISO week), `2023-04` (month) or `2023-Q2` (quarter); anything else is an error."""
    cleaned = (text or "").strip().upper()
    match = _PERIOD.match(cleaned)
    if match:
        year = int(match["year"])
        if match["week"] is not None:
            week = int(match["week"])
            # an ISO year has 52 or 53 weeks: week 53 exists when 28 December falls in it
            if 1 <= week <= date(year, 12, 28).isocalendar()[1]:
                return Period("week", f"{year:04d}-W{week:02d}")
        elif match["quarter"] is not None:
            if 1 <= int(match["quarter"]) <= 4:
                return Period("quarter", cleaned)
        elif 1 <= int(match["month"]) <= 12:
            return Period("month", cleaned)
    raise NumbersError(f"周期格式不正确：{text!r}。应为 ISO 周（如 2023-W14）、月（如 2023-04）或季度（如 2023-Q2）")


def period_start(period: Period) -> date:
    """The first day of a parsed period (Monday of an ISO week, the 1st of a month or quarter)."""
    year = int(period.label[:4])
    if period.period_type == "week":
        return date.fromisocalendar(year, int(period.label[6:]), 1)
    if period.period_type == "quarter":
        return date(year, 3 * int(period.label[6:]) - 2, 1)
    return date(year, int(period.label[5:]), 1)


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    try:
        return con.sql(sql, params=params or None).pl()
    except duckdb.CatalogException as exc:
        raise NumbersError("数仓中还没有指标表（marts）：请先运行 `safetywh run`") from exc


def data_dates(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """First and last date the scoreboard covers, or None when the data is empty."""
    row = _query(con, "select min(as_of) as first, max(as_of) as last from marts.kpi_scoreboard_daily").row(0)
    return None if row[0] is None else (row[0], row[1])


def scoreboard(con: duckdb.DuckDBPyConnection, as_of: date) -> pl.DataFrame:
    """The 19 KPIs of kpis.md as of ``as_of``, in the order of kpis.md."""
    covered = data_dates(con)
    if covered is None:
        raise NumbersError("数仓中还没有数据，无法计算指标")
    first, last = covered
    if not first <= as_of <= last:
        raise NumbersError(f"{as_of} 不在数据覆盖的日期范围内（{first} 至 {last}）")
    columns = ", ".join(SCOREBOARD_COLUMNS)
    return _query(
        con,
        f"select {columns} from marts.kpi_scoreboard_daily where as_of = ? order by metric_order",
        [as_of],
    )


def ranking(con: duckdb.DuckDBPyConnection, period: str) -> pl.DataFrame:
    """The township ranking of a week, month or quarter: by rank, ties by township code."""
    wanted = parse_period(period)
    columns = ", ".join(RANKING_COLUMNS)
    frame = _query(
        con,
        f"select {columns} from marts.township_rankings where period_type = ? and period = ? "
        "order by rank, township_code",
        [wanted.period_type, wanted.label],
    )
    if frame.height == 0:
        first, last, first_start = _query(
            con,
            "select min_by(period, period_start) as first, max_by(period, period_start) as last, "
            "min(period_start) as first_start from marts.township_rankings where period_type = ?",
            [wanted.period_type],
        ).row(0)
        kind = _KIND_NAMES[wanted.period_type]
        if first is None:
            raise NumbersError(f"数据中没有任何{kind}的排名")
        ranked = f"有排名的{kind}：{first} 至 {last}"
        start = period_start(wanted)
        if start < first_start:
            # ranking.md: a period that starts before the data does is not ranked (it would
            # score every township on days nobody reported and name them all).
            ranking_start = _query(con, "select min(period_start) as s from marts.township_rankings").row(0)[0]
            if start < ranking_start:
                raise NumbersError(
                    f"{wanted.label} 始于 {start}，早于排名数据的起始日 {ranking_start}："
                    f"起始于数据之前的周期不参与排名（{ranked}）"
                )
        raise NumbersError(f"{wanted.label} 不在数据中（{ranked}）")
    return frame
