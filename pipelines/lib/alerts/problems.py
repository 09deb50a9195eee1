"""Every problem a sender has right now, as the warehouse sees it, and whether a later
submission fixed it. Pure reads of meta, ref and the data-quality marts: the rules (what
an episode is, what fixes it, when a report is late) live in dbt (models/marts/data_quality).

A problem's key names it across runs, so it is reported once:

- row:   a broken cell (marts.data_quality_row_problems), identified by (sender, feed,
         record id, column, rule) and the first file of an unbroken run of files in which the record is broken that way
         (an "episode"). Sending the record broken again in the next ledger is the same
         problem; a file in which the record comes without that fault ends the episode
         (the fix); breaking it again afterwards is a new problem. A row without a record
         id can only be matched by file: any later loaded file of that feed from that
         sender without such a row fixes it.
- file:  a rejected file; fixed by a later (received or registered) loaded file of the
         same feed from the same sender.
- due:   a reporting obligation (data_quality_deliveries) that is missing or came late.
"""

from __future__ import annotations

import duckdb
import polars as pl

PROBLEM_COLUMNS = {
    "problem_key": pl.String,
    "kind": pl.String,
    "sender_code": pl.String,
    "feed": pl.String,
    "file_id": pl.Int64,
    "path": pl.String,
    "received_at": pl.Datetime("us"),
    "row_numbers": pl.String,
    "record_id": pl.String,
    "column_name": pl.String,
    "column_header": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "reason": pl.String,
    "cadence": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "due_at": pl.Datetime("us"),
    "delivered_at": pl.Datetime("us"),
    "late_seconds": pl.Int64,
    "status": pl.String,
    # the fix, when a later submission brought one
    "fixed_file_id": pl.Int64,
    "fixed_path": pl.String,
    "fixed_received_at": pl.Datetime("us"),
}
DELIVERIES_TABLE = "marts.data_quality_deliveries"


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Every problem frame with the same columns and types, so they concatenate."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in PROBLEM_COLUMNS.items()
        ]
    )


ROW_PROBLEMS_TABLE = "marts.data_quality_row_problems"


def _mart_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
        ).fetchall()[0][0]
    )


def row_problems(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The row problems' episodes as dbt computed them (data_quality_row_problems); none
    before the first build (nothing is then resolved either: a fix needs a fixing file)."""
    if not _mart_exists(con, ROW_PROBLEMS_TABLE):
        return _conform(pl.DataFrame())
    return _conform(con.sql(f"SELECT * FROM {ROW_PROBLEMS_TABLE}").pl())


# The addressee of files no sender can be told about: a folder that names no known sender
# (or no feed, or is not <feed>/<sender>/<file> at all). contacts.data_team gets them.
DATA_TEAM = "_data_team"


def file_problems(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = con.sql(
        f"""
        SELECT 'file:' || f.file_id AS problem_key, 'file' AS kind,
               CASE WHEN f.sender_code IN (SELECT sender_code FROM ref.senders) THEN f.sender_code
                    ELSE '{DATA_TEAM}' END AS sender_code,
               f.feed, f.file_id, f.path,
               f.received_at, f.reject_code AS rule, f.reason,
               fix.file_id AS fixed_file_id, fix.path AS fixed_path, fix.received_at AS fixed_received_at
        FROM meta.files AS f
        LEFT JOIN LATERAL (
            SELECT g.file_id, g.path, g.received_at
            FROM meta.files AS g
            WHERE g.sender_code = f.sender_code AND g.feed = f.feed AND g.status = 'loaded'
              -- received later, or registered later (a resubmission may keep an older file date)
              AND (g.received_at > f.received_at OR g.file_id > f.file_id)
            ORDER BY g.received_at, g.file_id
            LIMIT 1
        ) AS fix ON true
        WHERE f.status = 'rejected'
        """
    ).pl()
    return _conform(frame)


def deadline_problems(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Obligations missed (missing) or met late; on-time and pending ones are no problem.
    Obligations that are on time are returned too when a stored 'missing' problem may need
    resolving, so every obligation with a verdict other than pending comes back."""
    if not _mart_exists(con, DELIVERIES_TABLE):
        return _conform(pl.DataFrame())
    frame = con.sql(
        f"""
        SELECT 'due:' || delivery_key AS problem_key,
               CASE WHEN status = 'missing' THEN 'missing'
                    WHEN cadence = 'event' THEN 'event_late'
                    ELSE 'late' END AS kind,
               sender_code, feed, delivered_file_id AS file_id, delivered_path AS path, record_id,
               cadence, period, period_start, period_end, due_at, delivered_at, late_seconds, status
        FROM {DELIVERIES_TABLE}
        WHERE status IN ('missing', 'late')
           OR (status = 'on_time' AND 'due:' || delivery_key IN (
                   SELECT problem_key FROM meta.alert_problems WHERE state = 'open'))
        """
    ).pl()
    return _conform(frame)


def current_problems(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return pl.concat([row_problems(con), file_problems(con), deadline_problems(con)], how="vertical")
