"""The early-warning marts (README "Early warning") on a small hand-made data set, through
the real `dbt build`, and the `signals` / `risk` commands' JSON.

As of D = Sunday 2023-07-02 the latest week reported is the one ending 2023-06-25 (its
deadline, Monday 06-26 12:00, is before D; the week ending on D is not yet due): the last
8 weeks are 2023-05-01..06-25, the 26 before them 2022-10-31..2023-04-30, the last 13
weeks 2023-03-27..06-25. Every township has no depot, plan or drill: 3 x 3 = 9 points.

  S1 430182001  26 own hazards in January (base 26 x 8/26 = 8), none since; 3 inspections
                found 4: p = exp(-8) = 0.000335 < 0.01 -> self_report_drop fires.
  S2 430182002  the same base, 4 own hazards in June (= half of 8): p = P(X<=4 | 8) =
                0.0996 -> does not fire. A flood transfer on 06-25 (flood season, within
                14 days): 5 points.
  S3 430182003  8 weekly files 05-08..06-26 (weeks ending 05-07..06-25), no hazard found
                in them; W17 not sent: k = 8; 26 hazards found in February: lambda = 1,
                exp(-8) < 0.01 -> zero_run fires.
  S4 430182004  the same run with 6 hazards before: exp(-8 x 6/26) = 0.158 -> does not.
  S5 430182101  an accident of 05-01 10:00, first reported within 24 h with 0 deaths, 1
                death reported on 06-05 (35 days later) -> late_report fires.
  S6 430182102  the same accident, death reported on 05-20 (19 days): does not fire; a
                third version of 07-10 (after D, 40 days) raising deaths is not seen on D.
  S7 430182103  5 inspections with findings at enterprises it never reported -> fires.
  S8 430182104  5 inspections with findings, 3 of their enterprises reported by S8 in the
                90 days before -> 2/5, does not fire.
  S9 430182105  4 open major hazards due 06-01, one under 挂牌督办: 40 + 9 = 49 -> 红.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.fixtures_numbers.dataset import _accident, _f, _hazard, _inspection, _transfer, _uscc, build_warehouse
from tests.test_numbers import dbt

S = [
    "430182001",
    "430182002",
    "430182003",
    "430182004",
    "430182101",
    "430182102",
    "430182103",
    "430182104",
    "430182105",
]
D = date(2023, 7, 2)


def _hz(prefix, n, found, township, level="一般", deadline=None, supervised="否", code=None, open_=False):
    """n hazards found on `found`, rectified the same day unless open_."""
    return [
        _hazard(f"{prefix}-{i}", found, township, level, deadline or found, None if open_ else found, supervised, code)
        for i in range(n)
    ]


def _files():
    files, next_id = [], iter(range(1, 1000))
    add = lambda feed, sender, received, rows: files.append(_f(next(next_id), feed, sender, received, rows))  # noqa: E731
    # S1, S2: a January base; S2 4 more in June
    add("hazards", S[0], "2023-02-06 09:00", _hz("S1B", 26, "2023-01-10", S[0]))
    add("hazards", S[1], "2023-02-06 09:00", _hz("S2B", 26, "2023-01-10", S[1]))
    add("hazards", S[1], "2023-06-05 09:00", _hz("S2B", 26, "2023-01-10", S[1]) + _hz("S2R", 4, "2023-06-01", S[1]))
    add(
        "inspections",
        "ZFDD",
        "2023-06-20 09:00",
        [
            _inspection("IS1-1", "2023-05-10", S[0], "责令改正", code=_uscc(101), found=2),
            _inspection("IS1-2", "2023-06-10", S[0], "责令改正", code=_uscc(102), found=1),
            _inspection("IS1-3", "2023-06-12", S[0], "无", code=_uscc(103), found=1),
            _inspection("IS2-1", "2023-06-10", S[1], "责令改正", code=_uscc(104), found=1),
            _inspection("IS2-2", "2023-06-12", S[1], "责令改正", code=_uscc(105), found=1),
            *[_inspection(f"IS7-{i}", "2023-06-01", S[6], "责令改正", code=_uscc(110 + i), found=1) for i in range(5)],
            *[_inspection(f"IS8-{i}", "2023-06-01", S[7], "责令改正", code=_uscc(120 + i), found=1) for i in range(5)],
        ],
    )
    # S3, S4: February hazards sent late, then 8 weeks of files with nothing new
    for township, n in ((S[2], 26), (S[3], 6)):
        old = _hz(f"Z{township[-1]}", n, "2023-02-15", township)
        for week in range(8):
            received = date(2023, 5, 8) + timedelta(days=7 * week)
            add("hazards", township, f"{received} 10:00", old)
    # S8 reported 3 of its 5 inspected enterprises in May
    add(
        "hazards",
        S[7],
        "2023-05-08 10:00",
        [
            _hazard(f"S8-{i}", "2023-05-05", S[7], "一般", "2023-05-30", "2023-05-20", "否", _uscc(120 + i))
            for i in range(3)
        ],
    )
    # S9: overdue majors, one under 挂牌督办
    add(
        "hazards",
        S[8],
        "2023-05-08 10:00",
        _hz("S9M", 3, "2023-05-02", S[8], "重大", "2023-06-01", open_=True)
        + _hz("S9S", 1, "2023-05-02", S[8], "重大", "2023-06-01", "是", open_=True),
    )
    # accidents
    a5 = lambda deaths: _accident("AS5", "2023-05-01 10:00", S[4], "建筑施工", deaths, 0, 10.0)  # noqa: E731
    a6 = lambda deaths: _accident("AS6", "2023-05-01 10:00", S[5], "建筑施工", deaths, 0, 10.0)  # noqa: E731
    add("accidents", "YJJ", "2023-05-01 20:00", [a5(0), a6(0)])
    add("accidents", "YJJ", "2023-05-20 09:00", [a5(0), a6(1)])
    add("accidents", "YJJ", "2023-06-05 09:00", [a5(1), a6(1)])
    add("accidents", "YJJ", "2023-07-10 09:00", [a5(1), a6(2)])
    # flood transfers: S2 on 06-25 (within 14 days of D), S4 on 06-18 (15 days before D: no)
    add(
        "flood_transfers",
        "SLJ",
        "2023-07-02 20:00",
        [
            _transfer("FS2", "2023-06-25", S[1], "黄", 10),
            _transfer("FS4", "2023-06-18", S[3], "黄", 10),
            _transfer("FSX", "2023-07-02", "430182203", "蓝", 1),
        ],
    )
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("signals")
    db = build_warehouse(work / "warehouse.duckdb", _files())
    done = dbt(
        db,
        work,
        "build",
        "--select",
        "+township_signals",
        "+township_risk",
        "+risk_backtest",
        "--indirect-selection",
        "cautious",
    )
    assert done.returncode == 0, done.stdout[-8000:]
    return db


def _signals(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("select * from marts.township_signals where as_of = ?", params=[D]).pl().to_dicts()
    finally:
        con.close()
    return {r["township_code"]: r for r in rows}


def test_as_of_dates_are_sundays_and_the_latest_day(built):
    con = duckdb.connect(str(built), read_only=True)
    try:
        dates = con.sql(
            "select as_of, latest_week_end from intermediate.int_signals__as_of_dates order by as_of"
        ).fetchall()
    finally:
        con.close()
    assert dates[-1] == (D, date(2023, 6, 25))
    assert all(d.isoweekday() == 7 for d, _ in dates)
    assert all((d - w).days == 7 for d, w in dates)


def test_self_report_drop(built):
    s = _signals(built)
    one, two = s[S[0]], s[S[1]]
    assert (one["self_report_drop__own"], one["self_report_drop__base"]) == (0, 8.0)
    assert one["self_report_drop__p"] == pytest.approx(0.00033546262790251185, rel=1e-12)
    assert (one["self_report_drop__inspections"], one["self_report_drop__found"]) == (3, 4)
    assert one["self_report_drop__fires"] is True
    assert (
        one["self_report_drop__clue"]
        == "近8周自报隐患0条，较前期平均（8.0条）下降100%，同期执法检查仍发现隐患4条（线索，供核实，不作结论）"
    )
    # P(X <= 4 | 8) = exp(-8) (1 + 8 + 64/2 + 512/6 + 4096/24) = 297 exp(-8) = 0.0996
    assert two["self_report_drop__own"] == 4
    assert two["self_report_drop__p"] == pytest.approx(math.exp(-8) * 297, rel=1e-12)
    assert two["self_report_drop__fires"] is False and two["self_report_drop__clue"] is None


def test_zero_run(built):
    s = _signals(built)
    three, four = s[S[2]], s[S[3]]
    assert (three["zero_run__run_weeks"], three["zero_run__base_count"], three["zero_run__lambda"]) == (8, 26, 1.0)
    assert three["zero_run__p"] == pytest.approx(0.00033546262790251185, rel=1e-12)
    assert three["zero_run__fires"] is True and three["zero_run__run_start"] == date(2023, 5, 1)
    assert (four["zero_run__run_weeks"], four["zero_run__base_count"]) == (8, 6)
    assert four["zero_run__fires"] is False
    # S1's weeks were not delivered: no run
    assert s[S[0]]["zero_run__run_weeks"] == 0


def test_late_report_as_of(built):
    s = _signals(built)
    assert s[S[4]]["late_report__fires"] is True
    assert (s[S[4]]["late_report__late_death_reports"], s[S[4]]["late_report__accident_ids"]) == (1, "AS5")
    # S6's deaths rose on day 19 (inside the 30-day window); the 07-10 version is after D
    assert s[S[5]]["late_report__fires"] is False
    con = duckdb.connect(str(built), read_only=True)
    try:
        later = con.sql(
            "select late_report__fires from marts.township_signals where as_of = date '2023-07-02' "
            "and township_code = ?",
            params=[S[5]],
        ).fetchall()[0]
    finally:
        con.close()
    assert later == (False,)


def test_enforcement_unreported(built):
    s = _signals(built)
    assert (
        s[S[6]]["enforcement_unreported__unreported"],
        s[S[6]]["enforcement_unreported__inspections_with_findings"],
    ) == (5, 5)
    assert s[S[6]]["enforcement_unreported__fires"] is True
    assert (s[S[7]]["enforcement_unreported__unreported"], s[S[7]]["enforcement_unreported__unreported_share"]) == (
        2,
        0.4,
    )
    assert s[S[7]]["enforcement_unreported__fires"] is False


def test_risk_scores(built):
    con = duckdb.connect(str(built), read_only=True)
    try:
        risk = {
            r[0]: r[1:]
            for r in con.sql(
                "select township_code, score, level, is_floored from marts.township_risk where as_of = ?", params=[D]
            ).fetchall()
        }
        top = con.sql(
            "select indicator, figure, points from marts.township_risk_indicators "
            "where as_of = ? and township_code = ? order by indicator_rank",
            params=[D, S[8]],
        ).fetchall()
    finally:
        con.close()
    assert len(risk) == 29
    # a firing signal (8) + the 3 preparedness gaps (9)
    for t in (S[0], S[2], S[4], S[6]):
        assert risk[t] == (17, "黄", False), t
    assert risk[S[1]] == (14, "黄", False)  # 9 + the flood transfer of 06-25 (5)
    assert risk[S[3]] == (9, "蓝", False)  # the transfer of 06-18 is 15 days before D
    assert risk[S[8]] == (49, "红", False)
    assert top[0] == ("overdue_major", 4, 40)
    assert risk["430182218"] == (9, "蓝", False)


def test_cli_json_shapes(built, tmp_path):
    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    shutil.copy(built, home / "published" / "warehouse.duckdb")
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "pipelines", *args, "--home", str(home), "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout), done.stderr

    signals, note = run("signals", "--as-of", "2023-07-02")
    assert note == ""
    assert len(signals) == 29 * 4
    first = next(r for r in signals if r["township_code"] == S[0] and r["signal"] == "self_report_drop")
    assert first["fires"] is True and first["figures"]["own"] == 0 and first["figures"]["found"] == 4
    assert {r["signal"] for r in signals} == {"self_report_drop", "zero_run", "late_report", "enforcement_unreported"}
    assert all(isinstance(r["fires"], bool) and isinstance(r["figures"], dict) for r in signals)

    risk, note = run("risk", "--as-of", "2023-06-30")  # a Friday: the Sunday before, said on stderr
    assert "2023-06-25" in note
    red = next(r for r in risk if r["township_code"] == S[8])
    assert (red["score"], red["level"]) == (49, "红")
    assert red["indicators"][0] == {
        "indicator": "overdue_major",
        "label": "重大隐患逾期未整改",
        "points": 40,
        "figure": 4,
        "unit": "项",
    }
    assert {r["level"] for r in risk} <= {"红", "橙", "黄", "蓝"} and len(risk) == 29


def test_warnings_once_per_change_of_level_by_smtp_and_acknowledged(built, tmp_path, monkeypatch):
    """S9 (红) gets one Chinese warning through a real SMTP server on loopback; a second pass
    sends nothing (no change of level); the clerk's acknowledgement is stored under the home
    and read back by a new process; an unacknowledged warning is overdue after 24 hours."""
    import datetime as dt

    from pipelines.lib.profile import load_profile
    from pipelines.lib.risk_warnings import acknowledge, issue_warnings, read_warnings, unacknowledged_overdue
    from tests.alerts_smtp import SmtpServer
    from warehouse.home import Home

    home = Home.resolve(tmp_path / "home")
    home.root.mkdir(parents=True)
    shutil.copy(built, home.root / "warehouse.duckdb")
    monkeypatch.delenv("SAFETYWH_DUCKDB", raising=False)
    issued = dt.datetime(2023, 7, 3, 9, 0)
    with SmtpServer() as smtp:
        for key, value in smtp.env().items():
            monkeypatch.setenv(key, value)
        con = duckdb.connect(str(home.duckdb_path))
        try:
            first = issue_warnings(con, home, load_profile(), "t1", issued)
            second = issue_warnings(con, home, load_profile(), "t2", issued + timedelta(hours=1))
            warnings = read_warnings(con)
        finally:
            con.close()
        received = smtp.handler.take()
    assert (first.created, first.sent, second.created, second.sent) == (1, 1, 0, 0)
    (message,) = received
    assert message.to == "t430182105@ningxiang.example"
    assert message.subject == "【风险预警】双江口镇风险等级为红色（重大风险），请于24小时内确认"
    assert "风险分值49分" in message.text and "重大隐患逾期未整改4项（40分）" in message.text
    assert "确认收到" in message.text
    warning_id = warnings["warning_id"][0]

    con = duckdb.connect(str(home.duckdb_path), read_only=True)
    try:
        assert unacknowledged_overdue(con, home, issued + timedelta(hours=23, minutes=59)).height == 0
        assert unacknowledged_overdue(con, home, issued + timedelta(hours=24, seconds=1))[
            "township_code"
        ].to_list() == [S[8]]
        assert acknowledge(home, warning_id, S[8], "430182105", issued + timedelta(hours=2)) is True
        assert (
            acknowledge(home, warning_id, S[8], "430182105", issued + timedelta(hours=3)) is False
        )  # the first stands
    finally:
        con.close()
    # a new process (a restart) reads the acknowledgement back
    code = (
        "import sys; from warehouse.home import Home; from pipelines.lib.risk_warnings import acknowledgements; "
        "print(acknowledgements(Home.resolve(sys.argv[1])).to_dicts())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(home.root)], capture_output=True, text=True, check=True
    ).stdout
    assert "'acknowledged_by': '430182105'" in out and "2023, 7, 3, 11, 0" in out
    con = duckdb.connect(str(home.duckdb_path), read_only=True)
    try:
        assert unacknowledged_overdue(con, home, issued + timedelta(days=3)).height == 0
    finally:
        con.close()
