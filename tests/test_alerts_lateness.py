"""The lateness arithmetic lives in dbt (models/intermediate/data_quality); its unit tests
(_data_quality__models.yml) pin the edges: Monday 12:00:00 is on time and 12:00:01 late,
a file at the previous week's deadline belongs to the previous week, a file a whole week
late is the next week's; registers by the 5th and relief by the 10th at 23:59:59; event
records 24 h after the event. This runs them against an empty warehouse of the real layout."""

import os
import subprocess

import pytest

from pipelines.lib.dbt_manifest import dbt_executable
from pipelines.lib.profile import load_profile
from pipelines.lib.reference import write_reference_tables
from pipelines.paths import DBT_PROJECT_DIR
from warehouse.layout import connect

pytestmark = pytest.mark.slow

UNIT_TESTS = (
    "weekly_deadline_is_monday_noon_inclusive",
    "event_reports_are_due_24_hours_after_the_event",
    "period_deadlines",
)


def test_dbt_unit_tests_of_the_deadline_arithmetic_pass(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    write_reference_tables(con, load_profile())
    con.close()
    done = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--select",
            "+path:models/intermediate/data_quality",
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
    assert done.returncode == 0, done.stdout[-4000:]
    for name in UNIT_TESTS:
        assert any(name in line and "PASS" in line for line in done.stdout.splitlines()), name
