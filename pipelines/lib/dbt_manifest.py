"""Keep dbt's manifest fresh: the Dagster definitions read it when they load."""

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
