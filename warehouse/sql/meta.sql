-- Bookkeeping tables the pipeline owns. dbt reads them as sources; only the pipeline writes.
-- Times are Asia/Shanghai wall clock (TIMESTAMP without zone), as the bureau reads them.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;

CREATE SEQUENCE IF NOT EXISTS meta.file_id_seq START 1;

-- Files found in landing and hashed, waiting for their feed's ingestion step. A run
-- killed half-way leaves its files here, and the next run picks them up.
CREATE TABLE IF NOT EXISTS meta.inbox (
    file_id      BIGINT PRIMARY KEY,
    path         VARCHAR NOT NULL,
    feed         VARCHAR NOT NULL,
    sender_code  VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    mtime_ns     BIGINT NOT NULL,
    received_at  TIMESTAMP NOT NULL,
    found_at     TIMESTAMP NOT NULL,
    run_id       VARCHAR NOT NULL
);

-- One row per file ever received (a file = a path with a given content hash).
CREATE TABLE IF NOT EXISTS meta.files (
    file_id           BIGINT PRIMARY KEY,
    path              VARCHAR NOT NULL,      -- relative to <home>/landing, forward slashes
    feed              VARCHAR,               -- null when the folder names no known feed
    sender_code       VARCHAR,
    sha256            VARCHAR NOT NULL,
    size_bytes        BIGINT NOT NULL,
    mtime_ns          BIGINT NOT NULL,
    received_at       TIMESTAMP NOT NULL,    -- the file's modification time (feeds.md)
    loaded_at         TIMESTAMP NOT NULL,
    run_id            VARCHAR NOT NULL,
    status            VARCHAR NOT NULL CHECK (status IN ('loaded', 'rejected', 'duplicate')),
    file_format       VARCHAR,
    encoding          VARCHAR,
    header_row        INTEGER,
    rows_total        INTEGER NOT NULL,
    rows_loaded       INTEGER NOT NULL,
    rows_quarantined  INTEGER NOT NULL,
    rows_skipped      INTEGER NOT NULL,
    reject_code       VARCHAR,
    reason            VARCHAR,               -- Chinese, for the sender
    duplicate_of      BIGINT,
    CHECK (rows_total = rows_loaded + rows_quarantined + rows_skipped)
);

-- One row per broken cell of a quarantined row (a row may break several rules).
CREATE TABLE IF NOT EXISTS meta.quarantine (
    file_id        BIGINT NOT NULL,
    feed           VARCHAR NOT NULL,
    sender_code    VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    row_number     INTEGER NOT NULL,         -- as the sender sees it in Excel, 1-based
    record_id      VARCHAR,
    column_name    VARCHAR NOT NULL,         -- canonical name
    column_header  VARCHAR NOT NULL,         -- Chinese header of the contract
    value          VARCHAR,                  -- as sent; personal data is masked before it is stored
    is_personal    BOOLEAN NOT NULL,
    rule           VARCHAR NOT NULL,         -- rule code, see pipelines/lib/rules.py
    reason         VARCHAR NOT NULL,         -- Chinese
    run_id         VARCHAR NOT NULL,
    quarantined_at TIMESTAMP NOT NULL
);

-- Why a row of a loaded file was skipped (title, blank, totals row): audit only.
CREATE TABLE IF NOT EXISTS meta.skipped_rows (
    file_id     BIGINT NOT NULL,
    row_number  INTEGER NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('title', 'blank', 'total', 'footer'))
);

CREATE TABLE IF NOT EXISTS meta.runs (
    run_id       VARCHAR PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,
    files_new    INTEGER,
    message      VARCHAR
);
