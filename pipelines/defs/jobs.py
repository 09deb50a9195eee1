"""The run job: every asset, in process (steps are short; a subprocess per step costs 6-8 s
of re-import each, stack-facts), so DuckDB only ever has this one writer."""

from __future__ import annotations

import dagster as dg

RUN_JOB_NAME = "safetywh_run"

safetywh_run = dg.define_asset_job(
    RUN_JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest new landing files, validate, quarantine, build dbt, publish the read-only copy.",
)

defs = dg.Definitions(jobs=[safetywh_run])
