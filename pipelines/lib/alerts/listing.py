"""What `safetywh alerts` lists: every message with its delivery status."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.lib.alerts.problems import DATA_TEAM
from pipelines.lib.alerts.schema import has_alert_tables
from pipelines.lib.readers import open_reader
from warehouse.home import Home

COLUMNS = {
    "alert_id": pl.String,
    "created_at": pl.Datetime("us"),
    "kind": pl.String,
    "sender_code": pl.String,
    "sender_name": pl.String,
    "recipient": pl.String,
    "status": pl.String,
    "subject": pl.String,
    "new_problems": pl.Int32,
    "resolved_problems": pl.Int32,
    "open_problems": pl.Int64,
    "attempts": pl.Int32,
    "sent_at": pl.Datetime("us"),
    "last_error": pl.String,
    "eml_path": pl.String,
}


def _exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]
        ).fetchall()[0][0]
    )


def alerts_frame(
    home: Home, sender: str | None = None, since: dt.date | None = None, status: str | None = None
) -> pl.DataFrame:
    """status: queued, sent, failed, or resolved (sent, and every problem it reported that
    needed an action has since been fixed)."""
    with open_reader(home) as con:
        if not has_alert_tables(con):
            return pl.DataFrame(schema=COLUMNS)
        # a run that failed before the profile was written leaves no ref.senders
        names = "ref.senders" if _exists(con, "ref", "senders") else "(SELECT NULL AS sender_code, NULL AS sender_name)"
        frame = con.sql(
            f"""
            WITH problems AS (
                SELECT alert_id,
                       count(*) FILTER (WHERE state <> 'closed') AS actionable,
                       count(*) FILTER (WHERE state = 'open') AS still_open
                FROM meta.alert_problems GROUP BY alert_id
            )
            SELECT a.alert_id, a.created_at, a.kind, a.sender_code,
                   coalesce(s.sender_name, CASE WHEN a.kind = 'run_failure' OR a.sender_code = '{DATA_TEAM}' THEN '数据组' END) AS sender_name,
                   a.recipient,
                   CASE WHEN a.status = 'sent' AND coalesce(p.actionable, 0) > 0 AND p.still_open = 0
                        THEN 'resolved' ELSE a.status END AS status,
                   a.subject, a.new_problems, a.resolved_problems, coalesce(p.still_open, 0) AS open_problems,
                   a.attempts, a.sent_at, a.last_error, a.eml_path
            FROM meta.alerts AS a
            LEFT JOIN problems AS p USING (alert_id)
            LEFT JOIN {names} AS s ON s.sender_code = a.sender_code
            WHERE (? IS NULL OR a.sender_code = ?)
              AND (? IS NULL OR a.created_at >= ?)
            ORDER BY a.created_at, a.alert_id
            """,
            params=[sender, sender, since, since],
        ).pl()
    frame = frame.with_columns(pl.concat_str([pl.lit(f"{home.outbox}/"), pl.col("eml_path")]).alias("eml_path"))
    if status:
        frame = frame.filter(pl.col("status") == status)
    return frame
