"""A run rebuilds what dbt selects (pipelines/lib/dbt_manifest.select_build: sources with new
rows, ``state:modified+``, ``tag:clock+``), and that gives the tables a full `dbt build` gives."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.lib import dbt_manifest
from pipelines.lib.dbt_manifest import select_build

NOW = dt.datetime(2026, 11, 29, 10, 5)


def manifest() -> dict:
    """Sources ledgers.a, ledgers.b, warehouse.files, profile.settings; stg_a <- ledgers.a ...;
    late (tagged clock) reads now()."""

    def model(name, sql="select 1", tags=()):
        return {
            "resource_type": "model",
            "name": name,
            "schema": "x",
            "alias": name,
            "raw_code": sql,
            "config": {"materialized": "table", "tags": list(tags)},
            "checksum": {"name": "sha256", "checksum": name},
        }

    nodes = {f"model.p.{n}": model(n) for n in ("stg_a", "stg_b", "mart")}
    nodes["model.p.late"] = model("late", "select now() as as_of", ["clock"])
    sources = {
        f"source.p.{src}.{t}": {"source_name": src, "name": t, "schema": schema, "identifier": t}
        for src, t, schema in (
            ("ledgers", "a", "raw"),
            ("ledgers", "b", "raw"),
            ("warehouse", "files", "meta"),
            ("profile", "settings", "ref"),
        )
    }
    return {
        "metadata": {"project_name": "p"},
        "nodes": nodes,
        "sources": sources,
        "macros": {"macro.p.m": {"package_name": "p", "macro_sql": "{% macro m() %}1{% endmacro %}"}},
    }


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    for schema in ("meta", "raw", "ref", "x"):
        connection.execute(f"CREATE SCHEMA {schema}")
    connection.execute("CREATE TABLE meta.files (file_id BIGINT, feed VARCHAR, rows_loaded INTEGER)")
    connection.execute("INSERT INTO meta.files VALUES (1, 'a', 10), (2, 'b', 5)")
    connection.execute("CREATE TABLE ref.settings AS SELECT 'deadlines.weekly_hour' AS key, 12 AS num_value")
    for name in ("stg_a", "stg_b", "mart", "late"):
        connection.execute(f"CREATE TABLE x.{name} (i INTEGER)")
    yield connection
    connection.close()


def built(con, tmp_path, now=NOW, project=None):
    """select_build, then what a successful build leaves: the manifest and what it was built from."""
    project = project or manifest()
    selection = select_build(con, project, tmp_path / "state", now)
    if not selection.skip:
        (tmp_path / "manifest.json").write_text(json.dumps(project), "utf-8")
        dbt_manifest.remember_build(tmp_path / "state", tmp_path / "manifest.json", selection.built_from, "run-1")
    return selection


def test_first_build_is_everything_from_scratch(con, tmp_path):
    selection = built(con, tmp_path)
    assert selection.args == ("--full-refresh",)  # no --select: every node, unit tests included


def test_nothing_changed_builds_nothing(con, tmp_path):
    built(con, tmp_path)
    again = built(con, tmp_path, NOW + dt.timedelta(minutes=50))  # a later minute of the same hour
    assert again.skip and "run-1" in again.reason


def test_a_new_file_selects_its_feed_and_the_file_register(con, tmp_path):
    built(con, tmp_path)
    con.execute("INSERT INTO meta.files VALUES (3, 'b', 7)")
    selection = built(con, tmp_path)
    assert selection.args == ("--select", "source:warehouse+ source:ledgers.b+", "--exclude-resource-type", "unit_test")
    assert built(con, tmp_path).skip  # the next run saw it built


def test_a_rejected_file_selects_only_the_file_register(con, tmp_path):
    built(con, tmp_path)
    con.execute("INSERT INTO meta.files VALUES (3, 'a', 0), (4, NULL, 0)")  # no row loaded; a folder naming no feed
    assert built(con, tmp_path).args[:2] == ("--select", "source:warehouse+")


def test_a_failed_build_is_selected_again(con, tmp_path):
    built(con, tmp_path)
    con.execute("INSERT INTO meta.files VALUES (3, 'a', 7)")
    failed = select_build(con, manifest(), tmp_path / "state", NOW)  # ...and dbt fails: nothing remembered
    assert "source:ledgers.a+" in failed.args[1]
    assert built(con, tmp_path).args == failed.args


def test_the_hour_selects_the_clock_models(con, tmp_path):
    built(con, tmp_path)
    assert built(con, tmp_path, NOW + dt.timedelta(hours=1)).args[:2] == ("--select", "tag:clock+")


def test_a_changed_profile_selects_its_models(con, tmp_path):
    built(con, tmp_path)
    con.execute("UPDATE ref.settings SET num_value = 10")
    assert built(con, tmp_path).args[:2] == ("--select", "source:profile+")


@pytest.mark.parametrize("change", ["model", "macro", "config"])
def test_changed_code_is_state_modified_from_scratch(con, tmp_path, change):
    built(con, tmp_path)
    project = manifest()
    if change == "model":
        project["nodes"]["model.p.mart"]["checksum"]["checksum"] = "edited"
    elif change == "macro":
        project["macros"]["macro.p.m"]["macro_sql"] = "{% macro m() %}2{% endmacro %}"
    else:
        project["nodes"]["model.p.mart"]["config"]["materialized"] = "view"
    selection = built(con, tmp_path, project=project)
    # dbt compares with the last successful build's manifest; incremental models see every row
    assert selection.args == ("--select", "state:modified+", "--state", str(tmp_path / "state"), "--full-refresh")
    assert json.loads((tmp_path / "state" / "manifest.json").read_text("utf-8")) == project


def test_a_missing_model_builds_everything(con, tmp_path):
    built(con, tmp_path)
    con.execute("DROP TABLE x.mart")
    assert built(con, tmp_path).args == ("--exclude-resource-type", "unit_test")


def test_every_model_reading_the_clock_is_tagged():
    """`tag:clock+` is how a new hour reaches the lateness verdicts: a model calling now()
    without the tag would keep a stale verdict."""
    from pipelines.lib.dbt_manifest import CLOCK_PATTERN, CLOCK_TAG, ensure_manifest
    from pipelines.paths import DBT_PROJECT_DIR

    ensure_manifest()
    project = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    models = [n for n in project["nodes"].values() if n["resource_type"] == "model"]
    clocked = {n["name"] for n in models if CLOCK_PATTERN.search(n["raw_code"])}
    assert "int_data_quality__settings" in clocked
    assert {n["name"] for n in models if CLOCK_TAG in n["config"]["tags"]} == clocked


# ------------------------------------------------------------------ the real pipeline

HOLDER = r"""
import os, sys, time, duckdb
run_pid, db = int(sys.argv[1]), sys.argv[2]

def dbt_build_child():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == run_pid and any(a.endswith(b"dbt") for a in argv) and b"build" in argv:
            return int(pid)

deadline = time.monotonic() + 600
child = None
while child is None and time.monotonic() < deadline:
    child = dbt_build_child()
    time.sleep(0.05)
con = duckdb.connect(db)  # dbt is still importing itself: it will find the file held
print("held", flush=True)
while os.path.exists(f"/proc/{child}"):
    try:
        with open(f"/proc/{child}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
    except OSError:
        break
    time.sleep(0.05)
time.sleep(2)  # still held when the run checks again: it says so and waits
con.close()
print("released", flush=True)
"""


@pytest.mark.slow
def test_one_new_file_builds_part_of_the_project_and_equals_a_full_build(tmp_path):
    """Hold a weekly file back, run, add it, run: the second dbt build selects part of the
    project, and every model equals a full `dbt build` of the same warehouse (up to the
    clock-reading models and float summation order, which differ between any two builds).
    During the second build another process takes the DuckDB file after the run checked it
    and before dbt opened it: dbt fails on the lock, the run waits (saying so) and builds."""
    from pipelines.generate import generate

    home = tmp_path / "home"
    generate(home / "landing", seed=5, scale=0.2, defect_rate=0.02)
    held = max((p for p in (home / "landing" / "hazards").glob("4301821*/*")), key=lambda p: p.stat().st_mtime)
    kept = tmp_path / held.name
    shutil.move(held, kept)
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    command = [sys.executable, "-m", "pipelines", "run", "--home", str(home), "--verbose"]

    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    first = json.loads((home / "dbt" / "target" / "state" / "built_from.json").read_text("utf-8"))
    shutil.move(kept, held)
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(run.pid), str(home / "warehouse.duckdb")], stdout=subprocess.PIPE, text=True
    )
    out, err = run.communicate(timeout=900)
    holder_out = holder.communicate(timeout=60)[0]
    assert run.returncode == 0, err[-3000:]
    assert holder_out.split() == ["held", "released"]
    assert "正被" in err and "等待其释放" in err and "数仓文件已释放，继续运行。" in err
    second = json.loads((home / "dbt" / "target" / "state" / "built_from.json").read_text("utf-8"))
    assert second["file_id"] > first["file_id"] and second["run_id"] != first["run_id"]
    log = out + err
    assert "source:ledgers.hazards+" in log
    dbt_dir = Path(__file__).resolve().parent.parent / "dbt_project"
    project = json.loads((dbt_dir / "target" / "manifest.json").read_text("utf-8"))
    total = sum(1 for n in project["nodes"].values() if n["resource_type"] == "model")
    rebuilt = log.count("OK created sql")
    assert 0 < rebuilt < total, rebuilt

    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", full)
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--profiles-dir",
            str(dbt_dir),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=dbt_dir,
        env={**env, "SAFETYWH_DUCKDB": str(full)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:]

    # the clock-reading models and what is built from them differ between any two builds
    clocked = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "ls",
            "--select",
            "tag:clock+",
            "--resource-type",
            "model",
            "--output",
            "name",
            "-q",
            "--profiles-dir",
            str(dbt_dir),
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=dbt_dir,
        env={**env, "SAFETYWH_DUCKDB": str(full)},
        capture_output=True,
        text=True,
        timeout=900,
    ).stdout.split()
    assert "data_quality_deliveries" in clocked
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{home / 'warehouse.duckdb'}' AS partial (READ_ONLY)")
        con.execute(f"ATTACH '{full}' AS full_build (READ_ONLY)")
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'partial' "
            "AND schema_name IN ('staging', 'intermediate', 'marts')"
        ).fetchall()
        assert relations
        for schema, table in relations:
            if table in clocked:
                continue
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'partial' "
                "AND schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
            # doubles compared to 9 significant digits: sums of floats depend on summation order
            cells = ", ".join(f'round("{c}", 6)' if t == "DOUBLE" else f'"{c}"' for c, t in columns)
            diff = con.execute(
                f"SELECT count(*) FROM (SELECT {cells} FROM partial.{schema}.{table} "
                f"EXCEPT ALL SELECT {cells} FROM full_build.{schema}.{table})"
            ).fetchone()[0]
            assert diff == 0, f"{schema}.{table}"
