"""The dbt project is not tied to one machine's engine (docs/scaling.md): it parses and
compiles for a second adapter, dbt-trino (no Trino server needed), and the cross-database
macros of macros/cross_db.sql render for DuckDB and Trino — the DuckDB rendering is run
here, the Trino one is checked to be valid Trino SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dbt.adapters.trino", reason="dbt-trino is in the test extra (pyproject.toml)")

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))
TRINO_PROFILE = """
safetywh:
  target: trino
  outputs:
    trino:
      type: trino
      method: none
      user: safetywh
      host: trino.invalid
      port: 8080
      database: warehouse
      schema: main
      threads: 2
"""
# Every macro of cross_db.sql in one statement, with the values DuckDB must give.
INLINE = (
    "select {{ safetywh.list_element(safetywh.string_list(['a', 'b', 'c']), 2) }} as second, "
    "{{ safetywh.period_label(\"date '2023-04-03'\", 'iso_week') }} as week, "
    "{{ safetywh.period_label(\"date '2023-04-03'\", 'month') }} as month, "
    "{{ safetywh.add_days(\"date '2023-12-31'\", 1) }} as next_day, "
    "{{ safetywh.days_between(\"date '2023-01-01'\", \"date '2023-03-01'\") }} as days, "
    "{{ safetywh.ratio('1', '2') }} as half, "
    "(select count(*) from {{ safetywh.date_series(\"date '2023-01-01'\", \"date '2023-01-31'\") }}) as january, "
    "(select count(*) from ({{ safetywh.latest_rows('(select 1 as k, 2 as v union all select 1, 3) as t', 'k', 'v desc') }}))"
    " as latest"
)


def dbt(*args: str, tmp_path: Path, profiles: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SAFETYWH_DUCKDB": str(tmp_path / "warehouse.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("DBT_PROFILES_DIR", None)
    return subprocess.run(
        [DBT, *args, "--profiles-dir", str(profiles or DBT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture
def trino_profiles(tmp_path) -> Path:
    folder = tmp_path / "trino-profile"
    folder.mkdir()
    (folder / "profiles.yml").write_text(TRINO_PROFILE, "utf-8")
    return folder


def test_the_project_parses_and_compiles_for_trino(tmp_path, trino_profiles):
    parsed = dbt("parse", tmp_path=tmp_path, profiles=trino_profiles)
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    compiled = dbt("compile", "--no-populate-cache", "--no-introspect", tmp_path=tmp_path, profiles=trino_profiles)
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text("utf-8"))
    assert manifest["metadata"]["adapter_type"] == "trino"
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models
    for node in models:
        out = tmp_path / "target" / "compiled" / node["package_name"] / node["original_file_path"]
        assert out.exists() and out.read_text("utf-8").strip(), node["name"]


def test_cross_db_macros_render_for_duckdb_and_trino(tmp_path, trino_profiles):
    import duckdb
    import sqlglot
    from sqlglot import ErrorLevel

    on_duckdb = dbt("compile", "--quiet", "--no-populate-cache", "--no-introspect", "--inline", INLINE, tmp_path=tmp_path)
    assert on_duckdb.returncode == 0, on_duckdb.stdout[-3000:]
    row = duckdb.connect().execute(on_duckdb.stdout.strip()).fetchone()
    assert row == ("b", "2023-W14", "2023-04", __import__("datetime").date(2024, 1, 1), 59, 0.5, 31, 1)

    on_trino = dbt("compile", "--quiet", "--no-populate-cache", "--no-introspect", "--inline", INLINE,
                   tmp_path=tmp_path / "trino", profiles=trino_profiles)
    assert on_trino.returncode == 0, on_trino.stdout[-3000:]
    sql = on_trino.stdout.strip().splitlines()
    sql = "\n".join(line for line in sql if not line.startswith("INFO:"))
    for spelling in ("element_at(", "array[", "year_of_week(", "date_format(", "date_add('day'", "date_diff('day'",
                     "cast(1 as double)", "sequence(", "_latest_rank"):
        assert spelling in sql, spelling
    assert "qualify" not in sql.lower() and "generate_series" not in sql
    sqlglot.parse_one(sql, read="trino", error_level=ErrorLevel.RAISE)  # valid Trino syntax


def test_the_duckdb_only_inventory_runs():
    """docs/scaling.md lists the DuckDB-only SQL from this scan (python -m bench.portability)."""
    from bench.portability import DUCKDB_ONLY, markdown, scan

    found = scan()
    table = markdown(found)
    assert table.startswith("| DuckDB-only construct")
    assert all(name in DUCKDB_ONLY for counts in found.values() for name in counts)
    assert not any(path.endswith("cross_db.sql") for path in found)  # dispatched macros are the allowed place
