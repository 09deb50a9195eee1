"""`safetywh serve` on a hand-made home: a weekly hazards ledger dropped into landing/ is
picked up by the landing sensor, ingested, built, published and alerted with no command
typed; a service killed mid-run converges after a restart; SIGTERM stops every process the
service started within 10 s."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.alerts_smtp import free_port
from tests.ledgers import headers, write_csv
from tests.mart_rows import differing, marts
from tests.test_rules import CLEAN, ledger_row

pytestmark = pytest.mark.slow
SAFETYWH = [sys.executable, "-m", "pipelines"]
YUTAN = "430182001"
# Generous: the machine running the suite is shared (the benchmark measures the latency, bench/service.py)
BOUND_S = 420


def hazards_file(home: Path, week: int, rows: list[dict]) -> Path:
    path = home / "landing" / "hazards" / YUTAN / f"玉潭街道2023年第{week}周隐患排查治理台账.csv"
    return write_csv(
        path,
        headers("hazards"),
        [ledger_row("hazards", {**CLEAN["hazards"], **r}) for r in rows],
        received=dt.datetime(2023, 4, 3) + dt.timedelta(weeks=week - 14),
    )


def published(home: Path, sql: str) -> list:
    path = home / "published" / "warehouse.duckdb"
    if not path.exists():
        return []
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql).fetchall()
    except duckdb.Error:
        return []


def wait_for(what, bound: float, proc: subprocess.Popen):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        assert proc.poll() is None, "the service stopped by itself"
        time.sleep(1)
    raise AssertionError(f"not within {bound} s")


def group_alive(pgid: int) -> bool:
    """A running process (not a zombie left for PID 1 to reap) in the process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            return True
    return False


def runs(home: Path) -> list[tuple[str, str]]:
    import sqlite3

    db = home / "dagster" / "history" / "runs.db"
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT run_id, status FROM runs WHERE pipeline_name = 'safetywh_run' ORDER BY id"
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        con.close()


W16 = [  # a new weekly ledger: one good row, one with an impossible date (quarantined, alerted)
    {"hazard_id": "H-100", "found_on": "2023-04-17", "deadline": "2023-04-30", "rectified_on": ""},
    {"hazard_id": "H-101", "found_on": "2023年13月40日", "deadline": "2023-04-30", "rectified_on": ""},
]
W17 = [{"hazard_id": "H-200", "found_on": "2023-04-24", "deadline": "2023-05-31", "rectified_on": ""}]


def serve(home: Path, log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [*SAFETYWH, "serve", "--home", str(home), "--port", str(free_port()), "--dashboard-port", str(free_port())],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
    )


def started_groups(log: Path) -> list[int]:
    return [int(pid) for pid in re.findall(r"已启动 \S+（进程 (\d+)）", log.read_text("utf-8", "replace"))]


def test_a_dropped_file_is_published_and_alerted_a_killed_service_converges_and_sigterm_stops_it(tmp_path):
    """One service, three moments (one test: each service start and first run costs minutes here).
    1. A weekly ledger dropped into landing/ is picked up by the landing sensor, ingested,
       built, published and alerted with no command typed.
    2. kill -9 of `safetywh serve` and of every process group it started (daemon, code
       server, run worker, dbt; webserver; dashboards) while the next drop's run builds: the
       restarted service marks the dead run failed, the sensor runs the same inputs again, and
       every mart equals that of a clean `safetywh run` of the same files.
    3. SIGTERM stops every process the service started within 10 s."""
    home, clean = tmp_path / "home", tmp_path / "clean"
    hazards_file(home, 14, [{"hazard_id": "H-001"}])
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB", "DAGSTER_HOME")}
    first_log = tmp_path / "first.log"
    proc = serve(home, first_log, env)
    try:
        # no successful run yet: the sensor runs the landing tree as it is
        wait_for(lambda: published(home, "SELECT hazard_id FROM staging.stg_ledgers__hazards"), BOUND_S, proc)
        alerts_before = {r[0] for r in published(home, "SELECT alert_id FROM meta.alerts")}

        hazards_file(home, 16, W16)
        rows = wait_for(
            lambda: (
                published(home, "SELECT hazard_id FROM staging.stg_ledgers__hazards ORDER BY 1")
                if len(published(home, "SELECT 1 FROM staging.stg_ledgers__hazards")) == 2
                else []
            ),
            BOUND_S,
            proc,
        )
        assert rows == [("H-001",), ("H-100",)]
        quarantined = published(
            home,
            "SELECT q.row_number, q.column_name FROM meta.quarantine q JOIN meta.files f "
            "USING (file_id) WHERE f.path LIKE '%第16周%'",
        )
        assert quarantined == [(3, "found_on")]  # header row 1, H-100 row 2, H-101 row 3
        new_alerts = [
            r
            for r in published(home, "SELECT alert_id, sender_code, eml_path FROM meta.alerts")
            if r[0] not in alerts_before
        ]
        assert [r[1] for r in new_alerts] == [YUTAN]
        assert (home / "outbox" / new_alerts[0][2]).is_file()
        assert {status for _, status in runs(home)} == {"SUCCESS"}

        # (a new county-local hour may add a run of its own: count builds, not runs)
        builds = first_log.read_text("utf-8", "replace").count("dbt_models - Running dbt command")
        hazards_file(home, 17, W17)
        wait_for(
            lambda: first_log.read_text("utf-8", "replace").count("dbt_models - Running dbt command") > builds,
            BOUND_S,
            proc,
        )
        proc.kill()  # the service itself, then every group it started: nothing gets to clean up
        for group in started_groups(first_log):
            os.killpg(group, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            for group in started_groups(first_log):
                os.killpg(group, signal.SIGKILL)
    killed, status = runs(home)[-1]
    assert status == "STARTED"  # a run with no process behind it

    second_log = tmp_path / "second.log"
    proc = serve(home, second_log, env)
    try:
        wait_for(lambda: runs(home)[-1][0] != killed and runs(home)[-1][1] == "SUCCESS", BOUND_S, proc)
        assert dict(runs(home))[killed] == "FAILURE"  # settled at the start
    finally:
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        finally:
            took = time.monotonic() - started
    text = second_log.read_text("utf-8", "replace")
    assert "已标记为失败" in text
    assert proc.returncode == 0, text[-3000:]
    assert took < 10, text[-2000:]
    groups = started_groups(second_log)
    assert len(groups) == 3  # daemon, webserver, dashboards
    assert not [g for g in groups if group_alive(g)]  # their children (code servers, run worker, dbt) too
    assert "服务已停止" in text

    for week, rows in ((14, [{"hazard_id": "H-001"}]), (16, W16), (17, W17)):
        hazards_file(clean, week, rows)
    ran = subprocess.run(
        [*SAFETYWH, "run", "--home", str(clean)], capture_output=True, text=True, env=env, timeout=1200, check=False
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    recovered, reference = (
        marts(home / "published" / "warehouse.duckdb"),
        marts(clean / "published" / "warehouse.duckdb"),
    )
    assert sorted(recovered) == sorted(reference) and len(reference) > 10
    assert ("H-200",) in published(home, "SELECT hazard_id FROM staging.stg_ledgers__hazards")
    assert differing(recovered, reference) == []
