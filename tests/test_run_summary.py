"""What `safetywh run` prints at the end: the example commands name the data's own latest
date and week (a user copies them), not dates written into the code."""

from __future__ import annotations

import re

import duckdb


def con_alerts(home) -> int:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql("select count(*) from meta.alerts").fetchall()[0][0]
    finally:
        con.close()


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
    home = re.escape(str(generated_home))
    # one command a line, each runnable as printed (no `a | b` alternatives)
    assert re.search(rf"\n    \S*safetywh kpis --as-of {as_of} --home {home}\n", printed), printed[-1500:]
    assert re.search(rf"\n    \S*safetywh ranking --period {week} --home {home}\n", printed)
    assert re.search(rf"\n    \S*safetywh publish --period {week} --home {home}\n", printed)
    assert " | " not in printed.split("接下来可运行")[1]
    # the alert e-mails: how many were written, and that without SMTP none was sent
    written = con_alerts(generated_home)
    assert f"数据质量提醒：本次写入发件箱 {written} 封" in printed and "均未发送" in printed
    # the generated county's two years end on a Sunday: the latest complete week is the last one
    assert (str(as_of), week) == ("2023-12-31", "2023-W52")
