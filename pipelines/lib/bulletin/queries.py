"""What a publication reads from the marts, on a read-only connection.

The ranking and the scoreboard come through pipelines.lib.numbers (the same selection as
`safetywh ranking` and `safetywh kpis`, so the documents and the CLI cannot disagree);
the rest is selected here.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.lib import numbers

DATA_QUALITY_TABLE = "data_quality_by_sender"
# The columns the data-quality section needs from marts.data_quality_by_sender; when the
# mart is missing (or older), the section falls back to the file register.
DATA_QUALITY_COLUMNS = (
    "sender_code", "sender_name", "sender_kind", "files_received", "files_rejected", "rows_loaded",
    "rows_quarantined", "pass_rate", "files_due", "files_on_time", "files_late", "files_missing",
    "events_reported", "events_late", "on_time_rate",
)


def ranking(con: duckdb.DuckDBPyConnection, label: str) -> pl.DataFrame:
    return numbers.ranking(con, label)


def scoreboard(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    return numbers.scoreboard(con, as_of)


def period_totals(con: duckdb.DuckDBPyConnection, kind: str, label: str) -> dict | None:
    """County totals of one period summed over the townships; None when it is not ranked
    (a period before the data: no year-on-year comparison)."""
    rows = con.sql(
        """select count(*) as townships, sum(accidents) as accidents, sum(deaths) as deaths,
                  sum(forest_fires) as forest_fires, sum(hazards_due) as hazards_due,
                  sum(hazards_due_ontime) as hazards_due_ontime, sum(inspections) as inspections,
                  sum(overdue_major_hazards) as overdue_major_hazards
           from marts.township_rankings where period_type = ? and period = ?""",
        params=[kind, label],
    ).fetchall()
    row = rows[0] if rows else None
    if not row or not row[0]:
        return None
    keys = ("townships", "accidents", "deaths", "forest_fires", "hazards_due", "hazards_due_ontime", "inspections",
            "overdue_major_hazards")
    return {k: int(v or 0) for k, v in zip(keys, row)}


def supervised_hazards(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    """The 挂牌督办 list as of a date: overdue first, longest overdue first."""
    return con.sql(
        """select hazard_id, township_code, township_name, enterprise_name, sector, level, is_supervised,
                  description, found_on, deadline, is_overdue, days_overdue, days_open, funds_10k_cny
           from marts.major_and_supervised_hazards where as_of = ?
           order by is_overdue desc, days_overdue desc, deadline, hazard_id""",
        params=[as_of],
    ).pl()


def _has_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: tuple[str, ...]) -> bool:
    found = {
        r[0]
        for r in con.sql(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            params=[schema, table],
        ).fetchall()
    }
    return set(columns) <= found


def data_quality(con: duckdb.DuckDBPyConnection, kind: str, label: str, start: dt.date,
                 end: dt.date) -> tuple[pl.DataFrame, str]:
    """Per sender: what was due and how it came, what was received and quarantined.

    Returns (frame, source): source "mart" when marts.data_quality_by_sender has the period,
    "files" when it is read from the file register instead (lateness then unknown: null).
    """
    if _has_columns(con, "marts", DATA_QUALITY_TABLE, DATA_QUALITY_COLUMNS):
        frame = con.sql(
            f"""select {', '.join(DATA_QUALITY_COLUMNS)} from marts.{DATA_QUALITY_TABLE}
                where period_type = ? and period = ? order by sender_kind, sender_code""",
            params=[kind, label],
        ).pl()
        if frame.height:
            return frame, "mart"
    # Fallback: the file register (received during the period) and the sender register.
    frame = con.sql(
        """with f as (
               select sender_code, count(*) as files_received,
                      count(*) filter (where status = 'rejected') as files_rejected,
                      sum(rows_loaded) as rows_loaded, sum(rows_quarantined) as rows_quarantined
               from staging.stg_warehouse__files where received_on between ? and ? group by 1)
           select s.sender_code, s.sender_name, s.sender_kind,
                  coalesce(f.files_received, 0)::integer as files_received,
                  coalesce(f.files_rejected, 0)::integer as files_rejected,
                  coalesce(f.rows_loaded, 0)::bigint as rows_loaded,
                  coalesce(f.rows_quarantined, 0)::bigint as rows_quarantined,
                  case when coalesce(f.rows_loaded, 0) + coalesce(f.rows_quarantined, 0) > 0
                       then f.rows_loaded / (f.rows_loaded + f.rows_quarantined) end as pass_rate,
                  null::integer as files_due, null::integer as files_on_time, null::integer as files_late,
                  null::integer as files_missing, null::integer as events_reported, null::integer as events_late,
                  null::double as on_time_rate
           from staging.stg_profile__senders s left join f using (sender_code)
           order by s.sender_kind, s.sender_code""",
        params=[start, end],
    ).pl()
    return frame, "files"


def latest_data_on(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    covered = numbers.data_dates(con)
    return covered[1] if covered else None
