"""The published copy: what the dashboards and the CLI's read commands read, and nothing
personal.

It holds every table of the ``marts`` and ``staging`` schemas (the dashboards read marts,
the bulletin reads staging; staging leaves personal columns out), the register tables the
CLI lists (``meta.files``, ``meta.quarantine``, ``meta.alerts``, ``meta.alert_problems``,
``meta.runs``, the risk warnings ``meta.risk_warnings`` of the 风险预警 page; quarantined values are masked when stored), ``ref.senders``, and
``records.<feed>``: the current version of every record with personal columns masked
(what `safetywh records` prints). The ``raw`` schema (every version as sent, personal data
in clear) never leaves the writer's file. Written to a temp file beside the target and
swapped in with ``os.replace`` (atomic; open readers keep their snapshot).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipelines.lib.contracts import load_contracts
from pipelines.lib.masking import mask_sql

WHOLE_SCHEMAS = ("marts", "staging")
TABLES = (
    ("meta", "files"),
    ("meta", "quarantine"),
    ("meta", "alerts"),
    ("meta", "alert_problems"),
    ("meta", "runs"),
    ("meta", "risk_warnings"),
    ("ref", "senders"),
)
RECORDS_SCHEMA = "records"


def _attach_source(con: duckdb.DuckDBPyConnection, source: Path) -> set[tuple[str, str]]:
    """Attach the writer's file read-only as ``src``; its (schema, table) pairs."""
    escaped = str(source).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS src (READ_ONLY)")
    return set(
        con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'src'"
        ).fetchall()
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def records_sql(feed: str, catalog: str) -> str:
    """The current version of every record of ``feed``: canonical names, personal columns masked."""
    contract = load_contracts()[feed]
    personal = set(contract.personal)
    columns = ", ".join(
        (f"{mask_sql(f'r.{_quote(c)}')} AS {_quote(c)}" if c in personal else f"r.{_quote(c)}") for c in contract.names
    )
    return (
        f"SELECT {columns}, s.sender_code AS _sender, s.source_path AS _source_path, "
        f"s.received_at AS _received_at, s.version_count AS _versions "
        f"FROM {catalog}.staging.stg_ledgers__{feed} s "
        f"JOIN {catalog}.raw.{feed} r ON r._file_id = s.file_id AND r._row_number = s.source_row_number"
    )


def publish_reader_copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".publish-", suffix=".duckdb", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself (an empty file is not a database)
    try:
        con = duckdb.connect(tmp)
        try:
            present = _attach_source(con, source)
            wanted = sorted({t for t in present if t[0] in WHOLE_SCHEMAS} | (set(TABLES) & present))
            con.execute("BEGIN TRANSACTION")  # one commit, not one per table (~100 tables)
            for schema in sorted({s for s, _ in wanted} | {RECORDS_SCHEMA}):
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
            for schema, name in wanted:
                con.execute(
                    f"CREATE TABLE {_quote(schema)}.{_quote(name)} AS SELECT * FROM src.{_quote(schema)}.{_quote(name)}"
                )
            for feed in load_contracts():
                if ("staging", f"stg_ledgers__{feed}") in present and ("raw", feed) in present:
                    con.execute(f"CREATE TABLE {RECORDS_SCHEMA}.{_quote(feed)} AS {records_sql(feed, 'src')}")
            con.execute("COMMIT")
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        shutil.copymode(source, tmp)  # a dashboard run by another user must read it
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return target


ALERT_TABLES = (("meta", "alerts"), ("meta", "alert_problems"))


def refresh_published_tables(source: Path, target: Path, tables=ALERT_TABLES) -> Path:
    """Replace a few register tables of the published copy from the writer's file, the rest
    as published: a failed run's alert to the data team is listed by `safetywh alerts`
    although the failed run published nothing (its marts may be half-built)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".publish-", suffix=".duckdb", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        if target.exists():
            shutil.copyfile(target, tmp)
        con = duckdb.connect(tmp)
        try:
            present = _attach_source(con, source)
            for schema, name in tables:
                if (schema, name) in present:
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
                    con.execute(
                        f"CREATE OR REPLACE TABLE {_quote(schema)}.{_quote(name)} AS "
                        f"SELECT * FROM src.{_quote(schema)}.{_quote(name)}"
                    )
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        shutil.copymode(source, tmp)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return target
