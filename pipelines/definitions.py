"""The Dagster code location: one Definitions merged from the defs/ tree, one folder per concern."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.dbt import assets as dbt_defs
from pipelines.defs.ingest import assets as ingest_defs
from pipelines.defs.jobs import defs as job_defs
from pipelines.defs.publish import assets as publish_defs
from pipelines.defs.resources import WarehouseResource

defs = dg.Definitions.merge(
    ingest_defs.defs,
    dbt_defs.defs,
    publish_defs.defs,
    job_defs,
    dg.Definitions(resources={"warehouse": WarehouseResource()}),
)
