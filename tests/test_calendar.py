"""The fixed calendar (profile calendar.start / calendar.horizon): a new weekly hazards file
rebuilds what reads the hazards ledger, leaves the preparedness marts as they are, and gives
the tables a full `dbt build` gives."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.lib.profile_schema import validate_config
from tests.incremental import UNTOUCHED

PACKAGED = Path(__file__).resolve().parent.parent / "pipelines" / "profiles" / "ningxiang"


def test_a_horizon_before_the_start_is_one_chinese_message():
    data = yaml.safe_load((PACKAGED / "profile.yaml").read_text("utf-8"))
    assert validate_config(data, PACKAGED) == []
    data["calendar"]["horizon"] = "2021-12-31"
    assert validate_config(data, PACKAGED) == ["calendar.horizon（2021-12-31）应不早于 calendar.start（2022-01-01）"]
    del data["calendar"]
    assert validate_config(data, PACKAGED) == ["缺少设置 calendar"]


def test_the_run_summary_says_when_facts_lie_after_the_horizon(tmp_path):
    from pipelines.lib.run_summary import _after_horizon, horizon_line

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert _after_horizon(con) == (0, None, None)  # no marts yet: nothing to say
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.calendar_coverage AS SELECT DATE '2023-12-31' AS calendar_horizon, "
            "DATE '2023-12-31' AS latest_fact_on, 0::BIGINT AS facts_after_horizon"
        )
        assert horizon_line(_after_horizon(con)) == ""
        con.execute("UPDATE marts.calendar_coverage SET facts_after_horizon = 2, latest_fact_on = DATE '2024-01-03'")
        assert horizon_line(_after_horizon(con)) == (
            "注意：有 2 个发生日期晚于日历截止日 2023-12-31（最晚 2024-01-03），未计入任何指标、排名和看板："
            "请在县情配置 profile.yaml 中把 calendar.horizon 延后（如到明年年底）后重新运行。\n"
        )


@pytest.mark.slow
def test_a_new_hazards_file_leaves_the_preparedness_marts_and_equals_a_full_build(second_run):
    """The second run of tests/incremental.py (one new weekly hazards ledger) rebuilt what
    reads the hazards ledger and the warehouse's own records of files, not the preparedness
    marts (their comment, set between the runs, is still there: a rebuilt table is a new
    table); every model equals a full build (tests/test_bench_incremental.py compares them)."""
    built = set(re.findall(r"OK created sql \w+ model \w+\.(\w+)", second_run.out + second_run.err))
    assert {"open_hazards_daily", "kpi_scoreboard_daily", "stg_warehouse__files"} <= built
    assert not built & set(UNTOUCHED)
    with duckdb.connect(str(second_run.home / "warehouse.duckdb"), read_only=True) as con:
        comments = dict(
            con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()
        )
        assert {name: comments[name] for name in UNTOUCHED} == dict.fromkeys(UNTOUCHED, "built by the first run")
        # readers' "latest data date": the coverage row, equal to the scoreboard's last date
        latest, after = con.execute(
            "SELECT latest_data_on, facts_after_horizon FROM marts.calendar_coverage"
        ).fetchone()
        assert latest >= second_run.latest_before and after == 0
        assert latest == con.execute("SELECT max(as_of) FROM marts.kpi_scoreboard_daily").fetchone()[0]
