"""A run rebuilds only what changed (pipelines/lib/dbt_state.py), and that gives the tables
a full `dbt build` gives."""

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

from pipelines.lib import dbt_state

NOW = dt.datetime(2026, 11, 29, 10, 5)


def manifest() -> dict:
    """stg_a <- raw.a; stg_b <- raw.b; mart <- stg_a + stg_b; late <- stg_a + now(); a
    relationships-like test between stg_a and stg_b."""
    def model(name, deps, sql="select 1"):
        return {"resource_type": "model", "name": name, "schema": "x", "alias": name, "config": {"materialized": "table"},
                "raw_code": sql, "depends_on": {"nodes": deps}}
    nodes = {
        "model.p.stg_a": model("stg_a", ["source.p.s.a"]),
        "model.p.stg_b": model("stg_b", ["source.p.s.b"]),
        "model.p.mart": model("mart", ["model.p.stg_a", "model.p.stg_b"]),
        "model.p.late": model("late", ["model.p.stg_a"], "select now() as as_of"),
        "test.p.rel": {"resource_type": "test", "name": "rel", "depends_on": {"nodes": ["model.p.stg_a", "model.p.stg_b"]}},
    }
    sources = {"source.p.s.a": {"schema": "raw", "name": "a"}, "source.p.s.b": {"schema": "raw", "name": "b"}}
    children: dict[str, list[str]] = {}
    for uid, node in nodes.items():
        for dep in node["depends_on"]["nodes"]:
            children.setdefault(dep, []).append(uid)
    return {"nodes": nodes, "sources": sources, "child_map": children}


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    for schema in ("meta", "raw", "x"):
        connection.execute(f"CREATE SCHEMA {schema}")
    connection.execute("CREATE TABLE raw.a AS SELECT range AS id FROM range(10)")
    connection.execute("CREATE TABLE raw.b AS SELECT range AS id FROM range(5)")
    for name in ("stg_a", "stg_b", "mart", "late"):
        connection.execute(f"CREATE TABLE x.{name} (i INTEGER)")
    yield connection
    connection.close()


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "dbt"
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text("name: p\n")
    (folder / "models" / "a.sql").write_text("select 1")
    return folder


def build(con, project, now=NOW):
    plan = dbt_state.plan_build(con, manifest(), now, project)
    if plan.mode in ("full", "partial"):
        dbt_state.record_build(con, plan, "run", now, len(plan.rebuild))
    return plan


def test_first_build_is_full_with_unit_tests(con, project):
    plan = build(con, project)
    assert plan.mode == "full" and plan.unit_tests


def test_nothing_changed_skips(con, project):
    build(con, project)
    again = build(con, project, NOW + dt.timedelta(minutes=20))
    assert again.mode == "skip" and not again.unit_tests


def test_a_changed_source_rebuilds_its_descendants_and_test_partners(con, project):
    build(con, project)
    con.execute("INSERT INTO raw.b VALUES (99)")
    plan = build(con, project)
    # stg_b and mart are downstream of raw.b; stg_a comes along for the test reading both
    assert plan.mode == "partial" and plan.rebuild == {"stg_b", "mart", "stg_a"}
    assert not plan.unit_tests
    assert build(con, project).mode == "skip"


def test_a_source_change_reaching_every_model_is_full_without_unit_tests(con, project):
    build(con, project)
    con.execute("INSERT INTO raw.a VALUES (99)")
    plan = build(con, project)
    assert plan.mode == "full" and not plan.unit_tests  # they passed for this code already


def test_the_hour_rebuilds_the_clock_models(con, project):
    build(con, project)
    plan = build(con, project, NOW + dt.timedelta(hours=1))
    assert plan.mode == "partial" and "late" in plan.rebuild and "mart" not in plan.rebuild


def test_changed_code_or_a_missing_model_is_full(con, project):
    build(con, project)
    (project / "models" / "a.sql").write_text("select 2")
    plan = build(con, project)
    assert plan.mode == "full" and plan.unit_tests and plan.full_refresh  # incremental models from scratch
    con.execute("DROP TABLE x.mart")
    plan = build(con, project)
    assert plan.mode == "full" and not plan.full_refresh  # the others' code did not change


def test_a_failed_build_records_nothing(con, project):
    build(con, project)
    con.execute("INSERT INTO raw.b VALUES (99)")
    plan = dbt_state.plan_build(con, manifest(), NOW, project)  # ...and dbt fails: no record
    assert plan.mode == "partial"
    con.execute("INSERT INTO raw.b VALUES (100)")
    assert build(con, project).rebuild == plan.rebuild  # still rebuilt, from the last success


# ------------------------------------------------------------------ the real pipeline

@pytest.mark.slow
def test_one_new_file_builds_part_of_the_project_and_equals_a_full_build(tmp_path):
    """Hold a weekly file back, run, add it, run: the second dbt build is partial, and every
    model equals a full `dbt build` of the same warehouse (up to the clock-reading models
    and float summation order, which differ between any two builds)."""
    from pipelines.generate import generate

    home = tmp_path / "home"
    generate(home / "landing", seed=5, scale=0.2, defect_rate=0.02)
    held = max((p for p in (home / "landing" / "hazards").glob("4301821*/*")), key=lambda p: p.stat().st_mtime)
    kept = tmp_path / held.name
    shutil.move(held, kept)
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}

    def run():
        done = subprocess.run([sys.executable, "-m", "pipelines", "run", "--home", str(home)], capture_output=True,
                              text=True, env=env, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]

    run()
    shutil.move(kept, held)
    run()
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        modes = [r[0] for r in con.execute("SELECT mode FROM meta.dbt_builds ORDER BY built_at, rowid").fetchall()]
        built = con.execute("SELECT models_built FROM meta.dbt_builds ORDER BY built_at DESC, rowid DESC LIMIT 1").fetchone()[0]
    assert modes[-1] == "partial", modes
    total = sum(1 for n in json.loads((Path(__file__).parent.parent / "dbt_project" / "target" / "manifest.json")
                                      .read_text("utf-8"))["nodes"].values() if n["resource_type"] == "model")
    assert 0 < built < total

    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", full)
    dbt_dir = Path(__file__).resolve().parent.parent / "dbt_project"
    done = subprocess.run([str(Path(sys.executable).with_name("dbt")), "build", "--exclude-resource-type", "unit_test",
                           "--profiles-dir", str(dbt_dir), "--target-path", str(tmp_path / "target"),
                           "--log-path", str(tmp_path / "logs")],
                          cwd=dbt_dir, env={**env, "SAFETYWH_DUCKDB": str(full)}, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{home / 'warehouse.duckdb'}' AS partial (READ_ONLY)")
        con.execute(f"ATTACH '{full}' AS full_build (READ_ONLY)")
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'partial' "
            "AND schema_name IN ('staging', 'intermediate', 'marts')"
        ).fetchall()
        assert relations
        clock = set(dbt_state.clock_models(json.loads((dbt_dir / "target" / "manifest.json").read_text("utf-8"))))
        clocked = dbt_state.downstream_models(json.loads((dbt_dir / "target" / "manifest.json").read_text("utf-8")),
                                              sorted(clock))
        for schema, table in relations:
            if table in clocked:
                continue
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'partial' "
                "AND schema_name = ? AND table_name = ?", [schema, table]).fetchall()
            # doubles compared to 9 significant digits: sums of floats depend on summation order
            cells = ", ".join(f'round("{c}", 6)' if t == "DOUBLE" else f'"{c}"' for c, t in columns)
            diff = con.execute(
                f"SELECT count(*) FROM (SELECT {cells} FROM partial.{schema}.{table} "
                f"EXCEPT ALL SELECT {cells} FROM full_build.{schema}.{table})"
            ).fetchone()[0]
            assert diff == 0, f"{schema}.{table}"
