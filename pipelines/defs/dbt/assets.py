"""Every dbt model, seed and test as Dagster assets, built by ONE `dbt build` per run.

Sources carry ``meta.dagster.asset_key`` (generated from the contracts), so each staging
model hangs off the raw asset that loads its feed: the lineage from landing file to mart
shows in the UI.
"""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.defs.dbt.project import dbt_project
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.dbt_manifest import dbt_executable


class LayerTranslator(DagsterDbtTranslator):
    """Group dbt assets by layer (staging / intermediate / marts), keyed by schema and name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["config"].get("schema") or "main", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt's profile reads SAFETYWH_DUCKDB: point it at this home's file before dbt starts.
    warehouse.resolved_home().export_env()
    yield from dbt.cli(["build"], context=context).stream()


# The dbt installed beside this interpreter, whether or not the venv is on PATH.
defs = dg.Definitions(
    assets=[dbt_models],
    resources={"dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())},
)
