"""A subset of the dbt assets picked by hand (the UI's "Materialize selected") builds exactly
that subset: Dagster hands the step a subsetted assets definition (``context.is_subset``),
so the run's own selection (pipelines/lib/dbt_manifest.select_build) must not be used."""

import shutil

import dagster as dg
import duckdb
import pytest

from pipelines.defs.resources import WarehouseResource
from pipelines.lib.dbt_manifest import ensure_manifest
from warehouse.home import Home

pytestmark = pytest.mark.slow


def test_a_hand_picked_model_is_built_alone(generated_home, tmp_path, monkeypatch):
    ensure_manifest()  # the dbt assets load the manifest when imported: a fresh clone has none yet
    from pipelines.defs.dbt import assets as dbt_defs

    home = Home.resolve(str(tmp_path / "home")).ensure()
    shutil.copyfile(generated_home / "warehouse.duckdb", home.duckdb_path)
    with duckdb.connect(str(home.duckdb_path)) as con:
        con.execute("DELETE FROM staging.stg_profile__townships")
        # a rebuilt table is a new table: it does not keep this comment
        con.execute("COMMENT ON TABLE marts.township_rankings IS 'not rebuilt'")
    monkeypatch.setenv("SAFETYWH_HOME", str(home.root))
    result = dg.materialize(
        [dbt_defs.dbt_models],
        selection="key:staging/stg_profile__townships",
        resources={"dbt": dbt_defs.defs.resources["dbt"], "warehouse": WarehouseResource()},
        raise_on_error=False,
    )
    assert result.success
    assert [m.asset_key for m in result.asset_materializations_for_node("dbt_models")] == [
        dg.AssetKey(["staging", "stg_profile__townships"])
    ]
    with duckdb.connect(str(home.duckdb_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM staging.stg_profile__townships").fetchone()[0] == 29
        assert con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'township_rankings'"
        ).fetchone() == ("not rebuilt",)


def test_dbt_tests_are_observations_and_an_error_test_that_fails_fails_the_build(generated_home, tmp_path, monkeypatch):
    """dbt tests are not asset checks (LayerTranslator): a passing test is an observation of
    the model it tests, and a failing error-severity test still fails the build."""
    ensure_manifest()
    from pipelines.defs.dbt import assets as dbt_defs

    home = Home.resolve(str(tmp_path / "home")).ensure()
    shutil.copyfile(generated_home / "warehouse.duckdb", home.duckdb_path)
    monkeypatch.setenv("SAFETYWH_HOME", str(home.root))
    key = dg.AssetKey(["staging", "stg_profile__townships"])

    def build():
        return dg.materialize(
            [dbt_defs.dbt_models],
            selection="key:staging/stg_profile__townships",
            resources={"dbt": dbt_defs.defs.resources["dbt"], "warehouse": WarehouseResource()},
            raise_on_error=False,
        )

    passed = build()
    assert passed.success
    assert not dbt_defs.dbt_models.check_specs_by_output_name
    observed = {
        o.metadata["unique_id"].value.split(".")[2]: o.metadata["status"].value
        for o in passed.asset_observations_for_node("dbt_models")
        if o.asset_key == key
    }
    # its column tests, and the tests dbt selects with it (eager indirect selection)
    assert observed["unique_stg_profile__townships_township_code"] == "pass"
    assert observed["not_null_stg_profile__townships_township_code"] == "pass"
    assert set(observed.values()) == {"pass"}

    with duckdb.connect(str(home.duckdb_path)) as con:
        con.execute("INSERT INTO ref.townships SELECT * FROM ref.townships LIMIT 1")
    failed = build()
    assert not failed.success
    failure = failed.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "unique_stg_profile__townships_township_code" in failure
