"""Every defect the generator injected is quarantined or rejected with the right rule,
and no clean row is: the generator's manifest is the ground truth."""

import duckdb
import polars as pl
import pytest

from pipelines.lib.contracts import load_contracts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def truth(generated_home):
    manifest = pl.read_csv(generated_home / "landing" / "_generator" / "defects.csv", infer_schema=False)
    with duckdb.connect(str(generated_home / "warehouse.duckdb"), read_only=True) as con:
        quarantine = con.sql(
            "SELECT path, CAST(row_number AS VARCHAR) AS row_number, column_name AS column, rule FROM meta.quarantine"
        ).pl()
        files = con.sql(
            "SELECT path, status, reject_code, rows_total, rows_loaded, rows_quarantined, rows_skipped FROM meta.files"
        ).pl()
        raw_counts = {
            feed: con.execute(f"SELECT count(*) FROM raw.{feed}").fetchall()[0][0] for feed in load_contracts()
        }
    return manifest, quarantine, files, raw_counts


def test_the_generator_injected_every_kind_of_defect(truth):
    manifest, *_ = truth
    kinds = set(manifest["rule"].unique())
    assert {
        "required",
        "format",
        "enum",
        "township",
        "range",
        "future",
        "order",
        "conditional",
        "check_digit",
        "duplicate_id",
        "reference",
    } <= kinds
    assert {"encoding", "not_a_table", "missing_columns", "no_rows", "unknown_sender", "duplicate"} <= kinds


def test_every_injected_row_defect_is_quarantined_with_its_column_and_rule(truth):
    manifest, quarantine, *_ = truth
    rows = manifest.filter(pl.col("kind") == "row").select("path", "row_number", "column", "rule")
    missed = rows.join(quarantine, on=["path", "row_number", "column", "rule"], how="anti")
    assert missed.is_empty(), missed


def test_no_clean_row_is_quarantined(truth):
    manifest, quarantine, *_ = truth
    rows = manifest.filter(pl.col("kind") == "row").select("path", "row_number")
    wrongly = quarantine.join(rows, on=["path", "row_number"], how="anti")
    assert wrongly.is_empty(), wrongly


def test_every_injected_file_defect_is_rejected_with_its_reason(truth):
    manifest, _, files, _ = truth
    expected = manifest.filter(pl.col("kind") == "file").select("path", "rule").join(files, on="path", how="left")
    wrong = expected.filter(
        ~pl.when(pl.col("rule") == "duplicate")
        .then(pl.col("status") == "duplicate")
        .otherwise((pl.col("status") == "rejected") & (pl.col("reject_code") == pl.col("rule")))
    )
    assert wrong.is_empty(), wrong
    # and nothing else is rejected (an unchanged weekly snapshot re-sent under a new name is a
    # legitimate duplicate, so only rejections are compared)
    defective = set(manifest.filter((pl.col("kind") == "file") & (pl.col("rule") != "duplicate"))["path"])
    assert set(files.filter(pl.col("status") == "rejected")["path"]) == defective


def test_counts_reconcile_for_every_file_and_feed(truth):
    _, _, files, raw_counts = truth
    assert files.filter(
        pl.col("rows_total") != pl.col("rows_loaded") + pl.col("rows_quarantined") + pl.col("rows_skipped")
    ).is_empty()
    assert sum(raw_counts.values()) == files["rows_loaded"].sum()
    assert all(n > 0 for n in raw_counts.values()), raw_counts
