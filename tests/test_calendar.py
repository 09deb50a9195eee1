"""The fixed calendar (profile calendar.start / calendar.horizon): a new weekly hazards file
rebuilds what reads the hazards ledger, leaves the preparedness marts as they are, and gives
the tables a full `dbt build` gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.lib.dbt_manifest import dbt_executable
from pipelines.lib.profile_schema import validate_config
from pipelines.paths import DBT_PROJECT_DIR
from tests.conftest import ingest_landing

PACKAGED = Path(__file__).resolve().parent.parent / "pipelines" / "profiles" / "ningxiang"
UNTOUCHED = ("plan_filing_by_unit_daily", "rescue_teams_daily", "township_preparedness_daily")


def test_a_horizon_before_the_start_is_one_chinese_message():
    data = yaml.safe_load((PACKAGED / "profile.yaml").read_text("utf-8"))
    assert validate_config(data, PACKAGED) == []
    data["calendar"]["horizon"] = "2021-12-31"
    assert validate_config(data, PACKAGED) == ["calendar.horizon（2021-12-31）应不早于 calendar.start（2022-01-01）"]
    del data["calendar"]
    assert validate_config(data, PACKAGED) == ["缺少设置 calendar"]


def test_the_run_summary_says_when_facts_lie_after_the_horizon(tmp_path):
    from pipelines.lib.run_summary import _after_horizon, horizon_line

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert _after_horizon(con) == (0, None, None)  # no marts yet: nothing to say
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.calendar_coverage AS SELECT DATE '2023-12-31' AS calendar_horizon, "
            "DATE '2023-12-31' AS latest_fact_on, 0::BIGINT AS facts_after_horizon"
        )
        assert horizon_line(_after_horizon(con)) == ""
        con.execute("UPDATE marts.calendar_coverage SET facts_after_horizon = 2, latest_fact_on = DATE '2024-01-03'")
        assert horizon_line(_after_horizon(con)) == (
            "注意：有 2 个发生日期晚于日历截止日 2023-12-31（最晚 2024-01-03），未计入任何指标、排名和看板："
            "请在县情配置 profile.yaml 中把 calendar.horizon 延后（如到明年年底）后重新运行。\n"
        )


def dbt(db: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SAFETYWH_HOME"} | {"SAFETYWH_DUCKDB": str(db)}
    done = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--exclude-resource-type",
            "unit_test",
            "--profiles-dir",
            ".",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    return done


def clock_models(manifest: dict) -> set[str]:
    """The models that read the clock (now()) and every model built from them."""
    nodes = manifest["nodes"]
    todo = [uid for uid, n in nodes.items() if n["resource_type"] == "model" and "now()" in n.get("raw_code", "")]
    seen: set[str] = set()
    while todo:
        uid = todo.pop()
        if uid not in seen:
            seen.add(uid)
            todo += [c for c in manifest["child_map"].get(uid, []) if c.startswith("model.")]
    return {nodes[uid]["name"] for uid in seen}


@pytest.mark.slow
def test_a_new_hazards_file_leaves_the_preparedness_marts_and_equals_a_full_build(tmp_path):
    from pipelines.generate import generate
    from pipelines.lib.profile import load_profile
    from pipelines.lib.reference import write_reference_tables

    landing, db = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate(landing, seed=5, scale=0.2, defect_rate=0.02)
    held = max((p for p in (landing / "hazards").glob("4301821*/*")), key=lambda p: p.stat().st_mtime)
    aside = tmp_path / held.name
    shutil.move(held, aside)

    con, _ = ingest_landing(landing, db, "first")
    write_reference_tables(con, load_profile())
    con.close()
    dbt(db, tmp_path / "first", "build")
    with duckdb.connect(str(db)) as con:
        # a rebuilt table is a new table: it does not keep this comment
        for name in UNTOUCHED:
            con.execute(f"COMMENT ON TABLE marts.{name} IS 'built by the first run'")
        latest_before = con.execute("SELECT latest_data_on FROM intermediate.int_calendar__coverage").fetchone()[0]

    shutil.move(aside, held)
    con, results = ingest_landing(landing, db, "second")
    con.close()
    assert results["hazards"]
    # what the new file touched: the hazards ledger and the warehouse's own records of files
    dbt(db, tmp_path / "second", "build", "--select", "source:ledgers.hazards+", "source:warehouse+")
    built = {
        r["unique_id"].split(".")[-1]
        for r in json.loads((tmp_path / "second" / "target" / "run_results.json").read_text("utf-8"))["results"]
    }
    assert {"open_hazards_daily", "kpi_scoreboard_daily", "stg_warehouse__files"} <= built
    assert not built & set(UNTOUCHED)

    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(db, full)
    dbt(full, tmp_path / "full", "build")
    clocked = clock_models(json.loads((tmp_path / "full" / "target" / "manifest.json").read_text("utf-8")))
    assert "int_data_quality__settings" in clocked

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{db}' AS partial (READ_ONLY)")
        con.execute(f"ATTACH '{full}' AS full_build (READ_ONLY)")
        comments = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'partial' AND schema_name = 'marts'"
            ).fetchall()
        )
        assert {name: comments[name] for name in UNTOUCHED} == dict.fromkeys(UNTOUCHED, "built by the first run")
        # readers' "latest data date": the coverage row, equal to the scoreboard's last date
        latest, after = con.execute(
            "SELECT latest_data_on, facts_after_horizon FROM partial.marts.calendar_coverage"
        ).fetchone()
        assert latest >= latest_before and after == 0
        assert latest == con.execute("SELECT max(as_of) FROM partial.marts.kpi_scoreboard_daily").fetchone()[0]
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'partial' "
            "AND schema_name IN ('staging', 'intermediate', 'marts')"
        ).fetchall()
        assert len(relations) > 40
        for schema, table in relations:
            if table in clocked:  # they read now(): two builds differ by the seconds between them
                continue
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'partial' "
                "AND schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
            # doubles to 6 decimals: sums of floats depend on summation order
            cells = ", ".join(f'round("{c}", 6)' if t == "DOUBLE" else f'"{c}"' for c, t in columns)
            for a, b in (("partial", "full_build"), ("full_build", "partial")):
                diff = con.execute(
                    f"SELECT count(*) FROM (SELECT {cells} FROM {a}.{schema}.{table} "
                    f"EXCEPT ALL SELECT {cells} FROM {b}.{schema}.{table})"
                ).fetchone()[0]
                assert diff == 0, f"{schema}.{table} ({a} - {b})"
