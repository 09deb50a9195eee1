"""The Dagster code location loads, and the lineage runs from each feed's raw asset into
its dbt staging model (sources carry meta.dagster.asset_key from the contracts)."""

import dagster as dg

from pipelines.lib.contracts import load_contracts
from pipelines.lib.dbt_manifest import ensure_manifest


def load_defs() -> dg.Definitions:
    ensure_manifest()
    from pipelines.definitions import defs

    return defs


def test_every_feed_flows_from_its_raw_asset_into_its_staging_model():
    defs = load_defs()
    graph = defs.resolve_asset_graph()
    for feed in load_contracts():
        staging = dg.AssetKey(["staging", f"stg_ledgers__{feed}"])
        assert dg.AssetKey(["raw", feed]) in graph.get(staging).parent_keys, feed


def test_each_raw_asset_has_a_quarantine_check_and_the_register_a_reconciliation_check():
    defs = load_defs()
    check_keys = {(tuple(k.asset_key.path), k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    for feed in load_contracts():
        assert (("raw", feed), "no_quarantined_rows") in check_keys
    assert (("meta", "files"), "counts_reconcile") in check_keys


def test_the_run_job_executes_in_process_and_publishes_last():
    defs = load_defs()
    job = defs.resolve_job_def("safetywh_run")
    assert job.executor_def is dg.in_process_executor
    graph = defs.resolve_asset_graph()
    published = graph.get(dg.AssetKey(["published", "warehouse"]))
    assert dg.AssetKey(["meta", "files"]) in published.parent_keys
    # every asset of the run; the publications (partitioned, downstream of the copy) are not in it
    run_keys = [k for k in graph.get_all_asset_keys() if k.path[0] != "publications"]
    assert len(published.parent_keys) == len(run_keys) - 1


def test_materializations_from_the_ui_also_run_in_process():
    """A UI 'materialize all' uses the implicit job: it must not start parallel writers."""
    defs = load_defs()
    assert defs.resolve_implicit_global_asset_job_def().executor_def is dg.in_process_executor


def test_dbt_leaves_out_its_debug_log_and_json_artifacts_unless_asked(monkeypatch):
    # a run never reads them; they cost ~1.5 s of a one-file run (dbt_manifest.run_artifact_args)
    from pipelines.lib.dbt_manifest import run_artifact_args

    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    monkeypatch.delenv("DBT_WRITE_JSON", raising=False)
    assert run_artifact_args() == ["--log-level-file", "none", "--no-write-json"]
    # set by someone diagnosing a build: dbt reads the variables itself, no flag overrides them
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    monkeypatch.setenv("DBT_WRITE_JSON", "true")
    assert run_artifact_args() == []
