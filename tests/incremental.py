"""A generated home run twice by `safetywh run`, shared by the tests of what a second run
rebuilds and publishes (tests/test_bench_incremental.py, tests/test_calendar.py,
tests/test_publish_incremental.py): the first run without the latest weekly hazards ledger of
one township, the second after it is put back. During the second run another process takes
the DuckDB file after the run checked it and before `dbt build` opened it. A copy of the
result, rebuilt by a full `dbt build`, is the reference every model is compared with."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.dbt_cli import dbt

# marts the new hazards file does not touch: a rebuilt table is a new table and loses its comment
UNTOUCHED = ("plan_filing_by_unit_daily", "rescue_teams_daily", "township_preparedness_daily")


@dataclass(frozen=True)
class SecondRun:
    home: Path
    held: Path  # the weekly hazards ledger the first run did not have
    first_built_from: dict  # <home>/dbt/target/state/built_from.json after each run
    second_built_from: dict
    latest_before: dt.date  # intermediate.int_calendar__coverage after the first run
    out: str  # the second run's stdout and stderr (--verbose: dbt's node lines)
    err: str
    holder_out: str
    full: Path  # a copy of the warehouse after the second run, rebuilt by a full `dbt build`
    clocked: frozenset[str]  # models under tag:clock+: they read now(), so two builds differ


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


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}


def _dbt(db: Path, work: Path, *args: str) -> str:
    done = dbt(db, work, *args)
    assert done.returncode == 0, done.stdout[-4000:]
    return done.stdout


def run_twice(tmp: Path) -> SecondRun:
    from pipelines.generate import generate

    home = tmp / "home"
    generate(home / "landing", seed=5, scale=0.2, defect_rate=0.02)
    held = max((p for p in (home / "landing" / "hazards").glob("4301821*/*")), key=lambda p: p.stat().st_mtime)
    kept = tmp / held.name
    shutil.move(held, kept)
    command = [sys.executable, "-m", "pipelines", "run", "--home", str(home), "--verbose"]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    state = home / "dbt" / "target" / "state" / "built_from.json"
    first = json.loads(state.read_text("utf-8"))
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for name in UNTOUCHED:
            con.execute(f"COMMENT ON TABLE marts.{name} IS 'built by the first run'")
        latest_before = con.execute("SELECT latest_data_on FROM intermediate.int_calendar__coverage").fetchone()[0]

    shutil.move(kept, held)
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(run.pid), str(home / "warehouse.duckdb")], stdout=subprocess.PIPE, text=True
    )
    out, err = run.communicate(timeout=900)
    holder_out = holder.communicate(timeout=60)[0]
    assert run.returncode == 0, err[-3000:]

    full = tmp / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", full)
    _dbt(full, full.parent, "build", "--exclude-resource-type", "unit_test")
    clocked = _dbt(
        full, full.parent, "ls", "--select", "tag:clock+", "--resource-type", "model", "--output", "name", "-q"
    ).split()
    return SecondRun(
        home=home,
        held=held,
        first_built_from=first,
        second_built_from=json.loads(state.read_text("utf-8")),
        latest_before=latest_before,
        out=out,
        err=err,
        holder_out=holder_out,
        full=full,
        clocked=frozenset(clocked),
    )


def differing_tables(left: Path, right: Path, schemas=("staging", "intermediate", "marts"), skip=()) -> list[str]:
    """Tables of ``schemas`` in ``left`` whose rows differ from ``right`` (as multisets;
    doubles to 6 decimals, since sums of floats depend on summation order)."""
    out = []
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{left}' AS l (READ_ONLY)")
        con.execute(f"ATTACH '{right}' AS r (READ_ONLY)")
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'l' "
            f"AND schema_name IN ({', '.join('?' * len(schemas))})",
            list(schemas),
        ).fetchall()
        assert len(relations) > 40
        for schema, table in relations:
            if table in skip:
                continue
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'l' "
                "AND schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
            cells = ", ".join(f'round("{c}", 6)' if t == "DOUBLE" else f'"{c}"' for c, t in columns)
            q = f"{schema}.{table}"
            diff = con.execute(
                f"SELECT (SELECT count(*) FROM (SELECT {cells} FROM l.{q} EXCEPT ALL SELECT {cells} FROM r.{q})) "
                f"+ (SELECT count(*) FROM (SELECT {cells} FROM r.{q} EXCEPT ALL SELECT {cells} FROM l.{q}))"
            ).fetchone()[0]
            if diff:
                out.append(q)
    return out
