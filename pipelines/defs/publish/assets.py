"""Publish a read-only copy of the warehouse for the dashboards after every run."""


import dagster as dg

from pipelines.defs.dbt.assets import dbt_models
from pipelines.defs.resources import WarehouseResource
from warehouse.layout import publish_copy


@dg.asset(
    key=["published", "warehouse"],
    deps=list(dbt_models.keys),
    group_name="publish",
    description="Atomic copy of the warehouse the dashboards read: they never take the writer's lock.",
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    home = warehouse.resolved_home()
    target = publish_copy(home.duckdb_path, home.published_path)
    return dg.MaterializeResult(metadata={"path": str(target), "bytes": target.stat().st_size})


defs = dg.Definitions(assets=[published_warehouse])
