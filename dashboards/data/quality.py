"""数据质量: per sender and period, reports due / on time / late / missing, files and rows
received, loaded, quarantined; why rows were quarantined; rejected files.

The per-sender figures come from the data-quality marts (marts.data_quality_by_sender,
marts.data_quality_deliveries); files and quarantined cells from marts.data_quality_files
and marts.data_quality_quarantined_cells (feed names there come from the feed contracts).
Should a warehouse predate the per-sender marts, ``has_marts`` is false and the page falls
back to counting the files of the year.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch, has_table
from pipelines.lib.rules import ROW_RULES

DQ_PERIOD_TYPES = ("week", "month", "quarter", "year")

# rule code -> its short Chinese name, as a SQL CASE (one source: pipelines.lib.rules)
_RULE_LABEL = (
    "case rule "
    + " ".join(f"when '{code}' then '{label}'" for code, (label, _) in ROW_RULES.items())
    + " else rule end"
)


def has_marts(viewer: Viewer) -> bool:
    require_login(viewer).require_leader()
    return has_table("marts", "data_quality_by_sender")


def periods(viewer: Viewer, period_type: str) -> pl.DataFrame:
    require_login(viewer).require_leader()
    if period_type not in DQ_PERIOD_TYPES:
        raise ValueError(period_type)
    return fetch(
        "select distinct period, period_start, period_end from marts.data_quality_by_sender "
        "where period_type = ? order by period_end desc",
        period_type,
    )


def by_sender(viewer: Viewer, period_type: str, period: str) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        "select sender_code, sender_name, sender_kind, files_due, files_on_time, files_late, files_missing, "
        "files_pending, events_reported, events_on_time, events_late, files_received, files_loaded, "
        "files_rejected, files_duplicate, rows_loaded, rows_quarantined, rows_skipped, pass_rate, on_time_rate "
        "from marts.data_quality_by_sender where period_type = ? and period = ? "
        "order by sender_kind, sender_code",
        period_type,
        period,
    )


def totals(viewer: Viewer, period_type: str, period: str) -> dict:
    """County totals of a period over every sender."""
    require_login(viewer).require_leader()
    return fetch(
        "select sum(files_due) as files_due, sum(files_on_time) as files_on_time, sum(files_late) as files_late, "
        "sum(files_missing) as files_missing, sum(files_received) as files_received, "
        "sum(files_rejected) as files_rejected, sum(rows_loaded) as rows_loaded, "
        "sum(rows_quarantined) as rows_quarantined "
        "from marts.data_quality_by_sender where period_type = ? and period = ?",
        period_type,
        period,
    ).row(0, named=True)


def late_or_missing(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Reports covering the period that came late or not at all."""
    require_login(viewer).require_leader()
    return fetch(
        "select sender_name, feed_label, period, due_at, status, delivered_at, "
        "round(late_seconds / 3600.0, 1) as late_hours, delivered_path "
        "from marts.data_quality_deliveries "
        "where status in ('late', 'missing') and period_end between ? and ? "
        "order by status desc, due_at, sender_name",
        start,
        end,
    )


def files_by_sender(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Fallback without the per-sender marts: files and rows per sender received in the dates."""
    require_login(viewer).require_leader()
    return fetch(
        """
        select sender_code, sender_name, count(*) as files_received,
               count(*) filter (where status = 'loaded') as files_loaded,
               count(*) filter (where status = 'rejected') as files_rejected,
               count(*) filter (where status = 'duplicate') as files_duplicate,
               sum(rows_loaded) as rows_loaded, sum(rows_quarantined) as rows_quarantined,
               sum(rows_skipped) as rows_skipped
        from marts.data_quality_files
        where received_on between ? and ?
        group by all order by sender_code
        """,
        start,
        end,
    )


def quarantine_summary(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Quarantined rows of files received in the dates, by sender, feed, rule and column."""
    require_login(viewer).require_leader()
    return fetch(
        f"""
        select sender_name, sender_code, feed_label as feed, {_RULE_LABEL} as rule_label, column_header,
               count(distinct (file_id, row_number)) as rows, count(*) as cells
        from marts.data_quality_quarantined_cells
        where received_on between ? and ?
        group by all order by rows desc, sender_code, feed, rule_label
        """,
        start,
        end,
    )


def quarantined_cells(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Each quarantined cell (values were masked before storage where personal)."""
    require_login(viewer).require_leader()
    return fetch(
        f"""
        select received_at, sender_name, feed_label as feed, path, row_number, column_header, value,
               {_RULE_LABEL} as rule_label, reason
        from marts.data_quality_quarantined_cells
        where received_on between ? and ?
        order by received_at desc, path, row_number, column_header
        """,
        start,
        end,
    )


def rejected_files(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        """
        select received_at, sender_name, feed_label as feed, path, reject_code, reason
        from marts.data_quality_files
        where status = 'rejected' and received_on between ? and ?
        order by received_at desc
        """,
        start,
        end,
    )
