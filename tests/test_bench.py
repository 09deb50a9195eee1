"""The benchmark's own parts: the measurement (GNU time and the process-tree sampler), the
plain DuckDB floor (it computes the pipeline's tables, so the comparison is fair), and the
report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.__main__ import summarize, table
from bench.measure import measure

ROOT = Path(__file__).resolve().parent.parent


def test_measure_reports_wall_cpu_and_the_memory_of_the_whole_process_tree():
    # a parent holding ~60 MB starts a child holding ~120 MB: the tree holds both at once
    child = "import time; b = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.6)"
    parent = (
        "import subprocess, sys, time; a = bytearray(60 * 2**20); a[::4096] = b'x' * len(a[::4096]); "
        f"subprocess.run([sys.executable, '-c', {child!r}]); s = sum(range(3_000_000))"
    )
    m = measure([sys.executable, "-c", parent])
    assert m.exit_code == 0
    assert m.wall_s >= 0.6 and m.cpu_s > 0
    assert 120 <= m.max_rss_mb < 400  # the largest single process
    assert m.tree_rss_mb >= m.max_rss_mb + 50  # parent and child together
    failed = measure([sys.executable, "-c", "raise SystemExit(3)"])
    assert failed.exit_code == 3


def test_the_report_table_and_ratios():
    run = lambda wall, cpu, **extra: {  # noqa: E731
        "wall_s": wall,
        "cpu_s": cpu,
        "max_rss_mb": 100.0,
        "tree_rss_mb": 150.0,
        "load_before": 0.5,
        **extra,
    }
    out = {
        "scale": 1.0,
        "files": 10,
        "rows": 1000,
        "runs": {
            "plain": [run(10, 12)],
            "cold": [run(30, 33), run(20, 22), run(40, 44)],
            "warm": [run(2, 2, dbt="skip")] * 3,
            "new_file": [run(5, 5, dbt="partial")] * 3,
            "new_week": [run(9, 9, dbt="partial")] * 3,
            "floor_definitions": [run(3, 3), run(4, 4), run(2, 2)],
            "floor_dbt": [run(4.5, 4)] * 3,
        },
    }
    out["summary"] = summarize(out)
    assert out["summary"]["cold"]["wall_s"] == 30  # medians
    assert out["summary"]["cold"]["ratio_to_plain"] == 3.0
    assert out["summary"]["warm"]["ratio_to_cold"] == round(2 / 30, 3)
    text = table(
        {
            "scales": [out],
            "machine": {"cpu": "x", "cores": 2, "memory_gb": 8, "os": "y", "python": "3.11", "versions": {}},
            "repeat": 3,
            "repeat_large": 1,
            "started": "now",
        }
    )
    assert "| 1 | 1,000 | 10 | pipeline cold | 30.0 |" in text
    assert "6.7 % of cold" in text and "dbt: skip" in text
    assert "| pipeline + next week's first file | 9.0 | 9.0 | 150 / 100 | 30.0 % of cold" in text
    # the fixed costs: median definitions 3 s + dbt 4.5 s = 7.5 s = 25 % of the 30 s cold run
    assert (
        "| fixed costs: Dagster definitions + dbt build of one model | 3.0 + 4.5 = 7.5 | 7.0 | 150 / 150 | 25.0 % of cold"
        in text
    )


def test_the_signals_models_share_of_a_cold_run_from_its_log(tmp_path):
    from bench import signals_share

    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "nodes": {
                    "a": {
                        "resource_type": "model",
                        "name": "int_signals__zero_run",
                        "fqn": ["safetywh", "intermediate", "signals", "int_signals__zero_run"],
                    },
                    "b": {
                        "resource_type": "model",
                        "name": "township_risk",
                        "fqn": ["safetywh", "marts", "signals", "township_risk"],
                    },
                    "c": {"resource_type": "model", "name": "signals", "fqn": ["safetywh", "marts", "kpis", "signals"]},
                    "d": {"resource_type": "test", "name": "t", "fqn": ["safetywh", "marts", "signals", "t"]},
                }
            }
        ),
        "utf-8",
    )
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "last-run.log").write_text(
        "1 of 9 START sql table model intermediate.int_signals__zero_run ..... [RUN]\n"
        "1 of 9 OK created sql table model intermediate.int_signals__zero_run  [\x1b[32mOK\x1b[0m in 2.25s]\n"
        "2 of 9 OK created sql table model marts.township_risk ............ [\x1b[32mOK\x1b[0m in 0.75s]\n"
        "3 of 9 OK created sql incremental model marts.signals ............ [\x1b[32mOK\x1b[0m in 7.00s]\n",
        "utf-8",
    )
    got = signals_share.share(tmp_path, 30.0, manifest)
    # 2.25 + 0.75 = 3 s of the 30 s cold run; marts.signals is not under a signals folder
    assert got["models"] == 3 and got["models_s"] == 10.0
    assert got["signals_models"] == 2 and got["signals_s"] == 3.0 and got["share_of_cold"] == 0.1
    out = {
        "scale": 100.0,
        "files": 1,
        "rows": 1,
        "runs": {"cold": [{"wall_s": 30.0, "cpu_s": 30.0, "max_rss_mb": 1.0, "tree_rss_mb": 1.0, "load_before": 0.1}]},
        "signals": [got],
    }
    out["summary"] = summarize(out)
    text = table(
        {
            "scales": [out],
            "machine": {"cpu": "x", "cores": 2, "memory_gb": 8, "os": "y", "python": "3.11", "versions": {}},
            "repeat": 1,
            "repeat_large": 1,
            "started": "now",
        }
    )
    assert (
        "| in the cold run: the 2 signals and risk models (sum of dbt's node times) | 3.0 | | | 10.0 % of cold" in text
    )


def test_the_fixed_costs_build_one_model_on_a_copy_and_leave_the_home_alone(generated_home, tmp_path):
    from bench import stack_floor

    db = generated_home / "warehouse.duckdb"
    before = (db.stat().st_mtime_ns, db.stat().st_size)
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    m = stack_floor.dbt_one_model(generated_home, tmp_path / "floor", env, tmp_path / "dbt.log")
    log = (tmp_path / "dbt.log").read_text("utf-8", errors="replace")
    assert m.exit_code == 0, log[-3000:]
    assert "1 of 1 OK created sql table model staging.stg_profile__townships" in log
    assert "TOTAL=1" in log  # the model alone: no test, no unit test
    assert (db.stat().st_mtime_ns, db.stat().st_size) == before
    assert not (tmp_path / "floor").exists()
    defs = stack_floor.definitions(env, ROOT, tmp_path / "defs.log")
    assert defs.exit_code == 0, (tmp_path / "defs.log").read_text("utf-8", errors="replace")[-3000:]


@pytest.mark.slow
def test_the_floor_computes_the_pipelines_numbers_on_a_clean_landing(tmp_path):
    """Without defects there is nothing to quarantine: the plain DuckDB script and the
    pipeline must then agree on every raw table, the KPI scoreboard and the ranking."""
    from pipelines.generate import generate

    home = tmp_path / "home"
    generate(home / "landing", seed=9, scale=0.1, defect_rate=0.0)
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    compiled = tmp_path / "compiled"
    compile_db = tmp_path / "compile" / "warehouse.duckdb"
    compile_db.parent.mkdir()
    dbt_dir = ROOT / "dbt_project"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "compile",
            "--profiles-dir",
            str(dbt_dir),
            "--target-path",
            str(compiled),
            "--log-path",
            str(tmp_path / "logs"),
            "--quiet",
        ],
        cwd=dbt_dir,
        env={**env, "SAFETYWH_DUCKDB": str(compile_db)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    floor = tmp_path / "floor" / "warehouse.duckdb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.plain_duckdb",
            "--landing",
            str(home / "landing"),
            "--db",
            str(floor),
            "--compiled",
            str(compiled),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["models"] > 20

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{home / 'published' / 'warehouse.duckdb'}' AS pipeline (READ_ONLY)")
        con.execute(f"ATTACH '{floor}' AS floor (READ_ONLY)")
        relations = [
            ("raw", t)
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'pipeline' AND schema_name = 'raw'"
            ).fetchall()
        ]
        relations += [
            ("marts", "kpi_scoreboard_daily"),
            ("marts", "township_rankings"),
            ("marts", "township_kpis_daily"),
        ]
        skip = {"_file_id", "_file_sha256", "_loaded_at", "_run_id"}  # bookkeeping of each run
        for schema, name in relations:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'pipeline' AND schema_name = ? "
                    "AND table_name = ?",
                    [schema, name],
                ).fetchall()
                if c not in skip
            ]
            cells = ", ".join(f'"{c}"' for c in columns)
            count = con.execute(f"SELECT count(*) FROM pipeline.{schema}.{name}").fetchone()[0]
            assert count, f"{schema}.{name} is empty"
            for a, b in (("pipeline", "floor"), ("floor", "pipeline")):
                diff = con.execute(
                    f"SELECT count(*) FROM (SELECT {cells} FROM {a}.{schema}.{name} "
                    f"EXCEPT ALL SELECT {cells} FROM {b}.{schema}.{name})"
                ).fetchone()[0]
                assert diff == 0, f"{schema}.{name}: {diff} rows of {a} not in {b}"
