"""The whole pipeline (Dagster in process + GX + DuckDB + dbt) on a landing tree written
by hand to feeds.md: what each file becomes, row by row, and a second run that changes
nothing."""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.ledgers import headers, write_csv, write_xlsx
from tests.test_rules import CLEAN, CREDIT, ID_OLD_CODE, WRONG_CREDIT, WRONG_ID, ledger_row

pytestmark = pytest.mark.slow
SAFETYWH = [sys.executable, "-m", "pipelines"]


def safetywh(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SAFETYWH_HOME", "SAFETYWH_DUCKDB")}
    return subprocess.run([*SAFETYWH, *args, "--home", str(home)], capture_output=True, text=True, env=env, timeout=600)


def as_json(*args: str, home: Path):
    done = safetywh(*args, "--format", "json", home=home)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def hazard(**overrides) -> list:
    return ledger_row("hazards", {**CLEAN["hazards"], **overrides})


def build_tree(landing: Path) -> None:
    d = dt.date
    yutan = landing / "hazards" / "430182001"
    write_xlsx(
        yutan / "玉潭街道2023年第14周隐患排查治理台账.xlsx",
        headers("hazards"),
        [
            # real Excel date cells, open hazard
            hazard(hazard_id="H-001", found_on=d(2023, 4, 3), deadline=d(2023, 4, 20), rectified_on=None),
            # slash dates and the pre-2017 county code
            hazard(
                hazard_id="H-002",
                found_on="2023/4/5",
                township="430124001",
                deadline="2023/4/12",
                rectified_on="2023/4/6",
            ),
            hazard(hazard_id="H-003", deadline="2023-04-01"),  # deadline before found_on
            hazard(hazard_id="H-004", level="特大"),  # not an allowed level
        ],
        title="宁乡市玉潭街道2023年第14周隐患排查治理台账",
        blank_after_header=True,
        total=["合计", None, None, None, None, None, None, None, None, None, None, 2.0],
        received=dt.datetime(2023, 4, 10, 9, 0),
    )
    week15 = write_csv(
        yutan / "玉潭街道2023年第15周隐患排查治理台账.csv",
        headers("hazards"),
        [
            hazard(hazard_id="H-001", found_on="2023年4月3日", deadline="2023年4月20日", rectified_on="2023年4月16日"),
            hazard(
                hazard_id="H-005",
                found_on="2023-04-11",
                deadline="2023-04-25",
                rectified_on="",
                funds_10k_cny="１,２００",
            ),
        ],
        encoding="gbk",
        title="宁乡市玉潭街道2023年第15周隐患排查治理台账",
        total=["合计"],
        received=dt.datetime(2023, 4, 17, 8, 30),
    )
    resent = yutan / "第15周（重发）.csv"
    resent.write_bytes(week15.read_bytes())
    os.utime(resent, (week15.stat().st_mtime + 3600,) * 2)

    accidents = landing / "accidents" / "YJJ"
    acc = lambda **o: ledger_row("accidents", {**CLEAN["accidents"], **o})  # noqa: E731
    write_csv(
        accidents / "2023年5月事故.csv",
        headers("accidents"),
        [
            acc(accident_id="SG-1", deaths="１", direct_loss_10k_cny="1,050"),
            acc(accident_id="SG-2", deaths="0"),
            acc(accident_id="SG-2", deaths="1"),
            acc(accident_id="SG-3", credit_code=WRONG_CREDIT),
        ],
        encoding="utf-8-sig",
        title="宁乡市2023年5月生产安全事故统计表",
        received=dt.datetime(2023, 5, 22, 10, 0),
    )
    write_csv(
        accidents / "误放的隐患台账.csv",
        headers("hazards"),
        [hazard(hazard_id="H-900")],
        received=dt.datetime(2023, 5, 23, 10, 0),
    )

    rel = lambda **o: ledger_row("relief", {**CLEAN["relief"], **o})  # noqa: E731
    write_xlsx(
        landing / "relief" / "YJJ" / "救助台账.xlsx",
        headers("relief"),
        [rel(relief_id="JZ-1"), rel(relief_id="JZ-2", id_number=WRONG_ID)],
        received=dt.datetime(2023, 7, 5, 9, 0),
    )

    ins = lambda **o: ledger_row("inspections", {**CLEAN["inspections"], **o})  # noqa: E731
    write_csv(
        landing / "inspections" / "ZFDD" / "w14.csv",
        headers("inspections"),
        [ins(inspection_id="JC-1"), ins(inspection_id="JC-2", fine_10k_cny="")],
        received=dt.datetime(2023, 4, 10, 11, 0),
    )

    broken = landing / "hazards" / "430182002"
    broken.mkdir(parents=True)
    (broken / "损坏的文件.xlsx").write_bytes(b"PK-not-really-a-workbook")
    (broken / "乱码.csv").write_bytes("隐患编号,排查日期\n".encode() + b"\xff\xfe\xfd,\x80\x80\n")
    write_csv(landing / "plans" / "YJJ" / "空表.csv", headers("plans"), [], title="预案备案表")
    write_csv(landing / "hazards" / "ABC" / "未知单位.csv", headers("hazards"), [hazard(hazard_id="H-901")])
    write_csv(landing / "hazards" / "没有单位目录.csv", headers("hazards"), [hazard(hazard_id="H-902")])
    write_csv(landing / "weather" / "YJJ" / "天气.csv", ["日期"], [["2023-04-01"]])
    (landing / "hazards" / "430182001" / "~$玉潭街道.xlsx").write_bytes(b"excel lock file")  # ignored


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("handmade")
    build_tree(home / "landing")
    first = safetywh("run", home=home)
    assert first.returncode == 0, first.stderr
    assert "本次运行收到的文件" in first.stdout
    return home


def test_every_file_has_the_status_and_counts_a_hand_count_gives(home):
    files = {f["path"]: f for f in as_json("files", home=home)}
    expected = {
        # path: status, total, loaded, quarantined, skipped
        "hazards/430182001/玉潭街道2023年第14周隐患排查治理台账.xlsx": ("loaded", 7, 2, 2, 3),
        "hazards/430182001/玉潭街道2023年第15周隐患排查治理台账.csv": ("loaded", 4, 2, 0, 2),
        "hazards/430182001/第15周（重发）.csv": ("duplicate", 0, 0, 0, 0),
        "accidents/YJJ/2023年5月事故.csv": ("loaded", 5, 1, 3, 1),
        "accidents/YJJ/误放的隐患台账.csv": ("rejected", 0, 0, 0, 0),
        "relief/YJJ/救助台账.xlsx": ("loaded", 2, 1, 1, 0),
        "inspections/ZFDD/w14.csv": ("loaded", 2, 1, 1, 0),
        "hazards/430182002/损坏的文件.xlsx": ("rejected", 0, 0, 0, 0),
        "hazards/430182002/乱码.csv": ("rejected", 0, 0, 0, 0),
        "plans/YJJ/空表.csv": ("rejected", 0, 0, 0, 0),
        "hazards/ABC/未知单位.csv": ("rejected", 0, 0, 0, 0),
        "hazards/没有单位目录.csv": ("rejected", 0, 0, 0, 0),
        "weather/YJJ/天气.csv": ("rejected", 0, 0, 0, 0),
    }
    got = {
        p: (f["status"], f["rows_total"], f["rows_loaded"], f["rows_quarantined"], f["rows_skipped"])
        for p, f in files.items()
    }
    assert got == expected
    for f in files.values():
        assert f["rows_total"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_skipped"]
        assert len(f["sha256"]) == 64
    assert (
        files["hazards/430182001/第15周（重发）.csv"]["duplicate_of"]
        == files["hazards/430182001/玉潭街道2023年第15周隐患排查治理台账.csv"]["file_id"]
    )
    assert files["hazards/430182001/玉潭街道2023年第14周隐患排查治理台账.xlsx"]["received_at"].startswith(
        "2023-04-10 09:00"
    )
    reasons = {p: f["reason"] or "" for p, f in files.items()}
    assert "是否放错了文件夹" in reasons["accidents/YJJ/误放的隐患台账.csv"]
    assert "不是可读取的表格" in reasons["hazards/430182002/损坏的文件.xlsx"]
    assert "编码" in reasons["hazards/430182002/乱码.csv"]
    assert "没有数据行" in reasons["plans/YJJ/空表.csv"]
    assert "报送单位代码" in reasons["hazards/ABC/未知单位.csv"]
    assert "存放位置" in reasons["hazards/没有单位目录.csv"]
    assert "数据类别" in reasons["weather/YJJ/天气.csv"]


def test_every_broken_row_is_quarantined_with_row_column_and_rule(home):
    cells = {(q["file"], q["row"], q["column"], q["rule"]) for q in as_json("quarantine", home=home)}
    assert cells == {
        # title row 1, header row 2, blank row 3: data starts at Excel row 4
        ("hazards/430182001/玉潭街道2023年第14周隐患排查治理台账.xlsx", 6, "整改期限", "order"),
        ("hazards/430182001/玉潭街道2023年第14周隐患排查治理台账.xlsx", 7, "隐患等级", "enum"),
        ("accidents/YJJ/2023年5月事故.csv", 4, "事故编号", "duplicate_id"),
        ("accidents/YJJ/2023年5月事故.csv", 5, "事故编号", "duplicate_id"),
        ("accidents/YJJ/2023年5月事故.csv", 6, "统一社会信用代码", "check_digit"),
        ("relief/YJJ/救助台账.xlsx", 3, "身份证号", "check_digit"),
        ("inspections/ZFDD/w14.csv", 3, "罚款金额(万元)", "conditional"),
    }
    by_sender = as_json("quarantine", "--sender", "ZFDD", home=home)
    assert [q["reason"] for q in by_sender] == [
        "条件必填项缺失：「处理措施」为“罚款”时「罚款金额(万元)」必须填写且大于0"
    ]


def test_personal_data_is_masked_everywhere_it_is_shown(home):
    relief = as_json("quarantine", "--feed", "relief", home=home)
    assert relief[0]["value"] == WRONG_ID[:4] + "*" * 10 + WRONG_ID[-4:]
    records = as_json("records", "relief", home=home)
    assert records[0]["id_number"] == ID_OLD_CODE[:4] + "*" * 10 + ID_OLD_CODE[-4:]
    assert records[0]["person_name"] == "李*"
    for command in (["quarantine"], ["records", "relief"], ["records", "hazards"], ["files"]):
        out = safetywh(*command, "--format", "json", home=home).stdout
        assert WRONG_ID not in out and ID_OLD_CODE not in out and "13712345678" not in out and "李四" not in out


def test_later_versions_supersede_and_townships_resolve(home):
    records = {r["hazard_id"]: r for r in as_json("records", "hazards", home=home)}
    assert sorted(records) == ["H-001", "H-002", "H-005"]
    assert records["H-001"]["rectified_on"] == "2023-04-16"  # week 15 supersedes week 14
    assert records["H-001"]["_versions"] == 2
    assert records["H-002"]["township"] == "430182001"  # 430124001, the pre-2017 code
    assert records["H-005"]["funds_10k_cny"] == 1200.0
    assert records["H-005"]["credit_code"] == CREDIT
    accidents = as_json("records", "accidents", home=home)
    assert [(a["accident_id"], a["deaths"], a["direct_loss_10k_cny"]) for a in accidents] == [("SG-1", 1, 1050.0)]


def test_records_csv_uses_the_canonical_column_names(home):
    done = safetywh("records", "inspections", "--format", "csv", home=home)
    assert done.returncode == 0
    header = done.stdout.splitlines()[0].split(",")
    assert header[:7] == [
        "inspection_id",
        "inspected_on",
        "township",
        "credit_code",
        "hazards_found",
        "action",
        "fine_10k_cny",
    ]


def test_dbt_staging_holds_the_latest_versions(home):
    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT count(*), count(DISTINCT hazard_id) FROM staging.stg_ledgers__hazards"
        ).fetchall() == [(3, 3)]
        assert con.execute("SELECT count(*) FROM raw.hazards").fetchall() == [
            (4,)
        ]  # H-001 twice, H-002, H-005: every version kept
        columns = [r[0] for r in con.execute("DESCRIBE staging.stg_ledgers__hazards").fetchall()]
        assert "phone" not in columns and "responsible_person" not in columns and "township_code" in columns


def test_a_second_run_with_no_new_file_changes_nothing(home):
    import duckdb

    def snapshot():
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            return (
                con.execute("SELECT * FROM meta.files ORDER BY file_id").fetchall(),
                con.execute("SELECT count(*) FROM meta.quarantine").fetchall(),
                [con.execute(f"SELECT count(*) FROM raw.{t}").fetchall() for t in ("hazards", "accidents", "relief")],
            )

    # a run in a new county-local hour is a real one (the lateness verdicts are hourly):
    # settle into this hour first, a minute clear of its end (a run here takes ~10 s)
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    if now.minute == 59:
        time.sleep(61 - now.second)
    assert safetywh("run", home=home).returncode == 0
    before = snapshot()

    def every_file():
        return {
            str(p.relative_to(home)): (p.stat().st_size, p.stat().st_mtime_ns) for p in home.rglob("*") if p.is_file()
        }

    files = every_file()
    assert (home / "dagster" / "history" / "runs.db").is_file()  # the home's Dagster instance holds the record
    again = safetywh("run", home=home)
    assert again.returncode == 0, again.stderr
    assert "没有发现新文件" in again.stdout
    # nothing changed since the last successful run (pipelines/lib/run_inputs.py): no dbt
    # build, not even Dagster starts, and no file of the home is written
    assert "未重新运行：没有新文件，程序、配置与整点均未变化" in again.stderr
    assert every_file() == files
    assert snapshot() == before

    forced = safetywh("run", "--force", home=home)  # every step runs, and finds nothing new
    assert forced.returncode == 0, forced.stderr
    assert "未重新运行" not in forced.stderr and "没有发现新文件" in forced.stdout
    assert snapshot() == before


def test_a_second_writer_is_refused_with_a_clear_message(home):
    from pipelines.lib.runner import writer_lock
    from warehouse.home import Home

    with writer_lock(Home.resolve(home)):
        # --force: a run with nothing new writes nothing and needs no lock
        busy = safetywh("run", "--force", home=home)
    assert busy.returncode == 2
    assert "另一个运行正在写入" in busy.stderr
