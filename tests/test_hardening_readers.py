"""Readers vs the run: the CLI's read commands read the published copy, never the writer's
file, and a run that finds the writer's file held by another process (a real second process
with a read-only DuckDB connection) waits with a Chinese message, within a bound, and either
finishes or refuses before writing anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("held", flush=True)
time.sleep(float(sys.argv[3]))
con.close()
"""


def env(**extra) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    return {**base, **extra}


def holder(path: Path, seconds: float, mode: str = "ro") -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def home(hostile_home, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(hostile_home, copy, ignore=shutil.ignore_patterns(".writer.lock", "logs"))
    return copy


def last_run(home: Path) -> str | None:
    """The last successful run in the home's Dagster instance (pipelines/lib/run_inputs.py)."""
    from pipelines.lib.run_inputs import read_record
    from warehouse.home import Home

    record = read_record(Home(home))
    return record.run_id if record else None


def files_registered(home: Path) -> int:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from meta.files").fetchall()[0][0]
    finally:
        con.close()


def test_read_commands_work_while_another_process_writes(home):
    """Another process holds the writer's file read-write (as a run does): every read command answers."""
    proc = holder(home / "warehouse.duckdb", 60, "rw")
    try:
        for command in (
            ["files"],
            ["quarantine"],
            ["records", "hazards"],
            ["alerts"],
            ["kpis", "--as-of", "2023-04-09"],
            ["ranking", "--period", "2023-W14"],
        ):
            done = subprocess.run(
                [sys.executable, "-m", "pipelines", *command, "--home", str(home), "--format", "json"],
                capture_output=True,
                text=True,
                env=env(),
                timeout=120,
            )
            assert done.returncode == 0, (command, done.stderr[-2000:])
    finally:
        proc.kill()
        proc.wait()


def test_run_waits_for_a_reader_then_finishes(home):
    before = last_run(home)
    proc = holder(home / "warehouse.duckdb", 4)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--force", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env(SAFETYWH_LOCK_WAIT_SECONDS="120"),
        timeout=900,
    )
    proc.wait()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "正被" in done.stderr and "等待其释放" in done.stderr and "数仓文件已释放" in done.stderr
    assert "Could not set lock" not in done.stderr + done.stdout
    assert time.monotonic() - started >= 3.5
    assert last_run(home) != before  # a new successful run recorded


def test_run_refuses_after_the_bound_without_writing(home):
    before, registered = last_run(home), files_registered(home)
    stamp = (home / "warehouse.duckdb").stat().st_mtime_ns
    proc = holder(home / "warehouse.duckdb", 60)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipelines", "run", "--force", "--home", str(home)],
            capture_output=True,
            text=True,
            env=env(SAFETYWH_LOCK_WAIT_SECONDS="2"),
            timeout=300,
        )
    finally:
        proc.kill()
        proc.wait()
    assert done.returncode == 2, done.stderr[-3000:]
    assert "已等待 2 秒仍未释放" in done.stderr and "Traceback" not in done.stderr
    # nothing was written, and the last successful run's record is kept (a refused run is
    # not a failed one: the next run may still find nothing changed)
    assert (home / "warehouse.duckdb").stat().st_mtime_ns == stamp and files_registered(home) == registered
    assert last_run(home) == before


def test_reader_without_a_published_copy_says_so(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "files", "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )
    assert done.returncode != 0 and "还没有发布的数仓副本" in done.stderr


def test_alerts_of_a_home_whose_only_run_failed_are_listed(tmp_path, monkeypatch):
    """A failed run publishes no marts, but its alert to the data team reaches the readers'
    copy; the other read commands say in Chinese that nothing has been published yet."""
    from pipelines.lib.alerts.run_failure import alert_run_failure
    from warehouse.home import Home
    from warehouse.layout import connect

    for key in ("SAFETYWH_SMTP_HOST", "SAFETYWH_DUCKDB", "SAFETYWH_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    home = Home.resolve(tmp_path)
    connect(home.duckdb_path).close()
    alert_run_failure(home, "run-1", "dbt: 磁盘已满")
    listed = subprocess.run(
        [sys.executable, "-m", "pipelines", "alerts", "--home", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert '"run_failure"' in listed.stdout
    files = subprocess.run(
        [sys.executable, "-m", "pipelines", "files", "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )
    assert files.returncode == 2 and "请先完成一次成功的" in files.stderr and "Traceback" not in files.stderr


def test_a_damaged_warehouse_file_is_a_system_failure_not_a_traceback(tmp_path):
    home = tmp_path / "home"
    (home / "landing").mkdir(parents=True)
    (home / "warehouse.duckdb").write_bytes(b"not a database" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env(SAFETYWH_LOCK_WAIT_SECONDS="1"),
        timeout=600,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "运行失败（系统错误，不是数据问题）" in done.stderr and "Traceback" not in done.stderr
