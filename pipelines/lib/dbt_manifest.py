"""dbt beside the pipeline: its manifest kept fresh (the Dagster definitions read it when they
load), its executable, and the flags of the build a run starts: what it selects (dbt's own
selection: sources with new rows, ``state:modified+``, the clock tag) and its state."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.paths import DBT_PROJECT_DIR
from warehouse.home import Home

if TYPE_CHECKING:
    import duckdb

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


# ------------------------------------------------------------------ what a run rebuilds

# Models that read the wall clock (now(), current_date ...) carry this tag: they are rebuilt
# when the county-local hour changed (the lateness verdicts). tests/test_bench_incremental.py
# checks that every model reading the clock has it.
CLOCK_TAG = "clock"
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")
CLOCK_PATTERN = re.compile(
    r"\b(now|current_date|current_timestamp|get_current_timestamp|today)\s*\(|"
    r"\bcurrent_(date|timestamp)\b|\brun_started_at\b",
    re.IGNORECASE,
)


def target_dir(home: Home) -> Path:
    """dbt's working folder for this home (partial parse file, compiled SQL): one per home,
    so the partial parse file dbt wrote last time matches this warehouse's profile."""
    return home.root / "dbt" / "target"


def state_dir(home: Home) -> Path:
    """The manifest of the last successful build (the next build's ``--state``) and what it
    was built from. Inside the target folder: like it, a result of runs, not code."""
    return target_dir(home) / "state"


@dataclass(frozen=True)
class BuildSelection:
    """The `dbt build` arguments of a run (``None``: nothing to build) and why."""

    args: tuple[str, ...] | None
    reason: str
    built_from: dict[str, Any] = field(default_factory=dict)  # written beside the manifest after success

    @property
    def skip(self) -> bool:
        return self.args is None


def project_digest(manifest: dict[str, Any]) -> str:
    """dbt's own checksums of the project (every node's file checksum and config, every
    macro's SQL): whether the code changed since the last build. What changed, and what is
    downstream of it, dbt's ``state:modified+`` decides."""
    digest = hashlib.sha256()
    for uid, node in sorted({**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}.items()):
        checksum = node.get("checksum")  # a dict for nodes, a string for unit tests
        digest.update(f"{uid}\0{checksum.get('checksum') if isinstance(checksum, dict) else checksum}\0".encode())
        digest.update(json.dumps(node.get("config"), sort_keys=True, default=str).encode())
    for uid, macro in sorted(manifest.get("macros", {}).items()):
        if macro.get("package_name") == manifest.get("metadata", {}).get("project_name", "safetywh"):
            digest.update(f"{uid}\0{macro.get('macro_sql')}\0".encode())
    for uid, source in sorted(manifest.get("sources", {}).items()):
        digest.update(f"{uid}\0{source.get('schema')}\0{source.get('identifier')}\0".encode())
    return digest.hexdigest()


def _relations(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {
        tuple(r)
        for r in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL SELECT schema_name, view_name FROM duckdb_views()"
        ).fetchall()
    }


def missing_models(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> list[str]:
    """Models whose relation is not in the warehouse (dropped, never built, a new file)."""
    present = _relations(con)
    return sorted(
        node["name"]
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
        and node.get("config", {}).get("materialized") != "ephemeral"
        and (node["schema"], node.get("alias") or node["name"]) not in present
    )


def profile_digest(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> str:
    """The county profile's tables (schema ref, rewritten by every run; a few dozen rows)."""
    present = _relations(con)
    parts = []
    for uid, source in sorted(manifest.get("sources", {}).items()):
        relation = (source["schema"], source.get("identifier") or source["name"])
        if source.get("source_name") != "profile":
            continue
        if relation not in present:
            parts.append(f"{uid}:missing")
            continue
        count, total = con.execute(
            f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{relation[0]}"."{relation[1]}" AS t'
        ).fetchone()
        parts.append(f"{uid}:{count}:{total}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _last_build(state: Path) -> dict[str, Any] | None:
    try:
        if not (state / "manifest.json").exists():
            return None
        return json.loads((state / "built_from.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def select_build(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], state: Path, now: dt.datetime
) -> BuildSelection:
    """What this run's `dbt build` selects, in dbt's selection syntax:

    - no earlier successful build in this home: everything, incremental models from scratch;
    - a model missing from the warehouse: everything (the others rebuild to the same tables);
    - the code changed: ``state:modified+`` against the last successful build's manifest
      (``--state``), with ``--full-refresh`` (an incremental model's new code must see
      every row);
    - files received since the last successful build: ``source:warehouse+`` (the file
      register) and ``source:ledgers.<feed>+`` for each feed that loaded rows; raw and
      meta tables are append-only under one file id sequence, so "a larger file id than
      the last build saw" is exactly "new rows";
    - the county profile's tables changed: ``source:profile+``;
    - the county-local hour changed: ``tag:clock+`` (the lateness verdicts);
    - none of these: no build.

    Never the unit tests: their inputs are fixed, so they test the code, not the data, and
    dbt recommends running them in development and CI only (tests/test_dbt_unit_tests.py).
    """
    files_seen = con.execute("SELECT coalesce(max(file_id), 0) FROM meta.files").fetchone()[0]
    built_from = {
        "file_id": files_seen,
        "profile": profile_digest(con, manifest),
        "hour": now.strftime("%Y-%m-%dT%H"),
        "project": project_digest(manifest),
    }
    last = _last_build(state)
    if last is None:
        return BuildSelection(("--full-refresh", *NO_UNIT_TESTS), "no earlier successful build", built_from)
    missing = missing_models(con, manifest)
    if missing:
        return BuildSelection(NO_UNIT_TESTS, f"missing model(s) {', '.join(missing[:5])}", built_from)
    select, why, flags = [], [], []
    if last.get("project") != built_from["project"]:
        select.append("state:modified+")
        why.append("the dbt project")
        flags += ["--state", str(state), "--full-refresh"]
    feeds = con.execute(
        "SELECT DISTINCT feed, rows_loaded > 0 FROM meta.files WHERE file_id > ? ORDER BY ALL", [last.get("file_id", 0)]
    ).fetchall()
    if feeds:
        known = {s["name"] for s in manifest.get("sources", {}).values() if s.get("source_name") == "ledgers"}
        loaded = sorted({feed for feed, rows in feeds if rows and feed in known})
        select += ["source:warehouse+", *(f"source:ledgers.{feed}+" for feed in loaded)]
        why.append("new files" + (f" ({', '.join(loaded)})" if loaded else ""))
    if last.get("profile") != built_from["profile"]:
        select.append("source:profile+")
        why.append("the county profile")
    if last.get("hour") != built_from["hour"]:
        select.append(f"tag:{CLOCK_TAG}+")
        why.append("the hour (lateness)")
    if not select:
        return BuildSelection(None, f"nothing changed since run {last.get('run_id')}", built_from)
    return BuildSelection(
        ("--select", " ".join(select), *flags, *NO_UNIT_TESTS), "changed: " + ", ".join(why), built_from
    )


def remember_build(state: Path, manifest_file: Path, built_from: dict[str, Any], run_id: str) -> None:
    """After a successful build: its manifest (the next run's ``--state``) and what it was built from."""
    state.mkdir(parents=True, exist_ok=True)
    for name, write in (
        ("manifest.json", lambda tmp: shutil.copyfile(manifest_file, tmp)),
        ("built_from.json", lambda tmp: tmp.write_text(json.dumps({**built_from, "run_id": run_id}), "utf-8")),
    ):
        tmp = state / f".{name}.{os.getpid()}"
        write(tmp)
        os.replace(tmp, state / name)
