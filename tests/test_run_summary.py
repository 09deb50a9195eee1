"""What `safetywh run` prints at the end: the example commands name the data's own latest
date and week (a user copies them), not dates written into the code."""

from __future__ import annotations

import re

import duckdb


def test_example_commands_name_the_latest_date_and_complete_week(generated_home):
    printed = (generated_home / "run-stdout.txt").read_text("utf-8")
    con = duckdb.connect(str(generated_home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        as_of, week = con.sql(
            """select (select max(as_of) from marts.kpi_scoreboard_daily),
                      (select max(period) from marts.township_rankings where period_type = 'week' and is_complete)"""
        ).fetchall()[0]
    finally:
        con.close()
    assert re.search(rf"kpis --as-of {as_of} \| ranking --period {week} ", printed), printed[-800:]
    assert f"publish --period {week} " in printed
    # the generated county's two years end on a Sunday: the latest complete week is the last one
    assert (str(as_of), week) == ("2023-12-31", "2023-W52")
