"""Every dbt model and seed as a Dagster asset, built with its tests by at most ONE `dbt build`
per run.

Sources carry ``meta.dagster.asset_key`` (generated from the contracts), so each staging
model hangs off the raw asset that loads its feed: the lineage from landing file to mart
shows in the UI.

dbt decides what a run rebuilds, with its own selection syntax
(pipelines/lib/dbt_manifest.select_build): the sources that got new rows since the last
successful build (``source:ledgers.hazards+``), the code changed since that build
(``state:modified+``, ``--state <home>/dbt/target/state``), the clock-reading models when the hour
changed (``tag:clock+``); nothing when nothing changed. dbt's working folder is
``<home>/dbt/target``, one per home, so its partial parse file is the one it wrote last time.

What dbt did not rebuild is still reported, marked "not rebuilt": Dagster skips a step when
an upstream output it depends on was not yielded (``should_skip_step``), and the publish
and alert steps depend on the marts.
"""

import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from functools import cached_property
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from pipelines.defs.dbt.project import dbt_project
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.dbt_manifest import (
    NO_UNIT_TESTS,
    BuildSelection,
    dbt_executable,
    remember_build,
    run_artifact_args,
    select_build,
    state_dir,
    target_dir,
)
from warehouse.file_lock import LOCK_ERROR, wait_seconds, wait_until_free


class LayerTranslator(DagsterDbtTranslator):
    """Group dbt assets by layer (staging / intermediate / marts), keyed by schema and name.

    dbt tests are not Dagster asset checks: dbt runs them in `dbt build` (an error-severity
    failure fails the build, so nothing downstream is built or published) and dagster-dbt
    records each result as an observation of the models the test reads. As checks, the 157
    tests cost every run three stored events each (planned, step output, evaluation): a
    drop's run stored 930 events, 528 without them (docs/architecture.md)."""

    def __init__(self):
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=False))

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


class _Unchanged:
    """Reports the selected assets dbt did not rebuild, each once, each before any rebuilt
    asset built from it (a multi-asset reports its assets in dependency order), marked "not
    rebuilt"."""

    def __init__(self, context: dg.AssetExecutionContext, keys, reason: str):
        deps = context.assets_def.asset_deps
        own = set(context.assets_def.keys)
        graph = {k: {d for d in deps.get(k, ()) if d in own} for k in own}
        order = list(TopologicalSorter(graph).static_order())
        self.pending = [k for k in order if k in keys]
        self.ancestors: dict[dg.AssetKey, set[dg.AssetKey]] = {}
        for k in order:
            self.ancestors[k] = set().union(*({d} | self.ancestors[d] for d in graph[k])) if graph[k] else set()
        self.note = {"dbt": dg.MetadataValue.text(f"not rebuilt: {reason}")}

    def _result(self, key: dg.AssetKey) -> dg.MaterializeResult:
        return dg.MaterializeResult(asset_key=key, metadata=self.note)

    def before(self, key: dg.AssetKey) -> Iterator[dg.MaterializeResult]:
        """The unchanged assets ``key`` is built from, not yet reported."""
        upstream = self.ancestors.get(key, set())
        ready = [k for k in self.pending if k in upstream]
        self.pending = [k for k in self.pending if k not in upstream]
        for k in ready:
            yield self._result(k)

    def rest(self) -> Iterator[dg.MaterializeResult]:
        ready, self.pending = self.pending, []
        for k in ready:
            yield self._result(k)


def _event_key(context: dg.AssetExecutionContext, event) -> dg.AssetKey | None:
    if isinstance(event, dg.Output):
        return context.assets_def.keys_by_output_name[event.output_name]
    if isinstance(event, (dg.AssetMaterialization, dg.MaterializeResult)):
        return event.asset_key
    return None


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    selection: BuildSelection | None,
) -> Iterator[Any]:
    """One `dbt build`, its events streamed as Dagster's, retried while another process holds
    the DuckDB file (dbt then fails at once on "Could not set lock", before writing anything;
    `wait_until_free` beforehand leaves a window between the check and dbt opening the file).
    ``selection`` None: the subset picked by hand, which dagster-dbt selects itself."""
    path = warehouse.resolved_home().duckdb_path
    deadline = time.monotonic() + wait_seconds()
    # a hand-picked subset leaves out the unit tests like every other build (select_build)
    args = ["build", *run_artifact_args(), *((selection.args or ()) if selection else NO_UNIT_TESTS)]
    target = target_dir(warehouse.resolved_home())
    seed = Path(dbt_project.project_dir) / "target" / "partial_parse.msgpack"
    if not (target / "partial_parse.msgpack").exists() and seed.exists():
        # a new home: start from the partial parse file `dbt parse` left beside the manifest
        # (dbt checks it against the project, versions and profile; ~5 CPU s of a first run)
        args += ["--partial-parse-file-path", str(seed)]
    selected = set(context.selected_asset_keys)
    unchanged = _Unchanged(context, selected, selection.reason if selection else "")
    while True:
        # says so in Chinese and waits while the file is held (bound: SAFETYWH_LOCK_WAIT_SECONDS)
        wait_until_free(path, max(0.0, deadline - time.monotonic()))
        if selection is None:
            invocation = dbt.cli(args, context=context, target_path=target)
        else:
            # dagster-dbt would add `--select fqn:*` (every asset of the step), and dbt unites
            # several --select: run dbt's selection alone, then stream its events as this step's
            invocation = dbt.cli(
                args, manifest=dbt_project.manifest_path, dagster_dbt_translator=LayerTranslator(), target_path=target
            )
            invocation.context = context
        reported = 0
        try:
            for event in invocation.stream():
                key = _event_key(context, event)
                if key is not None:
                    if key not in selected:
                        continue
                    yield from unchanged.before(key)
                    unchanged.pending = [k for k in unchanged.pending if k != key]
                reported += 1
                yield event
            break
        except DagsterDbtCliRuntimeError as exc:
            # the message lists dbt's errors; a held file fails every node before any is built
            if reported or LOCK_ERROR not in str(exc) or time.monotonic() >= deadline:
                raise
            context.log.warning(
                "dbt build: the warehouse file was taken by another process before dbt opened it; waiting and retrying"
            )
        finally:
            # events stream while dbt runs; whatever happens here, dbt must have released the
            # DuckDB file before the next step (or the failure alert) opens it
            if invocation.process.poll() is None:
                invocation.process.communicate()  # drain its output, or it blocks on a full pipe
    yield from unchanged.rest()  # dbt succeeded (a failure raises above)


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    home = warehouse.resolved_home()
    # dbt's profile reads SAFETYWH_DUCKDB: point it at this home's file before dbt starts.
    home.export_env()
    if context.is_subset:
        # a hand-picked subset (UI): build exactly that, remember nothing
        context.log.info("dbt: the selected subset")
        yield from _build(context, dbt, warehouse, None)
        return
    manifest = json.loads(Path(dbt_project.manifest_path).read_text("utf-8"))
    with warehouse.connect() as con:
        selection = select_build(con, manifest, state_dir(home), warehouse.now())
    context.log.info(f"dbt: {selection.reason}" + (f" ({' '.join(selection.args)})" if selection.args else ""))
    if selection.skip:
        yield from _Unchanged(context, set(context.selected_asset_keys), selection.reason).rest()
        return
    yield from _build(context, dbt, warehouse, selection)
    remember_build(
        state_dir(home),
        Path(dbt_project.manifest_path),
        {**selection.built_from, "args": list(selection.args)},
        context.run_id,
    )


# The dbt installed beside this interpreter, whether or not the venv is on PATH.
defs = dg.Definitions(
    assets=[dbt_models],
    resources={"dbt": LocalDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())},
)
