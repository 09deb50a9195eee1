"""Publish the read-only copy (pipelines/lib/publish.py) for the dashboards and the CLI after every run."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.lib import run_inputs
from pipelines.lib.publish import publish_reader_copy

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])


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
        target = publish_reader_copy(home.duckdb_path, home.published_path)
        # the run's last step: what it leaves behind joins the tags it started with, the
        # record the next run's inputs are compared with (pipelines/lib/run_inputs.py)
        context.instance.add_run_tags(
            context.run_id, run_inputs.left_behind(home, run_inputs.retries_pending(home, warehouse.profile()))
        )
        return dg.MaterializeResult(metadata={"path": str(target), "bytes": target.stat().st_size})

    return published_warehouse
