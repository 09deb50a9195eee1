"""The fixed costs of the stack: what every run with a new file pays before any data work.

A run that finds a new file loads the Dagster definitions (imports Dagster and dagster-dbt,
builds the asset specs of every dbt node from the manifest) and starts one `dbt build` (a
new process: imports dbt, loads the adapter, its macros and the partial parse, then
builds). Each is measured alone here, on the same machine in the same bench run:

- definitions: import `pipelines.definitions` and resolve the run's job;
- dbt, one model: `dbt build` of the smallest staging model (`stg_profile__townships`, 29
  rows) with a run's flags (pipelines/lib/dbt_manifest.run_artifact_args), tests left
  out, on a copy of a home's warehouse. It is measured the second time: dbt's partial
  parse holds only for the warehouse path it was written with (the profile is part of
  its check), and a run finds the one its home's previous run left.

Their sum bounds a one-file run from below: ingesting the file, Dagster's run bookkeeping,
the ~40 models and ~85 tests downstream of a hazards ledger (dbt spends ~40 ms per node
however small its table), the alerts and the published copy all come on top of it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.measure import Measurement, measure
from pipelines.lib.dbt_manifest import dbt_executable, run_artifact_args
from pipelines.paths import DBT_PROJECT_DIR

SMALLEST_MODEL = "stg_profile__townships"
DEFINITIONS = "from pipelines.definitions import defs; defs.resolve_job_def('safetywh_run')"


def definitions(env: dict[str, str], cwd: Path, log: Path) -> Measurement:
    return measure([sys.executable, "-c", DEFINITIONS], env=env, cwd=cwd, log=log)


def dbt_one_model(home: Path, work: Path, env: dict[str, str], log: Path) -> Measurement:
    """`dbt build` of one small model on a copy of ``home``'s warehouse (the home is left as it is)."""
    shutil.rmtree(work, ignore_errors=True)
    target = work / "target"
    target.mkdir(parents=True)
    shutil.copyfile(home / "warehouse.duckdb", work / "warehouse.duckdb")
    env = {
        **env,
        "SAFETYWH_DUCKDB": str(work / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [
        dbt_executable(),
        "build",
        *run_artifact_args(),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--select",
        SMALLEST_MODEL,
        "--exclude-resource-type",
        "test",
        "unit_test",
    ]
    try:
        warm_up = measure(cmd, env=env, cwd=DBT_PROJECT_DIR, log=log)  # parses, writes the partial parse
        if warm_up.exit_code:
            return warm_up
        return measure(cmd, env=env, cwd=DBT_PROJECT_DIR, log=log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
