"""数据质量: per sender and period, reports due / on time / late / missing, files and rows
received, loaded, quarantined; why rows were quarantined; rejected files.

The per-sender figures come from the data-quality marts (marts.data_quality_by_sender,
marts.data_quality_deliveries). Should a warehouse predate them, ``has_marts`` is false
and the page falls back to what the file register and the quarantine hold.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.auth import Viewer
from dashboards.data.common import require_login
from dashboards.data.source import fetch, has_table
from pipelines.lib.contracts import load_contracts
from pipelines.lib.rules import ROW_RULES

DQ_PERIOD_TYPES = ("week", "month", "quarter", "year")


def _feed_label(column: str) -> str:
    """feed code -> Chinese ledger name, as SQL (one source: the feed contracts)."""
    cases = " ".join(f"when '{feed}' then '{c.label}'" for feed, c in load_contracts().items())
    return f"case {column} {cases} else {column} end"

# rule code -> its short Chinese name, as a SQL CASE (one source: pipelines.lib.rules)
_RULE_LABEL = "case rule " + " ".join(
    f"when '{code}' then '{label}'" for code, (label, _) in ROW_RULES.items()
) + " else rule end"


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
        period_type, period,
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
        period_type, period,
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
        start, end,
    )


def files_by_sender(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Fallback without the marts: files and rows per sender received in the dates."""
    require_login(viewer).require_leader()
    return fetch(
        "select f.sender_code, coalesce(s.sender_name, f.sender_code) as sender_name, count(*) as files_received, "
        "count(*) filter (where f.status = 'loaded') as files_loaded, "
        "count(*) filter (where f.status = 'rejected') as files_rejected, "
        "count(*) filter (where f.status = 'duplicate') as files_duplicate, "
        "sum(f.rows_loaded) as rows_loaded, sum(f.rows_quarantined) as rows_quarantined, "
        "sum(f.rows_skipped) as rows_skipped "
        "from staging.stg_warehouse__files as f "
        "left join staging.stg_profile__senders as s on s.sender_code = f.sender_code "
        "where f.received_on between ? and ? group by all order by f.sender_code",
        start, end,
    )


def quarantine_summary(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Quarantined rows of files received in the dates, by sender, feed, rule and column."""
    require_login(viewer).require_leader()
    return fetch(
        f"""
        select coalesce(s.sender_name, q.sender_code) as sender_name, q.sender_code, {_feed_label("q.feed")} as feed,
               {_RULE_LABEL} as rule_label, q.column_header,
               count(distinct (q.file_id, q.row_number)) as rows, count(*) as cells
        from staging.stg_warehouse__quarantined_cells as q
        join staging.stg_warehouse__files as f on f.file_id = q.file_id
        left join staging.stg_profile__senders as s on s.sender_code = q.sender_code
        where f.received_on between ? and ?
        group by all order by rows desc, sender_code, feed, rule_label
        """,
        start, end,
    )


def quarantined_cells(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Each quarantined cell (values were masked before storage where personal)."""
    require_login(viewer).require_leader()
    return fetch(
        f"""
        select f.received_at, coalesce(s.sender_name, q.sender_code) as sender_name, {_feed_label("q.feed")} as feed,
               q.path, q.row_number,
               q.column_header, q.value, {_RULE_LABEL} as rule_label, q.reason
        from staging.stg_warehouse__quarantined_cells as q
        join staging.stg_warehouse__files as f on f.file_id = q.file_id
        left join staging.stg_profile__senders as s on s.sender_code = q.sender_code
        where f.received_on between ? and ?
        order by f.received_at desc, q.path, q.row_number, q.column_header
        """,
        start, end,
    )


def rejected_files(viewer: Viewer, start: dt.date, end: dt.date) -> pl.DataFrame:
    require_login(viewer).require_leader()
    return fetch(
        "select f.received_at, coalesce(s.sender_name, f.sender_code) as sender_name, "
        f"{_feed_label('f.feed')} as feed, f.path, "
        "f.reject_code, f.reason "
        "from staging.stg_warehouse__files as f "
        "left join staging.stg_profile__senders as s on s.sender_code = f.sender_code "
        "where f.status = 'rejected' and f.received_on between ? and ? order by f.received_at desc",
        start, end,
    )
