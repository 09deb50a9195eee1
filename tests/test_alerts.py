"""Data-quality alerts end to end: hand-written broken and late ledgers from several
senders, `safetywh run` twice as a subprocess, a real SMTP server on loopback.

Reporting window of the test profile: ISO weeks 2023-W14..W16 (3-23 April 2023), due
Mondays 10, 17 and 24 April at 12:00.

Run 1 (the server refuses ZFDD's message with 451 and LYJ's with 550):
  玉潭 430182001  W14 xlsx received Mon 10 Apr 12:00:00 exactly (on time) with three broken
                 rows (order, enum, a malformed phone number = personal data); W15 on time;
                 W16 not sent.
  白马桥 430182002 a corrupt .xlsx (rejected); nothing else.
  历经铺 430182003 received Mon 10 Apr 12:00:01 (W14 late by 1 s, W15 on time); no W16.
  ZFDD           inspections W14 on time with a fine missing; no W15, W16.
  YJJ            relief with a wrong 身份证号 check digit; an accident reported 23 h late.
  LYJ            a forest fire with damaged area > burned area.
  every other township and department with a weekly feed: nothing.
Run 2 (the server accepts everything):
  玉潭   a resubmission received Mon 24 Apr 15:00 (W16, 3 h late) fixing two rows, still
         breaking one (already reported), and a new broken row.
  白马桥 a readable ledger received Thu 20 Apr (fixes the rejection; W15 late, W16 on time;
         W14 stays missing: a file a whole week late is the next week's).
  历经铺 W16 on time.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.alerts_smtp import SmtpServer, profile_copy, sheet_rows
from tests.ledgers import headers, set_received, write_csv, write_xlsx
from tests.test_rules import CLEAN, WRONG_ID, ledger_row

pytestmark = pytest.mark.slow

YUTAN, BAIMAQIAO, LIJINGPU = "430182001", "430182002", "430182003"
MAIL = {
    YUTAN: "t430182001@ningxiang.example",
    BAIMAQIAO: "t430182002@ningxiang.example",
    LIJINGPU: "t430182003@ningxiang.example",
    "ZFDD": "zfdd-data@ningxiang.example",
    "LYJ": "lyj-data@ningxiang.example",
    "YJJ": "yjj-data@ningxiang.example",
    "data_team": "data-team@ningxiang.example",  # contacts.data_team of the profile
}
MISPLACED = "hazards/XYZ/坝塘镇第14周.csv"  # XYZ is no sender's code
REFUSALS = {MAIL["ZFDD"]: "451 4.3.0 Mailbox temporarily unavailable", MAIL["LYJ"]: "550 5.7.1 Message refused"}
BAD_PHONE = "1371234567"
MASKED_PHONE = "137***4567"
MASKED_ID = WRONG_ID[:4] + "*" * 10 + WRONG_ID[-4:]
W14_FILE = "玉潭街道2023年第14周隐患排查治理台账.xlsx"


def hazard(**overrides) -> list:
    return ledger_row("hazards", {**CLEAN["hazards"], **overrides})


def safetywh(*args: str, home: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYWH_")}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=900,
    )


def window(start: str, end: str):
    def edit(config: dict) -> None:
        config["deadlines"]["window_start"] = start
        config["deadlines"]["window_end"] = end

    return edit


def first_files(landing: Path) -> None:
    yutan = landing / "hazards" / YUTAN
    write_xlsx(
        yutan / W14_FILE,
        headers("hazards"),
        [
            hazard(hazard_id="H-001"),  # row 3
            hazard(hazard_id="H-003", deadline="2023-04-01"),  # row 4: deadline before found_on
            hazard(hazard_id="H-004", level="特大"),  # row 5: not an allowed level
            hazard(hazard_id="H-005", phone=BAD_PHONE),  # row 6: personal data, malformed
        ],
        title="宁乡市玉潭街道2023年第14周隐患排查治理台账",
        received=dt.datetime(2023, 4, 10, 12, 0, 0),  # exactly at the deadline: on time
    )
    write_csv(
        yutan / "第15周.csv",
        headers("hazards"),
        [hazard(hazard_id="H-001"), hazard(hazard_id="H-002")],
        received=dt.datetime(2023, 4, 17, 9, 0),
    )
    (landing / "hazards" / BAIMAQIAO).mkdir(parents=True)
    (landing / "hazards" / BAIMAQIAO / "损坏的文件.xlsx").write_bytes(b"PK-not-really-a-workbook")
    set_received(landing / "hazards" / BAIMAQIAO / "损坏的文件.xlsx", dt.datetime(2023, 4, 10, 8, 0))
    write_csv(
        landing / "hazards" / LIJINGPU / "历经铺第14周.csv",
        headers("hazards"),
        [hazard(hazard_id="L-1")],
        received=dt.datetime(2023, 4, 10, 12, 0, 1),
    )  # one second late
    ins = lambda **o: ledger_row("inspections", {**CLEAN["inspections"], **o})  # noqa: E731
    write_csv(
        landing / "inspections" / "ZFDD" / "w14.csv",
        headers("inspections"),
        [ins(inspection_id="JC-1"), ins(inspection_id="JC-2", fine_10k_cny="")],
        received=dt.datetime(2023, 4, 10, 11, 0),
    )
    rel = lambda **o: ledger_row("relief", {**CLEAN["relief"], **o})  # noqa: E731
    write_xlsx(
        landing / "relief" / "YJJ" / "救助台账.xlsx",
        headers("relief"),
        [rel(relief_id="JZ-1"), rel(relief_id="JZ-2", id_number=WRONG_ID)],
        received=dt.datetime(2023, 4, 12, 9, 0),
    )
    acc = ledger_row("accidents", {**CLEAN["accidents"], "accident_id": "SG-A1", "occurred_at": "2023-04-05 10:00"})
    write_csv(
        landing / "accidents" / "YJJ" / "4月事故.csv",
        headers("accidents"),
        [acc],
        received=dt.datetime(2023, 4, 7, 9, 0),
    )  # due 6 April 10:00: 23 h late
    write_csv(
        landing / MISPLACED, headers("hazards"), [hazard(hazard_id="X-1")], received=dt.datetime(2023, 4, 10, 9, 0)
    )
    fire = lambda **o: ledger_row("forest_fires", {**CLEAN["forest_fires"], "started_at": "2023-04-08 14:00", **o})  # noqa: E731
    write_csv(
        landing / "forest_fires" / "LYJ" / "火情.csv",
        headers("forest_fires"),
        [fire(fire_id="HZ-1"), fire(fire_id="HZ-2", damaged_forest_ha="3.0")],
        received=dt.datetime(2023, 4, 8, 20, 0),
    )


def second_files(landing: Path) -> None:
    write_csv(
        landing / "hazards" / YUTAN / "第16周（更正）.csv",
        headers("hazards"),
        [
            hazard(hazard_id="H-001"),  # row 2
            hazard(hazard_id="H-003"),  # row 3: fixed
            hazard(hazard_id="H-004", level="特大"),  # row 4: still broken, reported already
            hazard(hazard_id="H-005"),  # row 5: fixed
            hazard(hazard_id="H-006", description=""),  # row 6: new problem
        ],
        received=dt.datetime(2023, 4, 24, 15, 0),  # W16, 3 hours late
    )
    write_csv(
        landing / "hazards" / BAIMAQIAO / "白马桥台账.csv",
        headers("hazards"),
        [hazard(hazard_id="B-1")],
        received=dt.datetime(2023, 4, 20, 10, 0),
    )
    write_csv(
        landing / "hazards" / LIJINGPU / "历经铺第16周.csv",
        headers("hazards"),
        [hazard(hazard_id="L-1")],
        received=dt.datetime(2023, 4, 24, 10, 0),
    )


@pytest.fixture(scope="module")
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def scenario(smtp, tmp_path_factory):
    root = tmp_path_factory.mktemp("alerts")
    profile = profile_copy(root / "profile", window("2023-04-03", "2023-04-23"))
    env = {**smtp.env(), "SAFETYWH_PROFILE": str(profile)}
    home = root / "home"
    first_files(home / "landing")
    smtp.handler.refuse = dict(REFUSALS)
    first = safetywh("run", home=home, env=env)
    assert first.returncode == 0, first.stderr + first.stdout
    # the data-quality messages (a township reaching 橙/红 also gets a 【风险预警】, tested in test_risk_warnings)
    run1 = [m for m in smtp.handler.take() if not m.subject.startswith("【风险预警】")]
    alerts1 = json.loads(safetywh("alerts", "--format", "json", home=home, env=env).stdout)
    published1 = home / "published-run1.duckdb"
    published1.write_bytes((home / "published" / "warehouse.duckdb").read_bytes())

    smtp.handler.refuse = {}
    second_files(home / "landing")
    second = safetywh("run", home=home, env=env)
    assert second.returncode == 0, second.stderr + second.stdout
    run2 = [m for m in smtp.handler.take() if not m.subject.startswith("【风险预警】")]
    return {
        "home": home,
        "env": env,
        "profile": profile,
        "run1": run1,
        "run2": run2,
        "alerts1": alerts1,
        "published1": published1,
    }


def by_recipient(messages) -> dict:
    out: dict[str, list] = {}
    for m in messages:
        out.setdefault(m.to, []).append(m)
    return out


def expected_recipients(profile: Path) -> set[str]:
    """Every sender with a weekly feed in the window (all missed something) plus LYJ (a broken
    row) and the data team (a misplaced file), less the two refused; SLJ sends only event
    records and has no problem."""
    townships = pl.read_csv(profile / "townships.csv", infer_schema=False)["alert_email"].to_list()
    departments = pl.read_csv(profile / "departments.csv", infer_schema=False)
    with_weekly = departments.filter(pl.col("feeds").str.contains("hazards|inspections|drills"))[
        "alert_email"
    ].to_list()
    return set(townships) | set(with_weekly) | {MAIL["LYJ"], MAIL["data_team"]}


# ---------------------------------------------------------------- run 1


def test_each_affected_sender_gets_exactly_one_message(scenario):
    received = by_recipient(scenario["run1"])
    assert all(len(v) == 1 for v in received.values()), {k: len(v) for k, v in received.items() if len(v) > 1}
    assert set(received) == expected_recipients(scenario["profile"]) - set(REFUSALS)
    assert "slj-data@ningxiang.example" not in received


def test_the_message_names_file_rows_chinese_columns_masked_values_rules_and_fixes(scenario):
    (msg,) = by_recipient(scenario["run1"])[MAIL[YUTAN]]
    assert msg.message["To"].addresses[0].addr_spec == MAIL[YUTAN]
    assert msg.subject == "【数据质量提醒】玉潭街道：3行数据未入库，1期台账未报送（" + msg.subject.split("（", 1)[1]
    text = msg.text
    assert W14_FILE in text and "收到时间 2023年4月10日 12:00" in text
    assert "第4行「整改期限」（编号 H-003），填写的值：2023-04-01" in text
    assert "日期或数值先后关系错误：「整改期限」不能早于「排查日期」" in text
    assert "第5行「隐患等级」（编号 H-004），填写的值：特大" in text
    assert "修改方法：请从规定的选项中选择。" in text
    assert f"第6行「联系电话」（编号 H-005），填写的值：{MASKED_PHONE}" in text
    assert "2023年第16周（4月17日至4月23日），截止时间 2023年4月24日 12:00" in text
    # W14 came at 12:00:00 exactly and W15 in its window: neither is mentioned
    assert "第14周（" not in text and "第15周（" not in text
    assert BAD_PHONE not in msg.data.decode("ascii", "replace") + text + msg.html
    assert "<td>5</td><td>H-004</td><td>隐患等级</td><td>特大</td>" in msg.html and MASKED_PHONE in msg.html


def test_the_attachment_lists_every_row_for_the_clerks_ledger(scenario):
    (msg,) = by_recipient(scenario["run1"])[MAIL[YUTAN]]
    name, book = msg.attachment()
    assert name.startswith("数据质量问题清单_玉潭街道_") and name.endswith(".xlsx")
    rows = sheet_rows(book, "未入库数据行")
    assert [(r["文件"], r["Excel行号"], r["编号"], r["列"], r["填写的值"], r["问题"]) for r in rows] == [
        (W14_FILE, 4, "H-003", "整改期限", "2023-04-01", "日期或数值先后关系错误"),
        (W14_FILE, 5, "H-004", "隐患等级", "特大", "不在允许值范围内"),
        (W14_FILE, 6, "H-005", "联系电话", MASKED_PHONE, "格式无法识别"),
    ]
    assert all(r["修改方法"] for r in rows)
    deadlines = sheet_rows(book, "报送时限")
    assert [(r["期间或编号"], r["状态"]) for r in deadlines] == [("2023年第16周（4月17日至4月23日）", "未报送")]


def test_rejected_files_missed_and_late_deadlines_are_reported(scenario):
    received = by_recipient(scenario["run1"])
    (baimaqiao,) = received[MAIL[BAIMAQIAO]]
    assert "1个文件被拒收，3期台账未报送" in baimaqiao.subject
    assert "损坏的文件.xlsx" in baimaqiao.text and "文件不是可读取的表格" in baimaqiao.text
    assert all(f"2023年第{w}周" in baimaqiao.text for w in (14, 15, 16))
    assert sheet_rows(baimaqiao.attachment()[1], "被拒收文件")[0]["文件"] == "损坏的文件.xlsx"

    (lijingpu,) = received[MAIL[LIJINGPU]]
    assert "1期台账未报送，1次迟报" in lijingpu.subject
    assert (
        "2023年第14周（4月3日至4月9日），截止时间 2023年4月10日 12:00，实际报送于 2023年4月10日 12:00:01，迟报1秒"
    ) in lijingpu.text
    assert "2023年第15周" not in lijingpu.text

    (yjj,) = received[MAIL["YJJ"]]
    assert f"第3行「身份证号」（编号 JZ-2），填写的值：{MASKED_ID}" in yjj.text
    assert (
        "编号 SG-A1（2023年4月5日发生），截止时间 2023年4月6日 10:00，实际报送于 2023年4月7日 09:00，迟报23小时"
        in yjj.text
    )
    assert WRONG_ID not in yjj.text + yjj.html
    _, book = yjj.attachment()
    assert [r["填写的值"] for r in sheet_rows(book, "未入库数据行")] == [MASKED_ID]


def test_a_file_in_no_senders_folder_is_reported_to_the_data_team(scenario):
    (msg,) = by_recipient(scenario["run1"])[MAIL["data_team"]]
    assert msg.subject.startswith("【数据质量提醒】数据组：1个文件被拒收（")
    assert "无法对应报送单位或数据类别的位置" in msg.text
    assert f"· {MISPLACED}（隐患排查治理台账，收到时间 2023年4月10日 09:00）" in msg.text
    assert "原因：报送单位代码无法识别" in msg.text
    assert "请放入本单位代码的文件夹后重新报送" in msg.text
    listed = [a for a in scenario["alerts1"] if a["recipient"] == MAIL["data_team"]]
    assert [(a["sender_name"], a["new_problems"]) for a in listed] == [("数据组", 1)]


def test_refused_deliveries_stay_queued_with_the_servers_reply(scenario):
    alerts = {a["sender_code"]: a for a in scenario["alerts1"]}
    assert alerts["ZFDD"]["status"] == "failed" and "451" in alerts["ZFDD"]["last_error"]
    assert alerts["LYJ"]["status"] == "failed" and "550" in alerts["LYJ"]["last_error"]
    assert alerts["ZFDD"]["attempts"] == 1
    assert alerts[YUTAN]["status"] == "sent"
    assert Path(alerts["ZFDD"]["eml_path"]).is_file()
    assert Path(alerts["ZFDD"]["eml_path"]).with_suffix(".html").is_file()
    assert Path(alerts["ZFDD"]["eml_path"]).with_suffix(".xlsx").is_file()


def test_lateness_edges_in_the_marts(scenario):
    with duckdb.connect(str(scenario["published1"]), read_only=True) as con:
        status = dict(
            con.execute(
                "SELECT delivery_key, status FROM marts.data_quality_deliveries WHERE sender_code IN (?, ?, ?)",
                [YUTAN, BAIMAQIAO, LIJINGPU],
            ).fetchall()
        )
        late = con.execute(
            "SELECT late_seconds FROM marts.data_quality_deliveries WHERE delivery_key = ?",
            [f"hazards:{LIJINGPU}:2023-W14"],
        ).fetchall()
        week = con.execute(
            """SELECT files_due, files_on_time, files_late, files_missing, rows_loaded, rows_quarantined, pass_rate
               FROM marts.data_quality_by_sender WHERE period_type = 'week' AND period = '2023-W15' AND sender_code = ?""",
            [YUTAN],
        ).fetchall()
        event = con.execute(
            "SELECT status, late_seconds FROM marts.data_quality_deliveries WHERE delivery_key = 'accidents:YJJ:SG-A1'"
        ).fetchall()
    assert status[f"hazards:{YUTAN}:2023-W14"] == "on_time"  # 12:00:00 exactly
    assert status[f"hazards:{LIJINGPU}:2023-W14"] == "late" and late == [(1,)]  # 12:00:01
    assert status[f"hazards:{LIJINGPU}:2023-W15"] == "on_time"  # the same file, in W15's window
    assert status[f"hazards:{YUTAN}:2023-W16"] == "missing"
    assert status[f"hazards:{BAIMAQIAO}:2023-W14"] == "missing"  # a rejected file does not count
    # W15: its own ledger on time; rows of the files received in W15 (the W14 ledger came on Monday 10 April)
    assert week == [(1, 1, 0, 0, 1, 3, 0.25)]
    assert event == [("late", 23 * 3600)]  # occurred 5 April 10:00, first received 7 April 09:00


# ---------------------------------------------------------------- run 2


def test_second_run_sends_only_news_and_the_queued_messages_once(scenario):
    received = by_recipient(scenario["run2"])
    assert {k: len(v) for k, v in received.items()} == {
        MAIL["ZFDD"]: 1,
        MAIL["LYJ"]: 1,
        MAIL[YUTAN]: 1,
        MAIL[BAIMAQIAO]: 1,
        MAIL[LIJINGPU]: 1,
    }
    first_ids = {a["sender_code"]: a["alert_id"] for a in scenario["alerts1"]}
    # the refused messages are the very ones queued by run 1, not new ones
    assert received[MAIL["ZFDD"]][0].message["X-Safetywh-Alert-Id"] == first_ids["ZFDD"]
    assert received[MAIL["LYJ"]][0].message["X-Safetywh-Alert-Id"] == first_ids["LYJ"]
    assert "「罚款金额(万元)」" in received[MAIL["ZFDD"]][0].text
    assert "「受害森林面积(公顷)」" in received[MAIL["LYJ"]][0].text


def test_a_resubmission_is_reported_resolved_and_open_problems_are_not_repeated(scenario):
    (msg,) = by_recipient(scenario["run2"])[MAIL[YUTAN]]
    assert "1行数据未入库" in msg.subject and "3个问题已解决" in msg.subject
    text = msg.text
    assert "第6行「隐患描述」（编号 H-006）" in text
    assert "【已解决的问题】" in text
    assert (
        f"文件「{W14_FILE}」第4行「整改期限」（编号 H-003）：日期或数值先后关系错误：已由 2023年4月24日 15:00 收到的文件「第16周（更正）.csv」更正"
        in text
    )
    assert f"文件「{W14_FILE}」第6行「联系电话」（编号 H-005）" in text
    assert "隐患排查治理台账 2023年第16周（4月17日至4月23日）未报送：已于 2023年4月24日 15:00 补报（迟报3小时）" in text
    assert "隐患等级" not in text  # H-004 is still broken, but it was reported in run 1
    _, book = msg.attachment()
    assert [(r["Excel行号"], r["编号"], r["列"]) for r in sheet_rows(book, "未入库数据行")] == [
        (6, "H-006", "隐患描述")
    ]
    assert len(sheet_rows(book, "已解决问题")) == 3


def test_fixing_a_rejected_file_resolves_it_and_a_week_late_file_does_not_cover_two_weeks_back(scenario):
    (msg,) = by_recipient(scenario["run2"])[MAIL[BAIMAQIAO]]
    text = msg.text
    assert "3个问题已解决" in msg.subject and "未入库" not in msg.subject
    assert "文件「损坏的文件.xlsx」被拒收：已由 2023年4月20日 10:00 收到的文件「白马桥台账.csv」更正" in text
    assert "2023年第15周（4月10日至4月16日）未报送：已于 2023年4月20日 10:00 补报（迟报2天22小时）" in text
    assert "2023年第16周（4月17日至4月23日）未报送：已于 2023年4月20日 10:00 收到" in text
    assert "2023年第14周" not in text  # still missing, already reported


def test_alerts_command_lists_status_and_filters(scenario):
    home, env = scenario["home"], scenario["env"]
    alerts = json.loads(safetywh("alerts", "--format", "json", home=home, env=env).stdout)
    assert {a["status"] for a in alerts} <= {"sent", "resolved"}
    by_sender: dict[str, list] = {}
    for a in alerts:
        by_sender.setdefault(a["sender_code"], []).append(a)
    assert len(by_sender[YUTAN]) == 2 and len(by_sender["ZFDD"]) == 1
    assert by_sender["ZFDD"][0]["attempts"] == 2
    # 历经铺's first alert: its only open problem (W16) was fixed; the late notice needs no action
    assert by_sender[LIJINGPU][0]["status"] == "resolved"
    assert by_sender[YUTAN][0]["status"] == "sent" and by_sender[YUTAN][0]["open_problems"] == 1  # H-004
    only = json.loads(safetywh("alerts", "--sender", YUTAN, "--format", "json", home=home, env=env).stdout)
    assert [a["sender_code"] for a in only] == [YUTAN, YUTAN]
    assert json.loads(safetywh("alerts", "--since", "2999-01-01", "--format", "json", home=home, env=env).stdout) == []
    table = safetywh("alerts", "--sender", "ZFDD", home=home, env=env)
    assert table.returncode == 0 and "zfdd-data@ningxiang.example" in table.stdout


def test_an_alert_pass_with_nothing_new_creates_and_sends_nothing(scenario, smtp, monkeypatch):
    from pipelines.lib.alerts.outbox import process_alerts
    from pipelines.lib.profile import load_profile
    from warehouse.home import Home
    from warehouse.layout import connect

    for key, value in scenario["env"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SAFETYWH_DUCKDB", raising=False)
    home = Home.resolve(scenario["home"])
    con = connect(home.duckdb_path)
    try:
        before = con.execute("SELECT count(*) FROM meta.alerts").fetchall()
        result = process_alerts(con, home, load_profile(), "test-again", dt.datetime(2026, 12, 1, 9, 0))
        after = con.execute("SELECT count(*) FROM meta.alerts").fetchall()
    finally:
        con.close()
    assert (result.messages_created, result.sent, result.failed, result.queued) == (0, 0, 0, 0)
    assert before == after
    assert smtp.handler.take() == []


# ---------------------------------------------------------------- a broken system


def test_a_run_failure_alerts_the_data_team(smtp, tmp_path):
    # a township listed twice: the profile passes its schema (pipelines/lib/profile_schema.py),
    # then dbt's unique test on the township register fails the run: a broken setup, not bad data
    profile = profile_copy(tmp_path / "profile", lambda config: None)
    townships = profile / "townships.csv"
    lines = townships.read_text("utf-8").splitlines()
    townships.write_text("\n".join([*lines, lines[1]]) + "\n", "utf-8")
    env = {**smtp.env(), "SAFETYWH_PROFILE": str(profile)}
    smtp.handler.take()
    (tmp_path / "home" / "landing").mkdir(parents=True)  # run refuses a home without one
    done = safetywh("run", home=tmp_path / "home", env=env)
    assert done.returncode == 1
    (msg,) = smtp.handler.take()
    assert msg.to == "data-team@ningxiang.example"
    assert msg.subject.startswith("【系统故障】宁乡市安全生产数据仓库运行失败")
    assert "不是报送数据的问题" in msg.text and "dbt_models" in msg.text
    listed = json.loads(safetywh("alerts", "--format", "json", home=tmp_path / "home", env=env).stdout)
    assert [(a["kind"], a["status"], a["recipient"]) for a in listed] == [
        ("run_failure", "sent", "data-team@ningxiang.example")
    ]
