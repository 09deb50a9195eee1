"""Ingestion in batches of whole files (SAFETYWH_INGEST_BATCH_ROWS) gives what one pass
gives: every check is per row or per file, each batch is one transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.generate import generate
from pipelines.lib.ingest import batch_rows
from tests.conftest import ingest_landing

# what a batch changes nothing in: the files' outcome, the rows kept and the broken cells
SNAPSHOTS = {
    "files": "SELECT path, status, rows_total, rows_loaded, rows_quarantined, rows_skipped, reject_code FROM meta.files",
    "quarantine": "SELECT path, row_number, column_name, rule, value FROM meta.quarantine",
    "hazards": "SELECT * EXCLUDE (_file_id, _loaded_at, _run_id) FROM raw.hazards",
    "enterprises": "SELECT * EXCLUDE (_file_id, _loaded_at, _run_id) FROM raw.enterprises",
}


def snapshot(con) -> dict[str, list]:
    return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in SNAPSHOTS.items()}


def test_one_file_per_batch_equals_one_pass(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    generate(landing, seed=5, scale=0.05, defect_rate=0.05, start=dt.date(2023, 1, 1), end=dt.date(2023, 3, 31))
    con, _ = ingest_landing(landing, tmp_path / "one-pass.duckdb")
    whole = snapshot(con)
    con.close()
    monkeypatch.setenv("SAFETYWH_INGEST_BATCH_ROWS", "1")  # every file is a batch of its own
    con, _ = ingest_landing(landing, tmp_path / "batched.duckdb")
    batched = snapshot(con)
    con.close()
    assert whole["files"] and whole["quarantine"] and whole["hazards"]
    for name in SNAPSHOTS:
        assert batched[name] == whole[name], name


@pytest.mark.parametrize("value", ["0", "-5", "many", "2.5"])
def test_a_bad_batch_size_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("SAFETYWH_INGEST_BATCH_ROWS", value)
    with pytest.raises(ValueError, match="SAFETYWH_INGEST_BATCH_ROWS must be a positive whole number"):
        batch_rows()
