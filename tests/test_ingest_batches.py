"""Ingestion in batches of whole files (SAFETYWH_INGEST_BATCH_ROWS) gives what one pass
gives: every check is per row or per file, each batch is one transaction."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

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
    generate(landing, seed=5, scale=0.05, defect_rate=0.05, start=dt.date(2023, 1, 1), end=dt.date(2023, 1, 8))
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


def _generated_and_validated_here(tmp_path: Path, scale: float, end: dt.date) -> tuple[Path, dict]:
    """A generated landing with defects, ingested with validation in this process: the
    reference the worker's results are compared with."""
    landing = tmp_path / "landing"
    generate(landing, seed=6, scale=scale, defect_rate=0.05, start=dt.date(2023, 1, 1), end=end)
    con, _ = ingest_landing(landing, tmp_path / "here.duckdb")
    here = snapshot(con)
    con.close()
    return landing, here


def test_validation_in_the_preloaded_worker_equals_validation_here(tmp_path):
    """`safetywh run` validates in a worker forked from a server that imported GX while the
    run started (pipelines/lib/gx_process.py): the same files, rows and broken cells."""
    from pipelines.lib import gx_process

    landing, here = _generated_and_validated_here(tmp_path, scale=0.05, end=dt.date(2023, 1, 31))
    gx_process.start()
    try:
        assert gx_process._pool is not None
        con, _ = ingest_landing(landing, tmp_path / "worker.duckdb")
        in_worker = snapshot(con)
        con.close()
        worker_pids = set(gx_process._pool._processes)
    finally:
        gx_process.stop()
    assert worker_pids  # it did validate in another process
    assert here["quarantine"] and here["hazards"]
    for name in SNAPSHOTS:
        assert in_worker[name] == here[name], name


def test_a_dead_validation_worker_falls_back_to_validating_here(tmp_path):
    """The worker is killed (the OOM killer, an operator): the batch is validated here and the
    result is the same; the rest of the run validates here too."""
    import signal

    from pipelines.lib import gx_process

    landing, here = _generated_and_validated_here(tmp_path, scale=0.02, end=dt.date(2023, 1, 31))
    gx_process.start()
    try:
        assert gx_process._pool.submit(os.getpid).result() > 0  # the worker is up
        for pid in list(gx_process._pool._processes):
            os.kill(pid, signal.SIGKILL)
        con, _ = ingest_landing(landing, tmp_path / "fallback.duckdb")
        fallback = snapshot(con)
        con.close()
        assert gx_process._pool is None  # given up: the rest of the run validates here
    finally:
        gx_process.stop()
    assert here["quarantine"]
    assert fallback == here
