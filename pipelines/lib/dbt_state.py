"""Decide how much of the dbt project a run has to build.

`dbt build` is the costliest fixed part of a run (process start, parse, ~200 nodes), and
most runs find no new file, or one. A model's output is a function of its code, of the
sources upstream of it and — for the models that read the clock (``now()``) — of the
time. So each run compares, with the last successful build:

- the dbt project's files and the dbt versions: changed -> **full** build, incremental
  models rebuilt from scratch (``--full-refresh``), dbt unit tests included (they test
  model *logic*; on a data-only build they run only if they have not yet passed for
  this code);
- every source table's content (row count and a sum of row hashes): the models downstream
  of the sources that changed are rebuilt, with their tests (**partial**; a new weekly
  hazards ledger changes raw.hazards and meta.files, not the registers);
- the county-local hour: when it changed, the clock-reading models (the lateness verdicts)
  and their descendants are rebuilt too (**partial**);
- nothing changed: **skip**, the assets are reported unchanged.

Rebuilding a model whose inputs did not change gives the same table, so the result equals
a full build; a build that fails records nothing, and the next run rebuilds everything
that changed since the last success. The state is kept in ``meta.dbt_builds`` inside the
warehouse, so it never disagrees with the data it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib.dbt_manifest import SOURCE_DIRS
from pipelines.paths import DBT_PROJECT_DIR

STATE_DDL = """
CREATE TABLE IF NOT EXISTS meta.dbt_builds (
    built_at TIMESTAMP NOT NULL,        -- county-local wall clock
    run_id VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,              -- full | partial
    sources_fingerprint VARCHAR NOT NULL,
    project_fingerprint VARCHAR NOT NULL,
    clock_bucket VARCHAR NOT NULL,      -- county-local hour the clock models were built in
    unit_tests_passed BOOLEAN NOT NULL, -- the project's dbt unit tests ran and passed
    source_fingerprints VARCHAR,        -- JSON: source relation -> fingerprint
    models_built INTEGER                -- models dbt built in this build
)
"""

# SQL that reads the wall clock: a model using it is rebuilt at least once an hour.
CLOCK_PATTERN = re.compile(r"\b(now|current_date|current_timestamp|get_current_timestamp|today)\s*\(|"
                           r"\bcurrent_(date|timestamp)\b|\brun_started_at\b", re.IGNORECASE)


@dataclass(frozen=True)
class BuildPlan:
    mode: str  # full | partial | skip | subset
    reason: str
    sources: dict[str, str]  # source relation -> content fingerprint, now
    project_fingerprint: str
    clock_bucket: str
    unit_tests: bool  # include the dbt unit tests
    rebuild: frozenset[str] = field(default_factory=frozenset)  # model names, mode "partial"
    last_run_id: str | None = None
    # rebuild incremental models from scratch: their code may have changed, or nothing
    # recorded vouches for what they hold
    full_refresh: bool = False

    @property
    def sources_fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.sources, sort_keys=True).encode()).hexdigest()


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """Every file dbt parses, plus the dbt versions: a change means rebuild (and unit-test)."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            digest.update(f"{package}={importlib.metadata.version(package)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in SOURCE_DIRS:
        files += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for path in files:
        if path.exists():
            digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def source_relations(manifest: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Source unique_id -> (schema, table), from the manifest."""
    return {uid: (s["schema"], s.get("identifier") or s["name"]) for uid, s in manifest.get("sources", {}).items()}


def source_fingerprints(con: duckdb.DuckDBPyConnection, relations: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Content fingerprint of every source table: row count and an order-insensitive sum of
    row hashes (DuckDB hashes tens of millions of values a second)."""
    existing = {tuple(r) for r in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL SELECT schema_name, view_name FROM duckdb_views()"
    ).fetchall()}
    out = {}
    for uid, (schema, table) in sorted(relations.items()):
        if (schema, table) not in existing:
            out[uid] = "missing"
            continue
        count, total = con.execute(
            f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{schema}"."{table}" AS t'
        ).fetchone()
        out[uid] = f"{count}:{total}"
    return out


def clock_models(manifest: dict[str, Any]) -> list[str]:
    """Names of the models whose SQL reads the wall clock."""
    return sorted(
        node["name"]
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and CLOCK_PATTERN.search(node.get("raw_code") or "")
    )


def models_in_order(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Model nodes, every model after the models it selects from (a multi-asset reports its
    assets in dependency order)."""
    from graphlib import TopologicalSorter

    models = {uid: node for uid, node in manifest.get("nodes", {}).items() if node.get("resource_type") == "model"}
    graph = {uid: [d for d in node.get("depends_on", {}).get("nodes", []) if d in models] for uid, node in models.items()}
    return [models[uid] for uid in TopologicalSorter(graph).static_order()]


def downstream_models(manifest: dict[str, Any], starts: list[str]) -> set[str]:
    """Names of the models built from the given nodes (unique ids of sources or models;
    model names are accepted too), the named models included."""
    children = manifest.get("child_map", {})
    nodes = manifest.get("nodes", {})
    by_name = {node["name"]: uid for uid, node in nodes.items() if node.get("resource_type") == "model"}
    stack = [by_name.get(s, s) for s in starts]
    seen: set[str] = set()
    while stack:
        uid = stack.pop()
        if uid in seen:
            continue
        seen.add(uid)
        stack += [c for c in children.get(uid, []) if nodes.get(c, {}).get("resource_type") == "model"]
    return {nodes[uid]["name"] for uid in seen if uid in nodes}


def with_test_partners(manifest: dict[str, Any], names: set[str]) -> set[str]:
    """``names`` plus the other models of every test that reads a model of ``names``: dbt
    leaves a test out when one of its models is left out (a relationships test between a
    rebuilt model and an unchanged one would not run). Rebuilding an unchanged model gives
    the same table; its own multi-model tests do not pull in more models."""
    nodes = manifest.get("nodes", {})
    extra: set[str] = set()
    for test in nodes.values():
        if test.get("resource_type") != "test":
            continue
        parents = {nodes[p]["name"] for p in test.get("depends_on", {}).get("nodes", [])
                   if nodes.get(p, {}).get("resource_type") == "model"}
        if parents & names:
            extra |= parents
    return set(names) | extra


def model_ancestors(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Model name -> names of every model it is built from, directly or not."""
    nodes = manifest.get("nodes", {})
    models = {uid: n for uid, n in nodes.items() if n.get("resource_type") == "model"}
    out: dict[str, set[str]] = {}
    for node in models_in_order(manifest):
        parents = [models[d] for d in node.get("depends_on", {}).get("nodes", []) if d in models]
        out[node["name"]] = set().union(*[{p["name"]} | out[p["name"]] for p in parents]) if parents else set()
    return out


def _missing_models(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> list[str]:
    """Models whose relation is not in the warehouse (dropped, or never built)."""
    present = {tuple(r) for r in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL SELECT schema_name, view_name FROM duckdb_views()"
    ).fetchall()}
    return [
        node["name"]
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
        and node.get("config", {}).get("materialized") != "ephemeral"
        and (node["schema"], node.get("alias") or node["name"]) not in present
    ]


def _last_build(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    con.execute(STATE_DDL)
    for column, kind in (("source_fingerprints", "VARCHAR"), ("models_built", "INTEGER")):
        con.execute(f"ALTER TABLE meta.dbt_builds ADD COLUMN IF NOT EXISTS {column} {kind}")
    row = con.execute(
        "SELECT run_id, source_fingerprints, project_fingerprint, clock_bucket FROM meta.dbt_builds "
        "ORDER BY built_at DESC, rowid DESC LIMIT 1"
    ).fetchone()
    if row is None or row[1] is None:
        return None
    tested = con.execute("SELECT bool_or(unit_tests_passed) FROM meta.dbt_builds WHERE project_fingerprint = ?",
                         [row[2]]).fetchone()[0]
    return {"run_id": row[0], "sources": json.loads(row[1]), "project": row[2], "clock_bucket": row[3],
            "unit_tested": bool(tested)}


def clock_bucket(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


def plan_build(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], now: dt.datetime,
               project_dir: Path = DBT_PROJECT_DIR) -> BuildPlan:
    sources = source_fingerprints(con, source_relations(manifest))
    project = project_fingerprint(project_dir)
    bucket = clock_bucket(now)
    last = _last_build(con)
    tested = bool(last and last["project"] == project and last["unit_tested"])
    common = dict(sources=sources, project_fingerprint=project, clock_bucket=bucket,
                  last_run_id=last["run_id"] if last else None)
    if last is None:
        return BuildPlan("full", "no earlier successful build", unit_tests=True, full_refresh=True, **common)
    if last["project"] != project:
        return BuildPlan("full", "the dbt project changed", unit_tests=True, full_refresh=True, **common)
    missing = _missing_models(con, manifest)
    if missing:
        return BuildPlan("full", f"missing model(s) {', '.join(missing[:5])}", unit_tests=not tested, **common)
    changed = sorted(uid for uid, fp in sources.items() if last["sources"].get(uid) != fp)
    clocked = clock_models(manifest) if last["clock_bucket"] != bucket else []
    if not changed and not clocked:
        return BuildPlan("skip", f"sources and models unchanged since run {last['run_id']}", unit_tests=False, **common)
    rebuild = with_test_partners(manifest, downstream_models(manifest, changed + clocked))
    every = {n["name"] for n in manifest["nodes"].values() if n.get("resource_type") == "model"}
    why = ", ".join([uid.split(".", 2)[-1] for uid in changed] + (["the hour (lateness)"] if clocked else []))
    if rebuild >= every:
        return BuildPlan("full", f"changed: {why}", unit_tests=not tested, **common)
    return BuildPlan("partial", f"changed: {why}; {len(rebuild)} of {len(every)} models",
                     unit_tests=False, rebuild=frozenset(rebuild), **common)


def record_build(con: duckdb.DuckDBPyConnection, plan: BuildPlan, run_id: str, now: dt.datetime, models_built: int) -> None:
    con.execute(STATE_DDL)
    con.execute(
        "INSERT INTO meta.dbt_builds BY NAME SELECT ? AS built_at, ? AS run_id, ? AS mode, ? AS sources_fingerprint, "
        "? AS project_fingerprint, ? AS clock_bucket, ? AS unit_tests_passed, ? AS source_fingerprints, ? AS models_built",
        [now, run_id, plan.mode, plan.sources_fingerprint, plan.project_fingerprint, plan.clock_bucket,
         plan.mode == "full" and plan.unit_tests, json.dumps(plan.sources, sort_keys=True), models_built],
    )
