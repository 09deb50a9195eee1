"""Read-only access to the published warehouse copy, cached per published version.

The pipeline replaces ``<home>/published/warehouse.duckdb`` with ``os.replace`` after every
run. A cache key made of the file's inode, size and mtime changes with every publish, so
each rerun after a publish opens the new file and every cached result of the old one
stops being used.

Why ``ATTACH`` into an in-memory database instead of ``duckdb.connect(path)``: DuckDB
keeps one database instance per path in a process, so a second ``connect`` to the same
path while the old connection is open returns the OLD snapshot (measured). Attaching in a
fresh in-memory instance always opens the file now at that path. Read-only attachment
takes no writer lock, and the pipeline never writes this file in place.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl
import streamlit as st

from warehouse.home import Home

CATALOG = "wh"


class NoData(RuntimeError):
    """Nothing published yet, or a mart missing (message in Chinese, for the user)."""


class Stamp(NamedTuple):
    """Identity of one published version of the warehouse file."""

    path: str
    inode: int
    size: int
    mtime_ns: int


def published_path() -> Path:
    # the CLI exports SAFETYWH_HOME for the server process; tests set it the same way
    return Home.resolve(os.environ.get("SAFETYWH_HOME")).published_path


def stamp() -> Stamp:
    path = published_path()
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise NoData(f"还没有发布的数据（{path}）：请先运行 `safetywh run`") from exc
    return Stamp(str(path), info.st_ino, info.st_size, info.st_mtime_ns)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


# Two entries: the current version and the one before it, so a query that started just
# before a publish finishes on its connection; older ones are closed (file handle freed).
@st.cache_resource(max_entries=2, show_spinner=False, on_release=_close)
def _database(version: Stamp) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    escaped = version.path.replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS {CATALOG} (READ_ONLY)")
    return con


@st.cache_data(max_entries=1024, show_spinner=False)
def _run(sql: str, params: tuple, version: Stamp) -> pl.DataFrame:
    # one cursor per query: a DuckDB connection must not be shared by Streamlit's threads
    cursor = _database(version).cursor()
    try:
        cursor.execute(f"USE {CATALOG}")
        return cursor.sql(sql, params=list(params) or None).pl()
    except duckdb.CatalogException as exc:
        raise NoData("发布的数据中缺少所需的表，请先运行 `safetywh run` 生成全部指标") from exc
    finally:
        cursor.close()


def fetch(sql: str, *params) -> pl.DataFrame:
    """Run one read-only query against the current published version (cached)."""
    return _run(sql, tuple(params), stamp())


def has_table(schema: str, table: str) -> bool:
    frame = fetch(
        "select count(*) as n from information_schema.tables where table_catalog = ? "
        "and table_schema = ? and table_name = ?",
        CATALOG,
        schema,
        table,
    )
    return frame.item(0, "n") > 0
