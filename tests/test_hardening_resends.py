"""Touches and re-sends. A `touch` (same path, same content, new modification time) is no
sending: no new file, no delivery, no mart changes. The same content under another name is
a sending: it loads nothing, is registered as a duplicate, and counts as sent on time
(ranking.md, Reporting: an unchanged weekly ledger sent on time is on time)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.inventory import register_new_files
from pipelines.lib.profile import load_profile
from tests.conftest import ingest_landing
from tests.ledgers import headers, set_received, write_csv
from tests.mart_rows import differing, marts
from tests.test_rules import CLEAN, ledger_row

YUTAN = "430182001"
WEEK14 = Path("hazards", YUTAN, "第14周.csv")


def week14(landing: Path) -> Path:
    rows = [ledger_row("hazards", {**CLEAN["hazards"], "hazard_id": f"H-{i}"}) for i in (1, 2)]
    return write_csv(landing / WEEK14, headers("hazards"), rows, received=dt.datetime(2023, 4, 10, 9, 0))


def register(con) -> list[tuple]:
    return con.execute("SELECT path, status, duplicate_of, received_at FROM meta.files ORDER BY file_id").fetchall()


def test_touch_is_not_a_file_and_a_resend_is_a_duplicate(tmp_path):
    landing = tmp_path / "landing"
    original = week14(landing)
    con, _ = ingest_landing(landing, tmp_path / "w.duckdb")
    profile, now = load_profile(), dt.datetime(2026, 11, 29, 13)
    set_received(original, dt.datetime(2023, 4, 17, 9, 0))  # touched a week later
    touched = register_new_files(con, landing, profile, "touch", now)
    assert (touched.new_files, touched.duplicates, touched.touched) == (0, 0, 1)
    assert register(con) == [(WEEK14.as_posix(), "loaded", None, dt.datetime(2023, 4, 10, 9, 0))]
    assert con.execute("SELECT path, file_id FROM meta.touches").fetchall() == [(WEEK14.as_posix(), 1)]
    # settled: seen again, nothing new
    assert register_new_files(con, landing, profile, "again", now).touched == 0
    # the same content under another name is a sending: a duplicate of the first
    resent = landing / "hazards" / YUTAN / "第15周（未变化）.csv"
    resent.write_bytes(original.read_bytes())
    set_received(resent, dt.datetime(2023, 4, 17, 9, 30))
    result = register_new_files(con, landing, profile, "resend", now)
    assert (result.new_files, result.duplicates, result.touched) == (1, 1, 0)
    assert register(con)[-1] == (
        resent.relative_to(landing).as_posix(),
        "duplicate",
        1,
        dt.datetime(2023, 4, 17, 9, 30),
    )
    # a changed content at the same path is a new version, not a touch
    write_csv(
        original,
        headers("hazards"),
        [ledger_row("hazards", {**CLEAN["hazards"], "hazard_id": "H-9"})],
        received=dt.datetime(2023, 4, 18, 9, 0),
    )
    changed = register_new_files(con, landing, profile, "changed", now)
    assert (changed.new_files, changed.touched, changed.pending) == (1, 0, 1)


def _run(home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _reporting(home: Path) -> tuple:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        s_rep = con.execute(
            "select s_rep from marts.township_rankings where period_type = 'week' and period = '2023-W16' "
            "and township_code = ?",
            [YUTAN],
        ).fetchall()
        status = con.execute(
            "select status from marts.data_quality_deliveries where delivery_key = ?", [f"hazards:{YUTAN}:2023-W15"]
        ).fetchall()
        raw = con.execute("select count(*) from raw.hazards").fetchall()[0][0]
        return s_rep[0][0], status[0][0], raw
    finally:
        con.close()


@pytest.mark.slow
def test_touch_changes_no_mart_and_a_resend_is_on_time(tmp_path):
    """Hand computation, 玉潭街道 (430182001), week 2023-W16 (17-23 April): the deadline in it is
    W15's (Mon 17 April 12:00), window after 10 April 12:00. Its W14 ledger (2 clean rows) was
    received 10 April 09:00. Touched to 17 April 09:00: nothing was sent for W15, so W15 is
    missing and S_rep(W16) = 15 x pass 1 (no rows) x on_time 0/1 = 0. The same content sent
    as a new file at 17 April 09:00: W15 on time, S_rep(W16) = 15 x 1 x 1/1 = 15, and raw
    still holds the 2 rows of the first file."""
    home = tmp_path / "home"
    landing = home / "landing"
    original = week14(landing)
    # a later event of another sender, so the calendar (to the latest event date) covers W16
    acc = ledger_row("accidents", {**CLEAN["accidents"], "occurred_at": "2023-04-25 10:00", "township": "道林"})
    write_csv(
        landing / "accidents" / "YJJ" / "4月事故.csv",
        headers("accidents"),
        [acc],
        received=dt.datetime(2023, 4, 25, 12, 0),
    )
    _run(home)
    before = marts(home / "warehouse.duckdb")
    assert _reporting(home) == (0.0, "missing", 2)

    set_received(original, dt.datetime(2023, 4, 17, 9, 0))
    touched = _run(home)
    assert "数据未变化" in touched.stdout
    # the wall-clock as_of of the lateness verdicts is left out: the touched run rebuilds
    # them when the county-local hour changed in between (tag:clock+)
    assert differing(marts(home / "warehouse.duckdb"), before) == []

    resent = landing / "hazards" / YUTAN / "第15周.csv"
    resent.write_bytes(original.read_bytes())
    set_received(resent, dt.datetime(2023, 4, 17, 9, 0))
    _run(home)
    assert _reporting(home) == (15.0, "on_time", 2)
