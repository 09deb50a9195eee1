"""Every problem a sender has right now, as the warehouse sees it, and whether a later
submission fixed it. Pure reads of meta, raw, ref and the data-quality mart.

A problem's key names it across runs, so it is reported once:

- row:   a broken cell, identified by (sender, feed, record id, column, rule) and the
         first file of an unbroken run of files in which the record is broken that way
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

from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import Profile

PROBLEM_COLUMNS = {
    "problem_key": pl.String, "kind": pl.String, "sender_code": pl.String, "feed": pl.String,
    "file_id": pl.Int64, "path": pl.String, "received_at": pl.Datetime("us"), "row_numbers": pl.String,
    "record_id": pl.String, "column_name": pl.String, "column_header": pl.String, "value": pl.String,
    "rule": pl.String, "reason": pl.String, "cadence": pl.String, "period": pl.String,
    "period_start": pl.Date, "period_end": pl.Date, "due_at": pl.Datetime("us"), "delivered_at": pl.Datetime("us"),
    "late_seconds": pl.Int64, "status": pl.String,
    # the fix, when a later submission brought one
    "fixed_file_id": pl.Int64, "fixed_path": pl.String, "fixed_received_at": pl.Datetime("us"),
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


def _presence_sql() -> str:
    """(feed, sender, record id, file) of every loaded version of every record."""
    parts = []
    for contract in load_contracts().values():
        parts.append(
            f"SELECT '{contract.feed}' AS feed, _sender_code AS sender_code, "
            f'trim(CAST("{contract.record_id}" AS VARCHAR)) AS record_id, _file_id AS file_id FROM raw.{contract.feed}'
        )
    return "\nUNION ALL\n".join(parts)


def row_problems(con: duckdb.DuckDBPyConnection, profile: Profile) -> pl.DataFrame:
    township_id_feeds = [c.feed for c in load_contracts().values() if c.column(c.record_id).type == "township"]
    con.register("_alert_township_lookup", profile.township_lookup())
    try:
        frame = con.sql(
            f"""
            WITH cells AS (
                SELECT q.sender_code, q.feed,
                       -- a township record id is quarantined as written (玉潭) but loaded as its code
                       CASE WHEN q.feed IN ({", ".join(f"'{f}'" for f in township_id_feeds) or "NULL"})
                            THEN coalesce(lookup.township_code, nullif(trim(q.record_id), ''))
                            ELSE nullif(trim(q.record_id), '') END AS record_id,
                       q.column_name, q.column_header, q.rule, q.reason, q.value, q.file_id, q.row_number,
                       q.path, f.received_at
                FROM meta.quarantine AS q
                JOIN meta.files AS f USING (file_id)
                LEFT JOIN _alert_township_lookup AS lookup ON lookup.key = trim(q.record_id)
                WHERE q.sender_code IN (SELECT sender_code FROM ref.senders)
            ),
            identities AS (
                SELECT DISTINCT sender_code, feed, record_id, column_name, rule FROM cells
            ),
            problem_records AS (
                SELECT DISTINCT sender_code, feed, record_id FROM identities WHERE record_id IS NOT NULL
            ),
            presence AS (
                SELECT DISTINCT p.feed, p.sender_code, p.record_id, p.file_id
                FROM ({_presence_sql()}
                      UNION ALL
                      SELECT feed, sender_code, record_id, file_id FROM cells) AS p
                JOIN problem_records AS r
                  ON r.feed = p.feed AND r.sender_code = p.sender_code AND r.record_id = p.record_id
                UNION
                -- without a record id, every loaded file of the feed from the sender is an occurrence
                SELECT DISTINCT f.feed, f.sender_code, NULL, f.file_id
                FROM meta.files AS f
                JOIN (SELECT DISTINCT sender_code, feed FROM identities WHERE record_id IS NULL) AS n
                  ON n.sender_code = f.sender_code AND n.feed = f.feed
                WHERE f.status = 'loaded'
            ),
            broken_files AS (
                SELECT DISTINCT sender_code, feed, record_id, column_name, rule, file_id FROM cells
            ),
            occurrences AS (
                SELECT i.sender_code, i.feed, i.record_id, i.column_name, i.rule, p.file_id, f.received_at,
                       b.file_id IS NOT NULL AS broken
                FROM identities AS i
                JOIN presence AS p
                  ON p.feed = i.feed AND p.sender_code = i.sender_code
                 AND p.record_id IS NOT DISTINCT FROM i.record_id
                JOIN meta.files AS f ON f.file_id = p.file_id
                LEFT JOIN broken_files AS b
                  ON b.sender_code = i.sender_code AND b.feed = i.feed
                 AND b.record_id IS NOT DISTINCT FROM i.record_id
                 AND b.column_name = i.column_name AND b.rule = i.rule AND b.file_id = p.file_id
            ),
            numbered AS (
                -- gaps and islands: every file without the fault starts a new episode
                SELECT *,
                       sum(CASE WHEN broken THEN 0 ELSE 1 END) OVER (
                           PARTITION BY sender_code, feed, record_id, column_name, rule
                           ORDER BY received_at, file_id ROWS UNBOUNDED PRECEDING) AS episode
                FROM occurrences
            ),
            episodes AS (
                SELECT sender_code, feed, record_id, column_name, rule, episode,
                       arg_min(file_id, (received_at, file_id)) AS first_file_id,
                       arg_max(file_id, (received_at, file_id)) AS last_file_id
                FROM numbered WHERE broken
                GROUP BY ALL
            ),
            fixes AS (
                -- the file that opens episode e + 1 is the one that fixed episode e
                SELECT sender_code, feed, record_id, column_name, rule, episode - 1 AS episode,
                       arg_min(file_id, (received_at, file_id)) AS fixed_file_id
                FROM numbered WHERE NOT broken
                GROUP BY ALL
            ),
            display AS (
                SELECT sender_code, feed, record_id, column_name, rule, file_id,
                       array_to_string(list_sort(list_distinct(list(row_number))), ',') AS row_numbers,
                       first(value ORDER BY row_number) AS value,
                       first(column_header) AS column_header,
                       first(reason) AS reason,
                       first(path) AS path,
                       first(received_at) AS received_at
                FROM cells GROUP BY ALL
            )
            SELECT
                'row:' || e.sender_code || ':' || e.feed || ':' || coalesce(e.record_id, '') || ':'
                    || e.column_name || ':' || e.rule || ':' || e.first_file_id AS problem_key,
                'row' AS kind, e.sender_code, e.feed, d.file_id, d.path, d.received_at, d.row_numbers,
                e.record_id, e.column_name, d.column_header, d.value, e.rule, d.reason,
                x.fixed_file_id, fixed.path AS fixed_path, fixed.received_at AS fixed_received_at
            FROM episodes AS e
            JOIN display AS d
              ON d.sender_code = e.sender_code AND d.feed = e.feed AND d.record_id IS NOT DISTINCT FROM e.record_id
             AND d.column_name = e.column_name AND d.rule = e.rule AND d.file_id = e.last_file_id
            LEFT JOIN fixes AS x
              ON x.sender_code = e.sender_code AND x.feed = e.feed AND x.record_id IS NOT DISTINCT FROM e.record_id
             AND x.column_name = e.column_name AND x.rule = e.rule AND x.episode = e.episode
            LEFT JOIN meta.files AS fixed ON fixed.file_id = x.fixed_file_id
            """
        ).pl()
    finally:
        con.unregister("_alert_township_lookup")
    return _conform(frame)


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
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'data_quality_deliveries'"
    ).fetchall()[0][0]
    if not exists:
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


def current_problems(con: duckdb.DuckDBPyConnection, profile: Profile) -> pl.DataFrame:
    return pl.concat([row_problems(con, profile), file_problems(con), deadline_problems(con)], how="vertical")
