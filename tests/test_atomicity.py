"""A file is loaded in one transaction: a failure half-way leaves nothing of it, and the
next run completes it."""

import datetime as dt

import duckdb
import pytest

from pipelines.lib.contracts import get_contract
from pipelines.lib.ingest import ingest_feed
from pipelines.lib.inventory import register_new_files
from pipelines.lib.profile import load_profile
from tests.ledgers import headers, write_csv
from tests.test_rules import CLEAN, ledger_row
from warehouse.layout import connect

NOW = dt.datetime(2026, 11, 29, 12, 0)


class FailingConnection:
    """Forwards to a real DuckDB connection but fails on one statement, as a crash would."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fail_on: str):
        self._con, self._fail_on = con, fail_on

    def execute(self, sql, *args, **kwargs):
        if self._fail_on in sql:
            raise RuntimeError("simulated crash")
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def counts(con):
    return (
        con.execute("SELECT count(*) FROM raw.hazards").fetchall()[0][0],
        con.execute("SELECT count(*) FROM meta.files").fetchall()[0][0],
        con.execute("SELECT count(*) FROM meta.quarantine").fetchall()[0][0],
        con.execute("SELECT count(*) FROM meta.inbox").fetchall()[0][0],
    )


@pytest.mark.parametrize(
    "fail_on", ["INSERT INTO meta.quarantine", "INSERT INTO meta.skipped_rows", "DELETE FROM meta.inbox"]
)
def test_a_crash_mid_load_leaves_nothing_and_the_next_run_completes(tmp_path, fail_on):
    landing = tmp_path / "landing"
    rows = [
        ledger_row("hazards", CLEAN["hazards"]),
        ledger_row("hazards", {**CLEAN["hazards"], "hazard_id": "H-2", "level": "?"}),
    ]
    write_csv(landing / "hazards" / "430182001" / "w.csv", headers("hazards"), rows, title="台账")
    con = connect(tmp_path / "w.duckdb")
    profile, contract = load_profile(), get_contract("hazards")
    register_new_files(con, landing, profile, "run-1", NOW)
    assert counts(con) == (0, 0, 0, 1)

    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_feed(FailingConnection(con, fail_on), contract, profile, landing, "run-1", NOW)
    assert counts(con) == (0, 0, 0, 1)  # nothing half-written; the file still waits

    result = ingest_feed(con, contract, profile, landing, "run-2", NOW)
    assert (result.rows_loaded, result.rows_quarantined, result.rows_skipped) == (1, 1, 1)
    assert counts(con) == (1, 1, 1, 0)


def test_the_identical_file_under_another_name_is_a_duplicate_and_changes_nothing(tmp_path):
    landing = tmp_path / "landing"
    first = write_csv(
        landing / "hazards" / "430182001" / "a.csv",
        headers("hazards"),
        [ledger_row("hazards", CLEAN["hazards"])],
        received=dt.datetime(2023, 4, 10, 9),
    )
    con = connect(tmp_path / "w.duckdb")
    profile, contract = load_profile(), get_contract("hazards")
    register_new_files(con, landing, profile, "run-1", NOW)
    ingest_feed(con, contract, profile, landing, "run-1", NOW)
    copy = landing / "hazards" / "430182003" / "copy of a.csv"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(first.read_bytes())
    result = register_new_files(con, landing, profile, "run-2", NOW)
    assert (result.new_files, result.duplicates, result.pending) == (1, 1, 0)
    assert con.execute("SELECT status, duplicate_of FROM meta.files WHERE path LIKE '%copy%'").fetchall() == [
        ("duplicate", 1)
    ]
    assert con.execute("SELECT count(*) FROM raw.hazards").fetchall() == [(1,)]
    # seen again unchanged: not even re-registered
    assert register_new_files(con, landing, profile, "run-3", NOW).new_files == 0
