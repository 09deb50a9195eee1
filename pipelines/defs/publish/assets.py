"""Publish a read-only copy of the warehouse for the dashboards after every run."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from warehouse.layout import publish_copy

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])


def build_published_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """Depends on every other asset of the run, so the copy is taken once they are all written."""

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=upstream,
        group_name="publish",
        description="Atomic copy of the warehouse the dashboards read: they never take the writer's lock.",
    )
    def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
        home = warehouse.resolved_home()
        target = publish_copy(home.duckdb_path, home.published_path)
        return dg.MaterializeResult(metadata={"path": str(target), "bytes": target.stat().st_size})

    return published_warehouse
