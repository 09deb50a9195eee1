"""The alert state tables, created idempotently by the alert asset (not by meta.sql:
the ingestion spine does not need them)."""

from __future__ import annotations

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS meta;

-- One row per message: a data-quality alert to a sender or a run-failure alert to the data team.
CREATE TABLE IF NOT EXISTS meta.alerts (
    alert_id          VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL CHECK (kind IN ('data_quality', 'run_failure')),
    sender_code       VARCHAR,                -- null for a run failure
    recipient         VARCHAR,                -- null when the profile has no address
    subject           VARCHAR NOT NULL,
    created_at        TIMESTAMP NOT NULL,     -- Asia/Shanghai wall clock
    run_id            VARCHAR,
    status            VARCHAR NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts          INTEGER NOT NULL,
    last_attempt_at   TIMESTAMP,
    sent_at           TIMESTAMP,
    last_error        VARCHAR,
    new_problems      INTEGER NOT NULL,
    resolved_problems INTEGER NOT NULL,
    message_id        VARCHAR NOT NULL,
    eml_path          VARCHAR NOT NULL,       -- relative to <home>/outbox
    html_path         VARCHAR,
    xlsx_path         VARCHAR
);

-- One row per problem ever reported to a sender. problem_key identifies it across runs,
-- so it is reported once; state moves open -> resolved when a resubmission fixes it.
-- 'closed' is a notice that needs no action (a report that came late).
CREATE TABLE IF NOT EXISTS meta.alert_problems (
    problem_key       VARCHAR PRIMARY KEY,
    sender_code       VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL CHECK (kind IN ('row', 'file', 'missing', 'late', 'event_late')),
    feed              VARCHAR,
    file_id           BIGINT,
    path              VARCHAR,
    received_at       TIMESTAMP,
    row_numbers       VARCHAR,                -- Excel rows, comma-separated
    record_id         VARCHAR,
    column_name       VARCHAR,
    column_header     VARCHAR,
    value             VARCHAR,                -- masked when personal (as in meta.quarantine)
    rule              VARCHAR,                -- row rule or rejection code
    reason            VARCHAR,                -- Chinese
    cadence           VARCHAR,
    period            VARCHAR,
    period_start      DATE,
    period_end        DATE,
    due_at            TIMESTAMP,
    delivered_at      TIMESTAMP,
    late_seconds      BIGINT,
    first_seen_at     TIMESTAMP NOT NULL,
    alert_id          VARCHAR NOT NULL,       -- the message that reported it
    state             VARCHAR NOT NULL CHECK (state IN ('open', 'resolved', 'closed')),
    resolved_at       TIMESTAMP,
    resolution        VARCHAR,                -- Chinese: what fixed it
    resolved_alert_id VARCHAR                 -- the message that reported the fix
);
"""


def ensure_alert_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def has_alert_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'alerts'"
        ).fetchall()[0][0]
    )
