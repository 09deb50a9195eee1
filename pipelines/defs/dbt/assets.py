"""Every dbt model, seed and test as Dagster assets, built by at most ONE `dbt build` per run.

Sources carry ``meta.dagster.asset_key`` (generated from the contracts), so each staging
model hangs off the raw asset that loads its feed: the lineage from landing file to mart
shows in the UI.

A run builds only what it must (pipelines/lib/dbt_state.py): everything when the dbt
project changed; the models downstream of the source tables that changed (a new ledger,
the county profile) and, when the hour changed, of the clock-reading models (the lateness
verdicts); nothing when nothing changed. What is not rebuilt is reported unchanged, with
the run that built it.
"""


import importlib.metadata
import json
import os
import shutil
import sys
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.defs.dbt.project import dbt_project
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.dbt_manifest import dbt_executable, run_artifact_args
from pipelines.lib.dbt_state import BuildPlan, model_ancestors, models_in_order, plan_build, record_build
from warehouse.file_lock import wait_until_free

# dagster-dbt gives every invocation its own target folder (~10 MB); keep the newest few.
KEEP_TARGETS = 10
KEEP_TARGETS_SECONDS = 24 * 3600


class LayerTranslator(DagsterDbtTranslator):
    """Group dbt assets by layer (staging / intermediate / marts), keyed by schema and name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["config"].get("schema") or "main", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


class LocalDbtCliResource(DbtCliResource):
    """dbt-core installed beside this interpreter, driven as a CLI subprocess.

    DbtCliResource would otherwise start `dbt --version` in a second process on every run
    (a full dbt import, 3-5 s) and build a dbt adapter inside the Dagster process (another
    dbt import plus macro loading, ~4 s) that serves only optional row-count and column
    metadata, which this project does not fetch.
    """

    @cached_property
    def _cli_version(self):
        from packaging import version

        # the venv's bin folder (not resolved: the venv's python is a symlink to the base one)
        if Path(os.path.abspath(self.dbt_executable)).parent == Path(os.path.abspath(sys.executable)).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - same signature as the parent
        return None


def _model_key(node: Mapping[str, Any]) -> dg.AssetKey:
    return LayerTranslator().get_asset_key(node)


class _Unchanged:
    """Reports the assets a run did not rebuild, each once, in dependency order, and each
    before any rebuilt asset built from it (a multi-asset must report its assets in
    dependency order). Their blocking checks (dbt tests of error severity) are reported
    passed: the build that recorded the state passed every one of them on the same data
    and code."""

    def __init__(self, context: dg.AssetExecutionContext, keys, plan: BuildPlan, manifest: Mapping[str, Any]):
        order = [_model_key(node) for node in models_in_order(manifest)]
        self.pending = [k for k in order if k in keys] + sorted(set(keys) - set(order), key=lambda k: k.to_user_string())
        names = {_model_key(node): node["name"] for node in models_in_order(manifest)}
        by_name = {name: key for key, name in names.items()}
        self.ancestors = {key: {by_name[a] for a in up} for key, up in
                          ((by_name[n], up) for n, up in model_ancestors(manifest).items())}
        self.note = {"dbt": dg.MetadataValue.text(f"not rebuilt: {plan.reason}"),
                     "built_in_run": dg.MetadataValue.text(plan.last_run_id or "")}
        self.checks: dict[dg.AssetKey, list[dg.AssetCheckSpec]] = {}
        for spec in context.assets_def.check_specs:
            if spec.blocking and spec.key in context.selected_asset_check_keys:
                self.checks.setdefault(spec.asset_key, []).append(spec)

    def _result(self, key: dg.AssetKey) -> dg.MaterializeResult:
        return dg.MaterializeResult(
            asset_key=key, metadata=self.note,
            check_results=[dg.AssetCheckResult(asset_key=key, check_name=spec.name, passed=True, metadata=self.note)
                           for spec in self.checks.get(key, [])],
        )

    def before(self, key: dg.AssetKey):
        """The unchanged assets ``key`` is built from, not yet reported."""
        upstream = self.ancestors.get(key, set())
        ready = [k for k in self.pending if k in upstream]
        self.pending = [k for k in self.pending if k not in upstream]
        for k in ready:
            yield self._result(k)

    def rest(self):
        ready, self.pending = self.pending, []
        for k in ready:
            yield self._result(k)


def _keep_partial_parse(target_path: Path) -> None:
    """dbt wrote an up-to-date partial_parse.msgpack into this invocation's own target folder;
    put it where dagster-dbt looks for it next time, so the next run parses only what changed
    (dbt checks it against the project files, versions and profile before using it)."""
    fresh = target_path / "partial_parse.msgpack"
    if not fresh.exists():
        return
    shared = Path(dbt_project.project_dir) / "target" / "partial_parse.msgpack"
    tmp = shared.with_name(f".partial_parse.{os.getpid()}.msgpack")
    shutil.copyfile(fresh, tmp)
    os.replace(tmp, shared)


def _prune_targets(target_root: Path) -> None:
    runs = sorted(target_root.glob("dbt_models-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    cutoff = time.time() - KEEP_TARGETS_SECONDS
    for old in runs[KEEP_TARGETS:]:
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt's profile reads SAFETYWH_DUCKDB: point it at this home's file before dbt starts.
    warehouse.resolved_home().export_env()
    now = warehouse.now()
    whole = set(context.selected_asset_keys) == set(context.assets_def.keys)
    manifest = json.loads(Path(dbt_project.manifest_path).read_text("utf-8"))
    with warehouse.connect() as con:
        plan = plan_build(con, manifest, now)
    if not whole:  # a hand-picked subset (UI): build exactly that, remember nothing
        plan = BuildPlan("subset", "selected by hand", plan.sources, plan.project_fingerprint, plan.clock_bucket,
                         unit_tests=True)
    context.log.info(f"dbt: {plan.mode} ({plan.reason})")
    selected = set(context.selected_asset_keys)
    if plan.mode == "skip":
        yield from _Unchanged(context, selected, plan, manifest).rest()
        return

    args = ["build", *run_artifact_args()]
    untouched: set[dg.AssetKey] = set()
    if plan.mode == "partial":
        # dagster-dbt selects the whole asset set with --select fqn:*: what need not be
        # rebuilt is left out with --exclude (its tests go with it)
        left_out = [n for n in manifest["nodes"].values() if n.get("resource_type") == "model" and n["name"] not in plan.rebuild]
        untouched = selected & {_model_key(n) for n in left_out}
        args += ["--exclude", " ".join(sorted(n["name"] for n in left_out))]
    if not plan.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if plan.full_refresh:
        args += ["--full-refresh"]
    unchanged = _Unchanged(context, untouched, plan, manifest)
    wait_until_free(warehouse.resolved_home().duckdb_path)  # dbt would fail at once on a held file
    invocation = dbt.cli(args, context=context)
    built = set()
    try:
        for event in invocation.stream():
            key = None
            if isinstance(event, dg.Output):
                key = context.assets_def.keys_by_output_name[event.output_name]
            elif isinstance(event, (dg.AssetMaterialization, dg.MaterializeResult)) and event.asset_key:
                key = event.asset_key
            if key is not None:
                yield from unchanged.before(key)
                built.add(key)
            yield event
    finally:
        # events stream while dbt runs; whatever happens here, dbt must have released the
        # DuckDB file before the next step (or the failure alert) opens it
        if invocation.process.poll() is None:
            invocation.process.communicate()  # drain its output, or it blocks on a full pipe
    # dbt succeeded (a failure raises above): report the rest unchanged
    yield from unchanged.rest()
    missing = selected - built - untouched
    if missing:  # selected, but dbt did not build them (should not happen): unchanged too
        yield from _Unchanged(context, missing, plan, manifest).rest()
    if plan.mode in ("full", "partial"):
        with warehouse.connect() as con:
            record_build(con, plan, context.run_id, now, len(built))
    try:
        _keep_partial_parse(invocation.target_path)
        _prune_targets(invocation.target_path.parent)
    except OSError as exc:  # a cache and housekeeping: never fail a run for them
        context.log.warning(f"dbt target housekeeping: {exc}")


# The dbt installed beside this interpreter, whether or not the venv is on PATH.
defs = dg.Definitions(
    assets=[dbt_models],
    resources={"dbt": LocalDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())},
)
