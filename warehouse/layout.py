"""DuckDB layout: the meta, raw and ref schemas the pipeline writes before dbt runs.

raw.<feed> holds every loaded version of every record (the versioned history); its
columns come from the feed contract plus the audit columns below.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

import duckdb

from pipelines.lib.contracts import Contract, load_contracts

# Audit columns on every raw row (issue: source file, sha256, row, sender, times).
AUDIT_COLUMNS: dict[str, str] = {
    "_file_id": "BIGINT",
    "_source_path": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_row_number": "INTEGER",
    "_sender_code": "VARCHAR",
    "_received_at": "TIMESTAMP",
    "_loaded_at": "TIMESTAMP",
    "_run_id": "VARCHAR",
}


def raw_table_ddl(contract: Contract) -> str:
    cols = [f'"{c.name}" {c.duckdb_type}' for c in contract.columns]
    cols += [f"{name} {typ}" for name, typ in AUDIT_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS raw.{contract.feed} (\n    " + ",\n    ".join(cols) + "\n)"


def ensure_layout(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(resources.files("warehouse").joinpath("sql/meta.sql").read_text("utf-8"))
    _widen_skipped_kinds(con)
    for contract in load_contracts().values():
        con.execute(raw_table_ddl(contract))


def _widen_skipped_kinds(con: duckdb.DuckDBPyConnection) -> None:
    """A home made before footer rows were told apart keeps meta.skipped_rows with a CHECK
    that refuses 'footer' (CREATE TABLE IF NOT EXISTS leaves an existing table as it is):
    copy its rows into the table as meta.sql now declares it."""
    checks = con.execute(
        "SELECT expression FROM duckdb_constraints() WHERE schema_name = 'meta' AND table_name = 'skipped_rows' "
        "AND constraint_type = 'CHECK'"
    ).fetchall()
    if not checks or all("'footer'" in (expression or "") for (expression,) in checks):
        return
    ddl = resources.files("warehouse").joinpath("sql/meta.sql").read_text("utf-8")
    create = ddl[ddl.index("CREATE TABLE IF NOT EXISTS meta.skipped_rows") :]
    create = create[: create.index(";") + 1]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE meta.skipped_rows RENAME TO skipped_rows_before_footer")
        con.execute(create)
        con.execute("INSERT INTO meta.skipped_rows SELECT * FROM meta.skipped_rows_before_footer")
        con.execute("DROP TABLE meta.skipped_rows_before_footer")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        ensure_layout(con)
    return con


def publish_copy(source: Path, target: Path) -> Path:
    """Copy the closed build file to a temp name beside ``target`` and swap it in.

    DuckDB's file lock keeps readers off a file being written (stack-facts), so the
    dashboards read this copy; ``os.replace`` is atomic, and open readers keep their
    snapshot while new connections see the new file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".publish-", suffix=".duckdb", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        shutil.copymode(source, tmp)  # mkstemp made it 0600: a dashboard run by another user must read it
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
