"""Publish the read-only copy (pipelines/lib/publish.py) for the dashboards and the CLI after every run."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.lib import run_inputs
from pipelines.lib.publish import publish_changed

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])


def changed_in_run(instance: dg.DagsterInstance, run_id: str) -> set[tuple[str, str]]:
    """The tables this run wrote, from its materialization events: a dbt model's key is
    [schema, model]; a raw feed counts when it loaded files (then its ``records.<feed>``
    changed); a model reported with ``dbt: not rebuilt: ...`` was not written."""
    changed = set()
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = entry.asset_materialization
        if materialization is None or len(materialization.asset_key.path) != 2:
            continue
        metadata = materialization.metadata
        note = metadata.get("dbt")
        if note is not None and str(getattr(note, "value", note)).startswith("not rebuilt"):
            continue
        schema, name = materialization.asset_key.path
        if schema == "raw":
            files = metadata.get("files")
            if not files or not getattr(files, "value", files):
                continue
        changed.add((schema, name))
    return changed


def build_published_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """Depends on every other asset of the run, so the copy is taken once they are all written."""

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=upstream,
        group_name="publish",
        description="Atomic copy of what the dashboards and the CLI read (marts, staging, the registers; no raw, nothing personal): readers never take the writer's lock.",
    )
    def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        home = warehouse.resolved_home()
        changed = changed_in_run(context.instance, context.run_id)
        if ("meta", "files") not in changed:
            # not a whole run (a hand-picked selection in the UI): what an earlier partial run
            # wrote is not in these events, so the copy is rebuilt whole
            changed = None
        done = publish_changed(home.duckdb_path, home.published_path, changed, context.run_id)
        context.log.info(f"published copy: {done.mode} ({done.reason}), {len(done.written)} table(s) written")
        # the run's last step: what it leaves behind joins the tags it started with, the
        # record the next run's inputs are compared with (pipelines/lib/run_inputs.py)
        context.instance.add_run_tags(
            context.run_id, run_inputs.left_behind(home, run_inputs.retries_pending(home, warehouse.profile()))
        )
        return dg.MaterializeResult(
            metadata={
                "path": str(done.path),
                "bytes": done.path.stat().st_size,
                "mode": done.mode,
                "reason": done.reason,
                "tables_written": len(done.written),
            }
        )

    return published_warehouse
