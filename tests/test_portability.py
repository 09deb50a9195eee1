"""The dbt project is not tied to one machine's engine (docs/scaling.md): it parses and
compiles for a second adapter, dbt-trino (no Trino server needed), and the cross-database
macros of macros/cross_db.sql render for DuckDB and Trino — the DuckDB rendering is run
here, the Trino one is checked to be valid Trino SQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("dbt.adapters.trino", reason="dbt-trino is in the test extra (pyproject.toml)")

ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = ROOT / "dbt_project"
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
    " as latest, "
    "{{ safetywh.list_contains(safetywh.string_list(['a', 'b']), \"'b'\") }} as has_b, "
    "{{ safetywh.string_list([]) }} as empty_list, "
    "{{ safetywh.list_length(safetywh.string_list(['a', 'b', 'c'])) }} * 10 + {{ safetywh.list_length(safetywh.string_list([])) }}"
    " as lengths, "
    "(select {{ safetywh.ordered_list_agg('v', 'k') }} filter (where k < 3)"
    " from (values (2, 'y'), (1, 'x'), (3, 'z')) as t (k, v)) as ordered, "
    "{{ safetywh.split_to_list(\"'a;b'\", \"';'\") }} as parts, "
    "(select count(*) from {{ safetywh.date_series(\"date '2023-01-02'\", \"date '2023-01-31'\", 'd', 7, 'day') }}) as mondays, "
    "(select count(*) from {{ safetywh.date_series(\"date '2023-01-01'\", \"date '2023-12-01'\", 'd', 1, 'month') }}) as months, "
    "(select count(*) from {{ safetywh.date_series(\"date '2023-02-01'\", \"date '2023-01-31'\") }}) as backwards, "
    "{{ safetywh.iso_day_of_week(\"date '2023-04-09'\") }} as sunday, "
    "{{ safetywh.wall_clock('now()', \"'Asia/Shanghai'\") }} as shanghai_now, "
    "{{ safetywh.fixed_decimals('12', 1) }} || '/' || {{ safetywh.fixed_decimals('3.14159', 1) }} as fixed, "
    "(with l as (select 1 as k, 1 as t union all select 1, 5 union all select 2, 1), "
    "r as (select 1 as k, 3 as t, 'b' as v union all select 1, 2, 'a' union all select 1, 4, 'c' union all select 2, 0, 'z') "
    "select max(first_v) || cast(count(*) as varchar) || cast(count(first_v) as varchar) from ("
    "{{ safetywh.first_after('l', 'r', ['k'], 't', 't', ['k', 't'], {'v': 'first_v'}, 'v') }}) as firsts) as first_after"
)


def dbt(*args: str, tmp_path: Path, profiles: Path | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SAFETYWH_DUCKDB": str(tmp_path / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.pop("DBT_PROFILES_DIR", None)
    return subprocess.run(
        [
            DBT,
            *args,
            "--profiles-dir",
            str(profiles or DBT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
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

    on_duckdb = dbt(
        "compile", "--quiet", "--no-populate-cache", "--no-introspect", "--inline", INLINE, tmp_path=tmp_path
    )
    assert on_duckdb.returncode == 0, on_duckdb.stdout[-3000:]
    row = duckdb.connect().execute(on_duckdb.stdout.strip()).fetchone()
    assert row[:8] == ("b", "2023-W14", "2023-04", dt.date(2024, 1, 1), 59, 0.5, 31, 1)
    assert row[8:15] == (True, [], 30, ["x", "y"], ["a", "b"], 5, 12)  # lengths: 3 and 0
    assert row[15:17] == (0, 7)  # an end before the start: no day; ISO: Sunday is 7
    shanghai = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert isinstance(row[17], dt.datetime) and abs((row[17] - shanghai).total_seconds()) < 120
    assert row[18:] == ("12.0/3.1", "a31")  # (1, 1) -> 'a' (first after 1), (1, 5) and (2, 1): none

    on_trino = dbt(
        "compile",
        "--quiet",
        "--no-populate-cache",
        "--no-introspect",
        "--inline",
        INLINE,
        tmp_path=tmp_path / "trino",
        profiles=trino_profiles,
    )
    assert on_trino.returncode == 0, on_trino.stdout[-3000:]
    sql = on_trino.stdout.strip().splitlines()
    sql = "\n".join(line for line in sql if not line.startswith("INFO:"))
    for spelling in (
        "element_at(",
        "array[",
        "year_of_week(",
        "date_format(",
        "date_add('day'",
        "date_diff('day'",
        "cast(1 as double)",
        "sequence(",
        "_latest_rank",
        "contains(array[",
        "cast(array[] as array(varchar))",
        "array_agg(v order by k)",
        "split('a;b'",
        "interval '7' day",
        "interval '1' month",
        "day_of_week(",
        "at_timezone(now()",
        "format('%.1f'",
        "_first_rank",
        "cast(array[] as array(date))",
        "cardinality(",
    ):
        assert spelling in sql, spelling
    for duckdb_only in (
        "qualify",
        "generate_series",
        "asof",
        "list(",
        "list_contains(",
        "isodow(",
        "timezone(",
        "printf(",
        "string_split(",
        "len(",
    ):
        assert duckdb_only not in sql.lower().replace("at_timezone(", ""), duckdb_only
    sqlglot.parse_one(sql, read="trino", error_level=ErrorLevel.RAISE)  # valid Trino syntax


def test_the_duckdb_only_inventory_runs():
    """docs/scaling.md lists the DuckDB-only SQL from this scan (python -m bench.portability)."""
    from bench.portability import DUCKDB_ONLY, markdown, scan

    found = scan()
    table = markdown(found)
    assert table.startswith("| DuckDB-only construct")
    assert all(name in DUCKDB_ONLY for counts in found.values() for name in counts)
    assert not any(path.endswith("cross_db.sql") for path in found)  # dispatched macros are the allowed place


def _offending_lines(path: Path) -> list[tuple[int, str, str]]:
    """(line, construct, text) of every DuckDB-only construct of one file, read as the scan
    reads it (Jinja and comments blanked, line breaks kept so the numbers stay right)."""
    from bench.portability import DUCKDB_ONLY

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    raw = path.read_text("utf-8")
    text = re.sub(r"\{#.*?#\}", blank, raw, flags=re.S)
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", blank, text, flags=re.S)
    text = re.sub(r"--[^\n]*", blank, text)
    found = []
    for name, (pattern, _) in DUCKDB_ONLY.items():
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            line = text.count("\n", 0, match.start()) + 1
            found.append((line, name, raw.splitlines()[line - 1].strip()))
    return sorted(found)


def test_no_duckdb_only_sql_outside_the_dispatched_macros():
    """Issue 7: every DuckDB-only construct lives in macros/cross_db.sql (adapter-dispatched,
    with an ANSI / Trino default); models, other macros and singular tests use those macros
    or dbt's cross-database macros (python -m bench.portability lists them)."""
    from bench.portability import scan

    found = scan()
    offenders = [
        f"dbt_project/{path}:{line}: {name}: {text}"
        for path in sorted(found)
        for line, name, text in (_offending_lines(DBT_DIR / path) or [(0, ", ".join(found[path]), "(line not found)")])
    ]
    assert not offenders, "DuckDB-only SQL outside macros/cross_db.sql:\n" + "\n".join(offenders)
