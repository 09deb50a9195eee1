"""dbt beside the pipeline: its manifest kept fresh (the Dagster definitions read it when they
load), its executable, and the flags of the build a run starts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pipelines.paths import DBT_PROJECT_DIR

SOURCE_DIRS = ("models", "macros", "tests", "seeds", "snapshots")


def manifest_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in SOURCE_DIRS:
        sources += [p for p in (project_dir / folder).rglob("*") if p.is_file()]
    return any(p.stat().st_mtime > built for p in sources if p.exists())


def dbt_executable() -> str:
    found = shutil.which("dbt")
    if found:
        return found
    import sys

    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    raise RuntimeError("dbt is not installed in this environment (pip install -e .)")


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """Run `dbt parse` when the manifest is missing or older than the project; True if it ran."""
    if not is_stale(project_dir):
        return False
    result = subprocess.run(
        [dbt_executable(), "parse", "--profiles-dir", str(project_dir), "--quiet"],
        cwd=project_dir,
        env={**os.environ},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return True


def run_artifact_args() -> list[str]:
    """Leave out the dbt artifacts a run never reads, unless the environment asks for them:

    - dbt's log file (dbt.log in the invocation's target folder) at its default level
      records every statement of every node: ~1 s of a 124-node partial build at the
      county's scale (py-spy: event formatting and the file handler in dbt's worker
      threads). The run log (<home>/logs/last-run.log) keeps dbt's node lines and errors
      and target/run the SQL; DBT_LOG_LEVEL_FILE=debug brings it back to diagnose a build.
    - manifest.json (~10 MB, written twice per build) and run_results.json: ~0.45 s.
      Dagster reads neither (it follows dbt's structured log); the manifest the
      definitions load is `dbt parse`'s in dbt_project/target. DBT_WRITE_JSON=true
      brings them back.
    """
    args = []
    if not os.environ.get("DBT_LOG_LEVEL_FILE"):
        args += ["--log-level-file", "none"]
    if not os.environ.get("DBT_WRITE_JSON"):
        args += ["--no-write-json"]
    return args
