"""Read-only access to a home's warehouse for the CLI and the dashboards."""

from __future__ import annotations

import duckdb

from warehouse.home import Home


class NoWarehouse(RuntimeError):
    pass


def open_reader(home: Home) -> duckdb.DuckDBPyConnection:
    """The writer's file when no run holds it, else the published copy (DuckDB lets one
    writer or many readers in, never both)."""
    if home.duckdb_path.exists():
        try:
            return duckdb.connect(str(home.duckdb_path), read_only=True)
        except duckdb.IOException:
            pass
    if home.published_path.exists():
        return duckdb.connect(str(home.published_path), read_only=True)
    raise NoWarehouse(f"{home.root} 中还没有数仓文件：请先运行 `safetywh run --home {home.root}`")
