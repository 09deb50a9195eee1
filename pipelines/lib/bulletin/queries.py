"""What a publication reads from the marts, on a read-only connection.

The ranking and the scoreboard come through pipelines.lib.numbers (the same selection as
`safetywh ranking` and `safetywh kpis`, so the documents and the CLI cannot disagree);
the figures of the sentences from marts.bulletin_figures; the rest is selected here.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.lib import numbers

DATA_QUALITY_TABLE = "data_quality_by_sender"
# The columns the data-quality list needs from marts.data_quality_by_sender.
DATA_QUALITY_COLUMNS = (
    "sender_code",
    "sender_name",
    "sender_kind",
    "files_received",
    "files_rejected",
    "rows_loaded",
    "rows_quarantined",
    "pass_rate",
    "files_due",
    "files_on_time",
    "files_late",
    "files_missing",
    "events_reported",
    "events_late",
    "on_time_rate",
)


def ranking(con: duckdb.DuckDBPyConnection, label: str) -> pl.DataFrame:
    return numbers.ranking(con, label)


def scoreboard(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    return numbers.scoreboard(con, as_of)


def figures(con: duckdb.DuckDBPyConnection, kind: str, label: str) -> dict | None:
    """The figures the sentences carry (marts.bulletin_figures: totals, last year's, the 同比
    wording, the rates as read); None when the period is not ranked."""
    rows = con.sql(
        "select * from marts.bulletin_figures where period_type = ? and period = ?", params=[kind, label]
    ).pl()
    return rows.row(0, named=True) if rows.height else None


def supervised_hazards(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    """The 挂牌督办 list as of a date: overdue first, longest overdue first."""
    return con.sql(
        """select hazard_id, township_code, township_name, enterprise_name, sector, level, is_supervised,
                  description, found_on, deadline, is_overdue, days_overdue, days_open, funds_10k_cny
           from marts.major_and_supervised_hazards where as_of = ?
           order by is_overdue desc, days_overdue desc, deadline, hazard_id""",
        params=[as_of],
    ).pl()


def data_quality(con: duckdb.DuckDBPyConnection, kind: str, label: str) -> pl.DataFrame:
    """Per sender: what was due and how it came, what was received and quarantined (no row
    when the period is not wholly inside the reporting window)."""
    return con.sql(
        f"""select {", ".join(DATA_QUALITY_COLUMNS)} from marts.{DATA_QUALITY_TABLE}
            where period_type = ? and period = ? order by sender_kind, sender_code""",
        params=[kind, label],
    ).pl()


def latest_data_on(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    covered = numbers.data_dates(con)
    return covered[1] if covered else None


def risk_levels(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[dt.date | None, list[dict]]:
    """(the latest date the risk level is computed as of on or before as_of, the townships at
    红 or 橙 then with their two largest indicators), highest first; (None, []) without marts."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'township_risk'"
    ).fetchall()[0][0]
    if not exists:
        return None, []
    used = con.execute("select max(as_of) from marts.township_risk where as_of <= ?", [as_of]).fetchall()[0][0]
    if used is None:
        return None, []
    rows = (
        con.sql(
            """
        select r.township_code, r.township_name, r.score, r.level,
               string_agg(i.label || i.figure || i.unit, '、' order by i.indicator_rank) as top_indicators
        from marts.township_risk as r
        left join marts.township_risk_indicators as i
            on i.as_of = r.as_of and i.township_code = r.township_code and i.indicator_rank <= 2
        where r.as_of = ? and r.level in ('红', '橙')
        group by r.township_code, r.township_name, r.score, r.level, r.level_rank
        order by r.level_rank desc, r.score desc, r.township_code
    """,
            params=[used],
        )
        .pl()
        .to_dicts()
    )
    return used, rows
