"""The Dagster code location: one Definitions merged from the defs/ tree, one folder per concern."""

import dagster as dg

from pipelines.defs import jobs
from pipelines.defs import landing as landing_defs
from pipelines.defs import mailbox as mailbox_defs
from pipelines.defs.alerts import assets as alert_defs
from pipelines.defs.alerts.schedules import alerts_retry
from pipelines.defs.bulletins import assets as bulletin_defs
from pipelines.defs.dbt import assets as dbt_defs
from pipelines.defs.ingest import assets as ingest_defs
from pipelines.defs.publish.assets import build_published_asset
from pipelines.defs.resources import WarehouseResource

# Each concern's Definitions; a new concern (alerts, bulletins) adds its module here.
CONCERNS = [ingest_defs.defs, dbt_defs.defs, alert_defs.defs]


def _build() -> dg.Definitions:
    merged = dg.Definitions.merge(*CONCERNS)
    upstream = [key for assets_def in merged.assets or [] for key in assets_def.keys]
    return dg.Definitions.merge(
        merged,
        # in process everywhere, UI-launched materializations included: one DuckDB writer
        dg.Definitions(
            assets=[build_published_asset(upstream)],
            resources={"warehouse": WarehouseResource()},
            executor=dg.in_process_executor,
        ),
        jobs.defs,
        bulletin_defs.defs,  # downstream of the published copy, partitioned by period: not in the run
        mailbox_defs.defs,  # a sensor: files e-mailed ledgers, then asks for the run job
        landing_defs.defs,  # a sensor: something new since the last successful run starts the run job
        dg.Definitions(schedules=[alerts_retry]),  # unsent alerts are retried every 10 minutes
    )


defs = _build()
