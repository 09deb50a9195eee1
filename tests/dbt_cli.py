"""The real dbt on a DuckDB file of a test's own, with its own target and log folders (the
project's `target/` stays the pipeline's)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pipelines.lib.dbt_manifest import dbt_executable
from pipelines.paths import DBT_PROJECT_DIR


def dbt(db: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SAFETYWH_HOME"} | {"SAFETYWH_DUCKDB": str(db)}
    return subprocess.run(
        [
            dbt_executable(),
            *args,
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
