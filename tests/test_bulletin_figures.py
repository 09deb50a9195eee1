"""The bulletin's figures are a dbt mart (marts/bulletin/bulletin_figures): county totals,
last year's, the 同比 wording and the rates as read. Its unit test (_bulletin__models.yml)
pins the hand-computed figures at the edges: 2 accidents against 3 is 下降33.3%, 1 on time
of 16 due is 6.3% (half away from zero, not 6.2%), nothing due is no rate (not 0% or 100%),
2026-W53 is compared with 2025-W52, a period before the data has no 同比 and one outside
the reporting window no reporting figures. This runs it on an empty warehouse of the real
layout."""

import os
import subprocess

import pytest

from pipelines.lib.dbt_manifest import dbt_executable
from pipelines.lib.profile import load_profile
from pipelines.lib.reference import write_reference_tables
from pipelines.paths import DBT_PROJECT_DIR
from warehouse.layout import connect

pytestmark = pytest.mark.slow


def test_bulletin_figures_unit_test_passes(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    write_reference_tables(con, load_profile())
    con.close()
    done = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--select",
            "+bulletin_figures",
            "--exclude",
            "test_type:data",
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
    assert any(
        "bulletin_figures_totals_wording_and_rates" in line and "PASS" in line for line in done.stdout.splitlines()
    )
