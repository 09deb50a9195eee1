"""Read-only access to a home's warehouse for the CLI's read commands.

They read the published copy (``<home>/published/warehouse.duckdb``), never the writer's
file: any connection to the writer's file, a read-only one included, makes a concurrent
run's DuckDB (and dbt) fail on the file lock. The copy is swapped in atomically after every
successful run and holds no personal data (pipelines/lib/publish.py). Before the first run
has published, a reader waits briefly while that run is under way and says so.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time

import duckdb

from warehouse.home import Home

DEFAULT_WAIT_SECONDS = 30.0


class NoWarehouse(RuntimeError):
    pass


def run_in_progress(home: Home) -> bool:
    """Whether a run holds the home's writer lock (pipelines/lib/runner.writer_lock)."""
    try:
        handle = open(home.lock_path, "rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def reader_wait_seconds() -> float:
    text = os.environ.get("SAFETYWH_READER_WAIT_SECONDS", "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def open_reader(home: Home) -> duckdb.DuckDBPyConnection:
    path = home.published_path
    deadline = time.monotonic() + reader_wait_seconds()
    told = False
    while not path.exists() and run_in_progress(home) and time.monotonic() < deadline:
        if not told:
            print(
                f"正在进行首次运行，等待只读副本发布（最多 {reader_wait_seconds():g} 秒）……",
                file=sys.stderr,
                flush=True,
            )
            told = True
        time.sleep(0.5)
    if not path.exists():
        if run_in_progress(home):
            raise NoWarehouse(f"{home.root} 的首次运行尚未完成，只读副本还未发布：请稍后再试")
        raise NoWarehouse(f"{home.root} 中还没有发布的数仓副本：请先运行 `safetywh run --home {home.root}`")
    return duckdb.connect(str(path), read_only=True)
