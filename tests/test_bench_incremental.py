"""A run rebuilds what dbt selects (pipelines/lib/dbt_manifest.select_build: sources with new
rows, ``state:modified+``, ``tag:clock+``), and that gives the tables a full `dbt build` gives."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipelines.lib import dbt_manifest
from pipelines.lib.dbt_manifest import select_build
from tests.incremental import differing_tables

ROOT = Path(__file__).resolve().parent.parent
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
    # no --select: every node; never the unit tests (tests/test_dbt_unit_tests.py runs them)
    assert selection.args == ("--full-refresh", "--exclude-resource-type", "unit_test")


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
    assert selection.args == (
        "--select",
        "state:modified+",
        "--state",
        str(tmp_path / "state"),
        "--full-refresh",
        "--exclude-resource-type",
        "unit_test",
    )
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


@pytest.mark.slow
def test_one_new_file_builds_part_of_the_project_and_equals_a_full_build(second_run):
    """Hold a weekly file back, run, add it, run: the second dbt build selects part of the
    project, and every model equals a full `dbt build` of the same warehouse (up to the
    clock-reading models, which differ between any two builds). During the second build
    another process takes the DuckDB file after the run checked it and before dbt opened it:
    dbt fails on the lock, the run waits (saying so) and builds."""
    assert second_run.holder_out.split() == ["held", "released"]
    assert "正被" in second_run.err and "等待其释放" in second_run.err
    assert "数仓文件已释放，继续运行。" in second_run.err
    first, second = second_run.first_built_from, second_run.second_built_from
    assert second["file_id"] > first["file_id"] and second["run_id"] != first["run_id"]
    log = second_run.out + second_run.err
    assert "source:ledgers.hazards+" in log
    project = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text("utf-8"))
    total = sum(1 for n in project["nodes"].values() if n["resource_type"] == "model")
    rebuilt = log.count("OK created sql")
    assert 0 < rebuilt < total, rebuilt
    assert "data_quality_deliveries" in second_run.clocked
    assert differing_tables(second_run.home / "warehouse.duckdb", second_run.full, skip=second_run.clocked) == []
