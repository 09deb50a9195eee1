"""The alert e-mails' row problems are a dbt model (marts/data_quality_row_problems); its
unit test (_data_quality__models.yml) pins the edges of an episode: a record broken in two
files in a row is one problem shown with the later file's rows, the next file without the
fault fixes it, breaking it again is a new problem, files received the same second are
ordered by file id, a row without a record id is fixed by the next LOADED file (not a
rejected one), a depot quarantined as 玉潭 is the record loaded as 430182001, and a sender
outside the profile raises nothing. This runs it against an empty warehouse of the real
layout, then checks the model on hand-made rows with the hand-computed figures."""

import os
import subprocess

import pytest

from pipelines.lib.alerts.problems import current_problems
from pipelines.lib.dbt_manifest import dbt_executable
from pipelines.lib.profile import load_profile
from pipelines.lib.reference import write_reference_tables
from pipelines.paths import DBT_PROJECT_DIR
from warehouse.layout import connect

pytestmark = pytest.mark.slow


def _dbt_build(db, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            dbt_executable(),
            "build",
            "--select",
            "+data_quality_row_problems",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "SAFETYWH_DUCKDB": str(db)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_row_problem_episodes_are_computed_by_dbt(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    write_reference_tables(con, load_profile())
    # 玉潭 (430182001) sends hazards: H-1's phone broken in file 1, fixed in file 2, broken again in file 3
    files = [(1, "2023-04-10 09:00:00"), (2, "2023-04-17 09:00:00"), (3, "2023-04-24 09:00:00")]
    for file_id, received in files:
        con.execute(
            "INSERT INTO meta.files (file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns, received_at, "
            "loaded_at, run_id, status, rows_total, rows_loaded, rows_quarantined, rows_skipped) "
            "VALUES (?, ?, 'hazards', '430182001', ?, 1, 0, ?, now(), 'r', 'loaded', 1, 0, 1, 0)",
            [file_id, f"hazards/430182001/w{file_id}.xlsx", f"sha{file_id}", received],
        )
    for file_id in (1, 3):
        con.execute(
            "INSERT INTO meta.quarantine (file_id, feed, sender_code, path, row_number, record_id, column_name, "
            "column_header, value, is_personal, rule, reason, run_id, quarantined_at) VALUES (?, 'hazards', "
            "'430182001', ?, 3, 'H-1', 'phone', '联系电话', '137***4567', true, 'format', '号码位数不对', 'r', now())",
            [file_id, f"hazards/430182001/w{file_id}.xlsx"],
        )
    con.execute("INSERT INTO raw.hazards (hazard_id, _file_id, _sender_code) VALUES ('H-1', 2, '430182001')")
    con.close()
    done = _dbt_build(db, tmp_path)
    assert done.returncode == 0, done.stdout[-4000:]
    assert any(
        "row_problem_episodes_open_and_close_at_the_fixing_file" in line and "PASS" in line
        for line in done.stdout.splitlines()
    )
    con = connect(db)
    rows = (
        current_problems(con)
        .filter(kind="row")
        .sort("problem_key")
        .select("problem_key", "file_id", "fixed_file_id")
        .rows()
    )
    assert rows == [
        ("row:430182001:hazards:H-1:phone:format:1", 1, 2),
        ("row:430182001:hazards:H-1:phone:format:3", 3, None),
    ]
