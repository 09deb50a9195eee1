"""The numbers (kpis.md, ranking.md) on a hand-made data set, through the real `dbt build`.

tests/fixtures_numbers/dataset.py writes a small warehouse straight into the raw and meta
tables; `dbt build` (unit tests and singular tests included) computes the marts; every
figure asserted here was worked out by hand from those records, the arithmetic in the
comments. T1..T6 are the six townships with data (see dataset.py); the 23 others have none.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lib.contracts import load_contracts
from pipelines.lib.numbers import NumbersError, parse_period, ranking, scoreboard
from tests.dbt_cli import dbt
from tests.fixtures_numbers.dataset import T1, T2, T3, T4, T5, T6, build_warehouse, write_landing

NO_DATA = "430182218"  # 沩山乡: no record at all, stands for the 23 townships without data


@pytest.fixture(scope="module", params=["direct", "pipeline"])
def built(request, tmp_path_factory) -> Path:
    """The same hand-made data set twice: inserted straight into the raw tables and built with
    dbt, and written as CSV ledgers run through the real `safetywh run` (Dagster, GX, dbt).
    Every hand-computed figure below must hold for both."""
    work = tmp_path_factory.mktemp(f"numbers-{request.param}")
    if request.param == "direct":
        db = build_warehouse(work / "warehouse.duckdb")
        done = dbt(db, work, "build")
        assert done.returncode == 0, done.stdout[-8000:]
        return db
    write_landing(work / "landing")
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", "--home", str(work)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-8000:]
    return work / "warehouse.duckdb"  # the writer's file: some checks read intermediate models


@pytest.fixture(scope="module")
def con(built):
    connection = duckdb.connect(str(built), read_only=True)
    yield connection
    connection.close()


def one(con, sql: str) -> tuple:
    """The single row of a query (fetched whole: DuckDB 2.0 refuses new work on a half-read result)."""
    rows = con.execute(sql).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def by_metric(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["metric_id"]: row for row in frame.to_dicts()}


def by_township(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["township_code"]: row for row in frame.to_dicts()}


# ---------------------------------------------------------------- coverage


def test_coverage_and_row_counts(con):
    # earliest fact: T6's drill on 2022-01-03 -> data from 2022-01-01; latest fact: the flood
    # transfer of 2023-04-30; first township file 2023-03-20 -> ranking from 2023-01-01.
    assert one(con, "select data_start, latest_data_on, ranking_start from intermediate.int_calendar__coverage") == (
        date(2022, 1, 1),
        date(2023, 4, 30),
        date(2023, 1, 1),
    )
    # 365 + 120 days, 19 metrics each
    assert one(con, "select count(*), count(distinct as_of) from marts.kpi_scoreboard_daily") == (485 * 19, 485)
    # weeks 2023-W01 .. 2023-W17 (2022-W52, Dec 26 - Jan 1, starts before the ranking's data:
    # not ranked, ranking.md); months 01-04; Q1, Q2; 29 townships each
    periods = con.execute(
        "select period_type, count(distinct period), count(*) from marts.township_rankings group by 1 order by 1"
    ).fetchall()
    assert periods == [("month", 4, 4 * 29), ("quarter", 2, 2 * 29), ("week", 17, 17 * 29)]
    assert one(con, "select min(period), max(period) from marts.township_rankings where period_type = 'week'") == (
        "2023-W01",
        "2023-W17",
    )
    # Q2 runs past the data: ranked, not complete, its bulletin date is the latest data date
    assert one(con, "select is_complete, as_of from marts.township_rankings where period = '2023-Q2' limit 1") == (
        False,
        date(2023, 4, 30),
    )


# ---------------------------------------------------------------- scoreboard


def test_scoreboard_as_of_2023_04_09(con):
    rows = by_metric(scoreboard(con, date(2023, 4, 9)))
    assert list(rows) == [
        "accidents",
        "accident_deaths",
        "major_accidents",
        "zero_sector_breaches",
        "major_forest_fires",
        "forest_fire_damage_permille",
        "relief_coverage_pct",
        "team_training_coverage_pct",
        "depots_completed",
        "plan_filing_pct",
        "major_hazard_rectification_pct",
        "major_hazards_overdue",
        "hazard_ontime_rectification_pct",
        "high_risk_dual_prevention_pct",
        "inspections",
        "penalties",
        "judicial_transfers",
        "fines_10k_cny",
        "people_transferred",
    ]
    expected = {
        # YTD 2023 up to 04-09: A23-1 (1 death, latest version), A23-2 (0), A23-3 (3), A23-4 (2) = 4 / 6 deaths;
        # LY to 2022-04-09: A22-1 (1), A22-2 (2), A22-3 (0) = 3 / 3. 0.8 x 3 = 2.4: the control
        # line of a count is the whole number 2 (floor) -> breached.
        "accidents": (4, 3, 1, 33.3, "上升33.3%", 2, "breached"),
        "accident_deaths": (6, 3, 3, 100.0, "上升100.0%", 2, "breached"),
        # A23-3, 3 deaths -> 较大; every 2022 accident before 04-09 is 一般
        "major_accidents": (1, 0, 1, None, "去年同期无", 0, "breached"),
        # 特种设备 (A23-2) had no accident in 2022; LY would need 2021 in the data -> null
        "zero_sector_breaches": (1, None, None, None, None, 0, "breached"),
        # F23-2 (1 ha) vs F22-1 (2 ha), both 较大
        "major_forest_fires": (1, 1, 0, 0.0, "持平", 0, "breached"),
        # (0.99 + 1.0) / 128500 x 1000 = 0.015486; LY 2 / 128500 x 1000 = 0.015564;
        # change -0.000078, -0.000078 / 0.015564 = -0.50% -> 下降0.5%
        "forest_fire_damage_permille": (0.015486, 0.015564, -0.000078, -0.5, "下降0.5%", 0.9, "met"),
        # hardship cases affected in 2023: R23-1, R23-2, R23-3; relieved by 04-09: R23-1, R23-3 -> 2/3;
        # LY: R22-1 relieved, R22-2 relieved only 2022-04-15 -> 1/2 = 50; (66.667 - 50) / 50 = +33.3%
        "relief_coverage_pct": (200 / 3, 50.0, 50 / 3, 33.3, "上升33.3%", 90, "at_risk"),
        # 5 register teams; trained in 2023 by 04-09: TM1 (01-20), TM3 (04-05), TM4 (04-09) -> 60
        "team_training_coverage_pct": (60.0, None, None, None, None, 100, "at_risk"),
        # T1 (2021), T5 (2020), T2 (2023-04-09) vs T1, T5
        "depots_completed": (3, 2, 1, 50.0, "上升50.0%", 29, "at_risk"),
        # issued by 04-09: P1..P5; filed: P1, P3, P4 (04-09), P5 -> 80; LY: P1 issued, not yet filed -> 0
        "plan_filing_pct": (80.0, 0.0, 80.0, None, "去年同期无", 100, "at_risk"),
        # majors found in 2023: H1-5 (rectified 02-08), H1-3, H2-1 -> 1/3; LY H22-1 rectified -> 100
        "major_hazard_rectification_pct": (100 / 3, 100.0, 100 / 3 - 100, -66.7, "下降66.7%", 100, "at_risk"),
        # deadline < 04-09 and open: H1-3 (03-31), H6-1 (2022-12-10, found 2022); H2-1 is due ON 04-09
        "major_hazards_overdue": (2, 0, 2, None, "去年同期无", 0, "breached"),
        # deadlines 01-01..04-08: H1-4 ok, H1-5 ok, H1-3 no, H1-1 ok, H1-2 no (04-10), H2-2 ok, H2-3 ok -> 5/7;
        # LY: H22-1 ok -> 100
        "hazard_ontime_rectification_pct": (500 / 7, 100.0, 500 / 7 - 100, -28.6, "下降28.6%", None, None),
        # high risk: E1, E2, E4; established: E1, E4
        "high_risk_dual_prevention_pct": (200 / 3, None, None, None, None, 100, "at_risk"),
        # I1..I10 vs I22-1, I22-2 (2022-04-09 is inside LY-same-period)
        "inspections": (10, 2, 8, 400.0, "上升400.0%", None, None),
        # administrative penalties: I1 警告, I2 罚款, I4 警告, I5 罚款, I7 停产整顿, I10 关闭取缔 vs
        # I22-1 罚款; I9 移送司法 is not one (I3, I6 责令改正 and I8 无 neither)
        "penalties": (6, 1, 5, 500.0, "上升500.0%", None, None),
        # 移送司法: I9 vs none last year
        "judicial_transfers": (1, 0, 1, None, "去年同期无", None, None),
        "fines_10k_cny": (4.0, 1.0, 3.0, 300.0, "上升300.0%", None, None),  # 1.5 + 2.5 vs 1.0
        "people_transferred": (120, 30, 90, 300.0, "上升300.0%", None, None),
    }
    for metric, (value, ly, change, change_pct, text, target, status) in expected.items():
        row = rows[metric]
        assert row["value"] == pytest.approx(value, abs=1e-6), metric
        assert (row["ly_value"] is None) == (ly is None) and (ly is None or row["ly_value"] == pytest.approx(ly)), (
            metric
        )
        assert (row["change"] is None) == (change is None) and (
            change is None or row["change"] == pytest.approx(change, abs=1e-5)
        ), metric
        assert row["change_pct"] == change_pct and row["change_text"] == text, metric
        assert row["target"] == target and row["status"] == status, metric
    assert rows["forest_fire_damage_permille"]["unit"] == "‰"
    assert rows["accidents"]["label"] == "生产安全事故起数"


@pytest.mark.parametrize(
    "as_of, metric, value, ly, text, target, status",
    [
        # to 03-31: A23-1, A23-2 = 2 vs A22-1, A22-2 = 2 -> 持平; 0.8 x 2 = 1.6 -> control line 1 -> breached
        ("2023-03-31", "accidents", 2, 2, "持平", 1, "breached"),
        # deaths 1 + 0 vs 1 + 2 = 3: 2.4 -> control line 2, 1 <= 2 on_track; (1 - 3) / 3 = -66.7%
        ("2023-03-31", "accident_deaths", 1, 3, "下降66.7%", 2, "on_track"),
        # to 04-09 2023: I9 移送司法; to 04-06 not yet (a transfer is not a penalty)
        ("2023-04-06", "judicial_transfers", 0, 0, "持平", None, None),
        ("2023-04-07", "judicial_transfers", 1, 0, "去年同期无", None, None),
        # January: A23-1 vs no accident in Jan 2022 -> LY 0, target 0
        ("2023-01-31", "accidents", 1, 0, "去年同期无", 0, "breached"),
        # 特种设备's first accident is on 02-20
        ("2023-02-19", "zero_sector_breaches", 0, None, None, 0, "met"),
        ("2023-02-20", "zero_sector_breaches", 1, None, None, 0, "breached"),
        # no hardship case yet in 2023 (and none in Jan 2022): 0 / 0 -> null, nothing to judge
        ("2023-01-31", "relief_coverage_pct", None, None, None, 90, None),
        # 2022: R22-1, R22-2 relieved, R22-3 never -> 2/3: at_risk on Dec 30, breached on Dec 31
        ("2022-12-30", "relief_coverage_pct", 200 / 3, None, None, 90, "at_risk"),
        ("2022-12-31", "relief_coverage_pct", 200 / 3, None, None, 90, "breached"),
        # 2021 is not in the data: no LY, no accidents target, no status
        ("2022-12-31", "accidents", 5, None, None, None, None),
        # on 04-10 H2-1 (deadline 04-09) is overdue too
        ("2023-04-10", "major_hazards_overdue", 3, 0, "去年同期无", 0, "breached"),
        # H6-1 rectified on 04-20, H2-1 and H1-3 still open on the latest date
        ("2023-04-30", "major_hazards_overdue", 2, 0, "去年同期无", 0, "breached"),
        # TM1 trained on 01-20 and 02-15, TM3 on 04-05; TM4's training is on 04-09
        ("2023-04-08", "team_training_coverage_pct", 40.0, None, None, 100, "at_risk"),
        # A23-5, 1000 万元 -> 较大, on 04-12
        ("2023-04-12", "major_accidents", 2, 0, "去年同期无", 0, "breached"),
    ],
)
def test_scoreboard_other_dates(con, as_of, metric, value, ly, text, target, status):
    row = by_metric(scoreboard(con, date.fromisoformat(as_of)))[metric]
    assert (row["value"] is None) == (value is None) and (value is None or row["value"] == pytest.approx(value))
    assert (row["ly_value"] is None) == (ly is None) and (ly is None or row["ly_value"] == pytest.approx(ly))
    assert row["change_text"] == text
    assert row["target"] == target
    assert row["status"] == status


def test_by_sector_and_by_township(con):
    sectors = {
        r["sector"]: r
        for r in con.sql("select * from marts.accidents_by_sector_daily where as_of = '2023-04-09'").pl().to_dicts()
    }
    # 建筑施工: A23-1 (1 death), A23-3 (3) vs A22-1 (1), A22-3 (0): 持平 / 4 vs 1 上升300.0%
    assert (
        sectors["建筑施工"]["accidents"],
        sectors["建筑施工"]["accidents_ly"],
        sectors["建筑施工"]["accidents_change_text"],
    ) == (2, 2, "持平")
    assert (
        sectors["建筑施工"]["deaths"],
        sectors["建筑施工"]["deaths_ly"],
        sectors["建筑施工"]["deaths_change_text"],
    ) == (4, 1, "上升300.0%")
    assert (
        sectors["特种设备"]["accidents"],
        sectors["特种设备"]["accidents_ly"],
        sectors["特种设备"]["accidents_change_text"],
    ) == (1, 0, "去年同期无")
    assert sectors["特种设备"]["deaths_change_text"] == "持平"  # 0 vs 0
    assert (sectors["燃气"]["accidents"], sectors["燃气"]["accidents_ly"]) == (0, 0)  # A23-5 is on 04-12, A22-4 in June
    assert set(sectors) == {"建筑施工", "交通运输", "特种设备", "燃气", "工贸其他"}

    towns = by_township(con.sql("select * from marts.township_kpis_daily where as_of = '2023-04-09'").pl())
    assert len(towns) == 29
    # T2: A23-2 (0 deaths) vs A22-2 (2 deaths): deaths 下降100.0%; H2-1 open, due on 04-09 -> not overdue yet
    t2 = towns[T2]
    assert (t2["accidents"], t2["accidents_ly"], t2["accidents_change_text"]) == (1, 1, "持平")
    assert (t2["deaths"], t2["deaths_ly"], t2["deaths_change_text"]) == (0, 2, "下降100.0%")
    assert (t2["open_major_hazards"], t2["overdue_major_hazards"], t2["inspections"], t2["inspections_ly"]) == (
        1,
        0,
        4,
        1,
    )
    # T1: H1-3 open and overdue (H1-5 rectified); I1, I4 vs I22-1
    t1 = towns[T1]
    assert (t1["open_major_hazards"], t1["overdue_major_hazards"], t1["inspections"], t1["inspections_ly"]) == (
        1,
        1,
        2,
        1,
    )
    # T6: H6-1 (2022) open and overdue; F23-1, 0.99 ha
    t6 = towns[T6]
    assert (
        t6["open_major_hazards"],
        t6["overdue_major_hazards"],
        t6["forest_fires"],
        t6["forest_fire_damaged_ha"],
    ) == (1, 1, 1, 0.99)
    assert towns[NO_DATA]["accidents"] == 0 and towns[NO_DATA]["accidents_change_text"] == "持平"


def test_supervised_hazards(con):
    def listed(as_of: str) -> dict[str, tuple]:
        frame = con.sql(f"select * from marts.major_and_supervised_hazards where as_of = '{as_of}'").pl()
        return {
            r["hazard_id"]: (r["township_code"], r["is_overdue"], r["days_overdue"], r["enterprise_name"])
            for r in frame.to_dicts()
        }

    # open on 04-09 and (重大 or 挂牌督办): H1-3, H2-1, H6-1 (rectified only 04-20), H3-1 (一般, supervised);
    # H1-5 and H22-1 are rectified. H6-1: 2022-12-10 -> 2023-04-09 = 21 + 31 + 28 + 31 + 9 = 120 days.
    assert listed("2023-04-09") == {
        "H1-3": (T1, True, 9, "宁乡甲化工有限公司"),
        "H2-1": (T2, False, 0, "宁乡乙烟花制造有限公司"),
        "H3-1": (T3, False, 0, "宁乡丙建筑工程有限公司"),
        "H6-1": (T6, True, 120, "宁乡丁矿业有限公司"),
    }
    # 04-30: H6-1 gone; H1-3 30 days, H2-1 21 days, H3-1 (deadline 04-15) 15 days overdue
    assert listed("2023-04-30") == {
        "H1-3": (T1, True, 30, "宁乡甲化工有限公司"),
        "H2-1": (T2, True, 21, "宁乡乙烟花制造有限公司"),
        "H3-1": (T3, True, 15, "宁乡丙建筑工程有限公司"),
    }


# ---------------------------------------------------------------- ranking

COLUMNS = (
    "total",
    "s_acc",
    "s_haz",
    "s_enf",
    "s_prep",
    "s_rep",
    "vetoed",
    "rank",
    "movement",
    "band",
    "red_list",
    "named",
)


def check_ranking(con, period: str, expected: dict[str, tuple], others: tuple) -> pl.DataFrame:
    """Every township's COLUMNS: the six with data as given, the 23 without data all `others`."""
    frame = ranking(con, period)
    assert frame.height == 29
    rows = by_township(frame)
    for code, values in {**expected, **{c: others for c in rows if c not in expected}}.items():
        got = tuple(rows[code][c] for c in COLUMNS)
        assert got == values, (period, code, got, values)
    # listed by rank, ties by township code
    assert frame.select("rank", "township_code").rows() == sorted(frame.select("rank", "township_code").rows())
    return frame


def test_ranking_week_13(con):
    # Previous week 2023-W12 (Mar 20-26): deadline Mon Mar 20 12:00, T1's Mar 20 11:00 file on
    # time -> T1 30 + 25 + 0 + 15 + 15 = 85 (1); T2 30 + 25 + 5 (drill) = 60 and T5 30 + 25 + 5
    # (depot) = 60 (2); T3, T4 and the 23 at 55 (4); T6 30 + 20 (H6-1 overdue) = 50 (29).
    # 2023-W13, Mar 27 - Apr 2; quota 2; the deadline falling in W13 is W12's (Mon Mar 27 12:00),
    # window (Mar 20 12:00, Mar 27 12:00]. Ranks: T4 70 (1), T2 67.5 (2), T1 and T5 60 (3),
    # T3 and the 23 at 55 (5), T6 50 (29). Named: lowest distinct ranks 29, 5, 3.
    check_ranking(
        con,
        "2023-W13",
        {
            # S_haz: H1-3 due 03-31, open -> rate 0; overdue 1 -> max(0, 0 - 5) = 0. No inspection. Prep 15
            # (depot 2021, plan P1, drills). Rep: file Mar 27 09:00, on time, 3 rows -> 15. 30+0+0+15+15 = 60
            T1: (60.0, 30.0, 0.0, 0.0, 15.0, 15.0, False, 3, 1 - 3, "待改进", False, True),
            # I3 -> 15 x 1/2 = 7.5; prep: drill D22-1 2022-04-09 in [2022-04-03, 2023-04-02] -> 5; no file -> 0
            T2: (67.5, 30.0, 25.0, 7.5, 5.0, 0.0, False, 2, 2 - 2, "待改进", True, False),
            T3: (55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 5, 4 - 5, "待改进", False, True),
            # file Mar 27 12:00:00 = the deadline itself: on time -> 15; 70 is in the 合格 band
            T4: (70.0, 30.0, 25.0, 0.0, 0.0, 15.0, False, 1, 4 - 1, "合格", True, False),
            T5: (60.0, 30.0, 25.0, 0.0, 5.0, 0.0, False, 3, 2 - 3, "待改进", False, True),  # depot 2020
            # H6-1 overdue -> 20; its Apr 2 18:00 file is in W13's own window, not W12's -> 0
            T6: (50.0, 30.0, 20.0, 0.0, 0.0, 0.0, False, 29, 29 - 29, "待改进", False, True),
        },
        others=(55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 5, 4 - 5, "待改进", False, True),
    )


def test_ranking_week_14(con):
    # 2023-W14, Apr 3 - 9; quota 7 x 2 / 7 = 2. Deadline in W14: W13's, Mon Apr 3 12:00, window
    # (Mar 27 12:00, Apr 3 12:00]. Movement = W13 rank (test above) - W14 rank.
    # Non-vetoed: T1 75, T6 75 (tie, rank 1), T2 72.92 (3), 23 others 55 (4), T4 35 (27);
    # vetoed T3, T5: 27 + 1 = 28. Three lowest distinct ranks 27, 4, 3 -> T4, the 23, T2 named.
    check_ranking(
        con,
        "2023-W14",
        {
            # due H1-1 (ok), H1-2 (rectified 04-10, late) -> 0.5; overdue H1-3 -> 12.5 - 5 = 7.5;
            # I4 -> 7.5; prep 15; Apr 3 10:00 file, on time, 5 rows -> 15. Total 75
            T1: (75.0, 30.0, 7.5, 7.5, 15.0, 15.0, False, 1, 3 - 1, "合格", True, False),
            # due H2-1 (open), H2-2, H2-3 (on time) -> 2/3; overdue H2-1 (deadline 04-09 <= end) ->
            # 16.667 - 5 = 11.67; I5, I6 -> 15; depot completed 04-09 -> 5 (drill 2022-04-09 is 366 days
            # back); file Apr 3 12:00:00 on time, 3 loaded + 1 quarantined -> 15 x 0.75 = 11.25.
            # 30 + 11.6667 + 15 + 5 + 11.25 = 72.9167 -> 72.92
            T2: (72.92, 30.0, 11.67, 15.0, 5.0, 11.25, False, 3, 2 - 3, "合格", False, True),
            # A23-3, 3 deaths: 较大 -> vetoed; S_acc max(0, 30 - 5 - 30) = 0; I7-I9 -> 15; drill 04-05 -> 5;
            # file at 12:00:01 misses W13's deadline -> 0
            T3: (0.0, 0.0, 25.0, 15.0, 5.0, 0.0, True, 28, 5 - 28, "一票否决", False, True),
            # A23-4: 1 accident 2 deaths -> 30 - 5 - 20 = 5; nothing due -> 25; drill 04-09 -> 5;
            # no file in W13's window -> 0. Total 35
            T4: (35.0, 5.0, 25.0, 0.0, 5.0, 0.0, False, 27, 1 - 27, "待改进", False, True),
            # F23-2, 1 ha: 较大 -> vetoed; no accident: on the red list
            T5: (0.0, 30.0, 25.0, 0.0, 5.0, 0.0, True, 28, 3 - 28, "一票否决", False, True),
            # nothing due, H6-1 overdue -> 20; I10 -> 7.5; plan P4 filed 04-09 -> 5; Apr 2 file on time,
            # drills file Apr 6 5 loaded + 1 quarantined -> 15 x 5/6 = 12.5. Total 75
            T6: (75.0, 30.0, 20.0, 7.5, 5.0, 12.5, False, 1, 29 - 1, "合格", True, False),
        },
        others=(55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 4, 5 - 4, "待改进", False, True),
    )
    frame = by_township(ranking(con, "2023-W14"))
    assert frame[T1]["weakest_component"] == "hazards" and frame[T1]["weakest_component_lost"] == 17.5
    assert frame[T6]["weakest_component_label"] == "应急准备" and frame[T6]["weakest_component_lost"] == 10.0
    assert frame[NO_DATA]["weakest_component"] == "enforcement"  # 15 lost on three components: the first
    assert frame[T3]["veto_reason"] == "较大及以上生产安全事故" and frame[T5]["veto_reason"] == "较大及以上森林火灾"
    # the components' inputs are published for the bulletin
    assert (frame[T2]["hazards_due"], frame[T2]["hazards_due_ontime"], frame[T2]["overdue_major_hazards"]) == (3, 2, 1)
    assert (
        frame[T2]["rows_loaded"],
        frame[T2]["rows_quarantined"],
        frame[T2]["report_weeks_due"],
        frame[T2]["report_weeks_on_time"],
    ) == (3, 1, 1, 1)


def test_ranking_month_march_and_april(con):
    # Previous month February (quota 8; no township file yet): T1 30 + 25 (H1-5 on time) + 15 = 70
    # (1); T5 60 (2); T2 25 (A23-2) + 25 + 15 x 1/8 (I2) + 5 = 56.88 (3); T3, T4, the 23: 55 (4); T6 50 (29).
    # March: quota 31 x 2 / 7 = 8.857; deadlines Mar 6, 13, 20, 27 (weeks W09-W12).
    # Ranks: T2 61.69 (1), T5 60 (2), T4 58.75 (3), T3 and the 23 at 55 (4), T1 52.5 (28), T6 50 (29).
    check_ranking(
        con,
        "2023-03",
        {
            # H1-3 due 03-31 open, overdue -> 0; prep 15; files Mar 20 11:00 (W11) and Mar 27 09:00 (W12)
            # on time -> 2/4 -> 7.5. 30 + 0 + 0 + 15 + 7.5 = 52.5
            T1: (52.5, 30.0, 0.0, 0.0, 15.0, 7.5, False, 28, 1 - 28, "待改进", False, True),
            # I3 -> 15 x 7/62 = 1.6935; drill (2022-04-09 within 365 days of Mar 31) 5 -> 61.69
            T2: (61.69, 30.0, 25.0, 1.69, 5.0, 0.0, False, 1, 3 - 1, "待改进", True, False),
            T3: (55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 4, 4 - 4, "待改进", False, True),
            T4: (58.75, 30.0, 25.0, 0.0, 0.0, 3.75, False, 3, 4 - 3, "待改进", True, False),  # W12 only: 15/4
            T5: (60.0, 30.0, 25.0, 0.0, 5.0, 0.0, False, 2, 2 - 2, "待改进", True, False),
            T6: (50.0, 30.0, 20.0, 0.0, 0.0, 0.0, False, 29, 29 - 29, "待改进", False, True),
        },
        others=(55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 4, 4 - 4, "待改进", False, True),
    )

    # April: quota 30 x 2 / 7 = 8.571 (1 inspection = 1.75, 2 = 3.5); deadlines Apr 3, 10, 17, 24
    # (weeks W13-W16). Non-vetoed: T6 68.31, T2 60.29, 23 x 55, T4 45.5; T1 (A23-5, 1000 万元),
    # T3, T5 vetoed: rank 26 + 1 = 27. Lowest distinct ranks 26, 3, 2 -> T4, the 23, T2 named.
    check_ranking(
        con,
        "2023-04",
        {
            # vetoed; its components still shown: A23-5 -> 25; H1-1 ok, H1-2 late -> 12.5 - 5 (H1-3) = 7.5;
            # I4 -> 1.75; prep 15; files Apr 3, 10, 17 (+1 quarantined) -> 15/16, weeks W13, W14, W16 of 4
            # -> 15 x 15/16 x 3/4 = 10.546875 -> 10.55
            T1: (0.0, 25.0, 7.5, 1.75, 15.0, 10.55, True, 27, 28 - 27, "一票否决", False, True),
            # 2/3 due on time, H2-1 overdue -> 11.67; I5, I6 -> 3.5; depot 5; files Apr 3 (3 + 1q),
            # Apr 10, Apr 24 12:00:00 -> 9/10, weeks W13, W14, W16 -> 15 x 0.9 x 0.75 = 10.125 -> 10.13;
            # 30 + 11.6667 + 3.5 + 5 + 10.125 = 60.2917 -> 60.29
            T2: (60.29, 30.0, 11.67, 3.5, 5.0, 10.13, False, 2, 1 - 2, "待改进", False, True),
            T3: (0.0, 0.0, 0.0, 5.25, 5.0, 2.5, True, 27, 4 - 27, "一票否决", False, True),
            # A23-4 -> 5; H4-2 (sent by ZJJ) due 04-14, rectified 04-12 -> 25; I11 -> 1.75; depot 04-10 and
            # drill 04-09 -> 10; only the rejected Apr 10 09:00 hazards file (W14) -> 1/4, no rows -> pass 1
            # -> 3.75. Total 45.5
            T4: (45.5, 5.0, 25.0, 1.75, 10.0, 3.75, False, 26, 3 - 26, "待改进", False, True),
            T5: (0.0, 30.0, 25.0, 0.0, 5.0, 0.0, True, 27, 2 - 27, "一票否决", False, True),
            # nothing due; H6-1 rectified 04-20 -> 25; I10 -> 1.75; plan -> 5; files Apr 2 (1), Apr 6
            # (5 + 1q), Apr 24 (1) -> 7/8; weeks W13, W16 -> 15 x 7/8 x 1/2 = 6.5625. Total 68.3125 -> 68.31
            T6: (68.31, 30.0, 25.0, 1.75, 5.0, 6.56, False, 1, 29 - 1, "待改进", True, False),
        },
        others=(55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 3, 4 - 3, "待改进", False, True),
    )


def test_ranking_quarter_1_has_no_movement(con):
    # 2023-Q1: quota 90 x 2 / 7 = 25.714; 13 deadlines (Mondays Jan 2 .. Mar 27); 2022-Q4 is not
    # ranked (before the first year townships reported) -> no movement.
    check_ranking(
        con,
        "2023-Q1",
        {
            # A23-1, 1 death -> 15; due H1-4, H1-5 ok, H1-3 not -> 2/3, overdue H1-3 -> 11.67; I1 -> 15 x
            # 7/180 = 0.58; prep 15; 2 of 13 weeks -> 2.31. 15 + 11.6667 + 0.5833 + 15 + 2.3077 = 44.5577
            T1: (44.56, 15.0, 11.67, 0.58, 15.0, 2.31, False, 29, None, "待改进", False, True),
            # A23-2 -> 25; I2, I3 -> 1.17; drill 5. 56.1667 -> 56.17
            T2: (56.17, 25.0, 25.0, 1.17, 5.0, 0.0, False, 2, None, "待改进", False, False),
            T3: (55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 4, None, "待改进", False, True),
            T4: (56.15, 30.0, 25.0, 0.0, 0.0, 1.15, False, 3, None, "待改进", True, False),  # 15/13 = 1.1538
            T5: (60.0, 30.0, 25.0, 0.0, 5.0, 0.0, False, 1, None, "待改进", True, False),
            # F23-1: 0.99 ha, 一般 -> no veto
            T6: (50.0, 30.0, 20.0, 0.0, 0.0, 0.0, False, 28, None, "待改进", False, True),
        },
        others=(55.0, 30.0, 25.0, 0.0, 0.0, 0.0, False, 4, None, "待改进", False, True),
    )
    # the first ranked week: its predecessor 2022-W52 starts before the ranking's data and is
    # not ranked (ranking.md), so no movement
    first_week = ranking(con, "2023-W01")
    assert first_week.height == 29 and first_week["movement"].null_count() == 29
    with pytest.raises(NumbersError, match="2022-W52 始于 2022-12-26，早于排名数据的起始日 2023-01-01"):
        ranking(con, "2022-W52")


# a dbt rebuild of the warehouse both paths give (test_coverage_and_row_counts): the pipeline's alone
@pytest.mark.parametrize("built", ["pipeline"], indirect=True)
def test_profile_weight_change_changes_ranking(built, tmp_path):
    """A weight changed in the profile (enforcement 15 -> 30) changes the ranking, no code edit."""
    from pipelines.lib.profile import load_profile
    from pipelines.lib.reference import write_reference_tables

    db = tmp_path / "weights.duckdb"
    db.write_bytes(built.read_bytes())
    profile = load_profile()
    config = {
        **profile.config,
        "ranking": {
            **profile.config["ranking"],
            "weights": {**profile.config["ranking"]["weights"], "enforcement": 30},
        },
    }
    con = duckdb.connect(str(db))
    write_reference_tables(con, dataclasses.replace(profile, config=config))
    con.close()
    # what changed is the profile source (ref.*): rebuild what is downstream of it
    done = dbt(db, tmp_path, "run", "--select", "source:profile+")
    assert done.returncode == 0, done.stdout[-5000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = by_township(ranking(con, "2023-W14"))
    finally:
        con.close()
    # T1 7.5 -> 15: 82.5; T2 15 -> 30: 87.92; T6 7.5 -> 15: 82.5; no data: still 55
    assert [(rows[c]["s_enf"], rows[c]["total"], rows[c]["rank"]) for c in (T2, T1, T6, NO_DATA)] == [
        (30.0, 87.92, 1),
        (15.0, 82.5, 2),
        (15.0, 82.5, 2),
        (0.0, 55.0, 4),
    ]


# ---------------------------------------------------------------- query functions and CLI


def test_parse_period():
    assert parse_period("2023-w14").label == "2023-W14" and parse_period("2023-W14").period_type == "week"
    assert parse_period("2020-W53").label == "2020-W53"  # 2020 has 53 ISO weeks
    assert parse_period("2023-04").period_type == "month" and parse_period("2023-q2").label == "2023-Q2"
    for bad in ("2023-W53", "2023-W00", "2023-13", "2023-Q5", "2023/04", "W14", "", "2023-4"):
        with pytest.raises(NumbersError):
            parse_period(bad)


def test_errors_outside_the_data(con):
    with pytest.raises(NumbersError, match="2022-01-01 至 2023-04-30"):
        scoreboard(con, date(2023, 5, 1))
    with pytest.raises(NumbersError, match="2023-W18 不在数据中（有排名的周：2023-W01 至 2023-W17）"):
        ranking(con, "2023-W18")
    with pytest.raises(NumbersError, match="格式"):
        ranking(con, "2023-14")


def test_cli(built, tmp_path, capsys):
    from pipelines.cli import main

    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    (home / "published" / "warehouse.duckdb").write_bytes(built.read_bytes())
    assert main(["kpis", "--as-of", "2023-04-09", "--format", "json", "--home", str(home)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 19 and rows[0]["metric_id"] == "accidents" and rows[0]["change_text"] == "上升33.3%"
    assert main(["ranking", "--period", "2023-W14", "--format", "csv", "--home", str(home)]) == 0
    frame = pl.read_csv(capsys.readouterr().out.encode(), schema_overrides={"township_code": pl.String})
    assert frame.height == 29 and frame["township_code"][:2].to_list() == [T1, T6]
    assert main(["ranking", "--period", "2023-W14", "--home", str(home)]) == 0
    table = capsys.readouterr().out
    assert "玉潭街道" in table
    # one rule of decimals within a column: scores with 2 (T1 75 -> 75.00, T2 72.92, T3 0.00)
    assert "| 75.00 " in table and "| 72.92 " in table and "| 0.00 " in table and "| 75.0 " not in table
    assert main(["kpis", "--as-of", "2023-04-09", "--home", str(home)]) == 0
    table = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:]]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("|") and "---" not in line
    }
    # counts whole (control line 2, not 2.4 or 2.0), percentages 1 decimal (200/3 -> 66.7, 50 -> 50.0), ‰ 4
    assert table["生产安全事故起数"][:2] == ["4", "起"] and table["生产安全事故起数"][4] == "2"
    assert table["因灾生活困难人员救助率"][:3] == ["66.7", "%", "50.0"]
    assert table["森林火灾受害率"][0] == "0.0155" and table["移送司法机关案件数"][:3] == ["1", "件", "0"]
    # a period that starts before the data is not ranked: a Chinese error, exit 2 (ranking.md)
    assert main(["ranking", "--period", "2022-W52", "--home", str(home)]) == 2
    assert "不参与排名" in capsys.readouterr().err
    assert main(["kpis", "--as-of", "2030-01-01", "--home", str(home)]) == 2
    assert "不在数据覆盖的日期范围内" in capsys.readouterr().err
    assert main(["ranking", "--period", "2023-14", "--home", str(home)]) == 2
    assert main(["kpis", "--as-of", "2023-04-09", "--home", str(tmp_path / "empty")]) == 2


# ---------------------------------------------------------------- incremental builds (issue 7)


def _copy(built: Path, tmp_path: Path, name: str) -> Path:
    """A copy under the same file name: DuckDB names the catalog after the file, and the
    compiled SQL names the catalog."""
    db = tmp_path / name / "warehouse.duckdb"
    db.parent.mkdir()
    db.write_bytes(built.read_bytes())
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# a dbt rebuild of the warehouse both paths give (test_coverage_and_row_counts): the pipeline's alone
@pytest.mark.parametrize("built", ["pipeline"], indirect=True)
def test_a_new_version_updates_incremental_staging_like_a_full_refresh(built, tmp_path):
    """stg_ledgers__* are incremental (macros/stage_ledger.sql): a later file's version of one
    hazard replaces that hazard's row, version_count counts it, every other row stays, and
    the table equals a --full-refresh of the same raw table."""
    db = _copy(built, tmp_path, "incremental")
    hazard, before_count = _rows(
        db,
        "SELECT hazard_id, version_count FROM staging.stg_ledgers__hazards "
        "WHERE rectified_on IS NULL ORDER BY hazard_id LIMIT 1",
    )[0]
    with duckdb.connect(str(db)) as con:
        # the rectification arrives in a later file (a larger file id, received later)
        con.execute(
            """INSERT INTO raw.hazards BY NAME
               SELECT * REPLACE (DATE '2023-04-20' AS rectified_on,
                                 (SELECT max(_file_id) + 1 FROM raw.hazards) AS _file_id,
                                 _received_at + INTERVAL 30 DAY AS _received_at)
               FROM raw.hazards WHERE hazard_id = ? ORDER BY _received_at DESC LIMIT 1""",
            [hazard],
        )
    untouched = _rows(db, f"SELECT * FROM staging.stg_ledgers__hazards WHERE hazard_id <> '{hazard}' ORDER BY ALL")
    # every ledger's staging, incrementally (the tables exist): each feed's key must hold
    done = dbt(db, tmp_path / "inc", "run", "--select", "staging.ledgers")
    assert done.returncode == 0, done.stdout[-5000:]
    assert done.stdout.count("OK created sql incremental model") == 11
    assert _rows(
        db, f"SELECT rectified_on, version_count FROM staging.stg_ledgers__hazards WHERE hazard_id = '{hazard}'"
    ) == [(date(2023, 4, 20), before_count + 1)]
    assert (
        _rows(db, f"SELECT * FROM staging.stg_ledgers__hazards WHERE hazard_id <> '{hazard}' ORDER BY ALL") == untouched
    )

    full = _copy(db, tmp_path, "full-refresh")
    done = dbt(full, tmp_path / "full", "run", "--select", "staging.ledgers", "--full-refresh")
    assert done.returncode == 0, done.stdout[-5000:]
    for feed in load_contracts():
        everything = f"SELECT * FROM staging.stg_ledgers__{feed} ORDER BY ALL"
        assert _rows(db, everything) == _rows(full, everything), feed


@pytest.mark.parametrize("built", ["pipeline"], indirect=True)  # a dbt test on either path's marts
def test_the_daily_marts_test_fails_on_a_duplicate_and_a_missing_row(built, tmp_path):
    """assert_daily_marts_one_row_per_key returns one row per broken mart."""
    db = _copy(built, tmp_path, "broken-marts")
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO marts.relief_by_township_daily SELECT * FROM marts.relief_by_township_daily LIMIT 1")
        con.execute(
            "DELETE FROM marts.township_preparedness_daily WHERE rowid = "
            "(SELECT min(rowid) FROM marts.township_preparedness_daily)"
        )
    done = dbt(db, tmp_path / "t", "test", "--select", "assert_daily_marts_one_row_per_key")
    assert done.returncode == 1
    assert "FAIL 2 assert_daily_marts_one_row_per_key" in done.stdout
