"""The run job: every asset, in process (steps are short; a subprocess per step costs 6-8 s
of re-import each, stack-facts), so DuckDB only ever has this one writer."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.publish.assets import PUBLISHED_KEY
from pipelines.lib.run_inputs import JOB_NAME as RUN_JOB_NAME

safetywh_run = dg.define_asset_job(
    RUN_JOB_NAME,
    # the published copy and everything it is made from; the publications (partitioned by
    # period, downstream of the copy) have their own jobs and schedules
    selection=dg.AssetSelection.assets(PUBLISHED_KEY).upstream(),
    executor_def=dg.in_process_executor,
    description="Ingest new landing files, validate, quarantine, build dbt, publish the read-only copy.",
)

defs = dg.Definitions(jobs=[safetywh_run])
