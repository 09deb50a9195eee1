"""check_submission and land_submission: the run's answer, read-only, and an atomic landing.

Every check is compared with the figures a hand count of the ledger gives, and the
equivalence test lands the file and ingests it as a run does: the check said exactly what
the run then did.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from pipelines.lib.submission import (
    SubmissionError,
    check_submission,
    land_submission,
    safe_filename,
    sender_feeds,
    write_atomically,
)
from tests.conftest import ingest_landing
from tests.ledgers import headers, write_csv, write_xlsx

NOW = dt.datetime(2023, 4, 10, 9, 30)
CLERK = "430182001"  # 玉潭街道
GOOD = [
    "YH-001",
    "2023-04-03",
    "玉潭街道",
    None,
    "一般",
    "楼道堆放杂物",
    "2023-04-10",
    None,
    "张三",
    "13712345678",
    "否",
    "0.5",
]
# row 4 of the sheet: level not allowed, phone too short (personal: masked)
BROKEN = [
    "YH-002",
    "2023-04-04",
    "玉潭",
    None,
    "特别",
    "消防通道堵塞",
    "2023-04-11",
    None,
    "李四",
    "1381234567",
    "否",
    None,
]
FIXED = [*BROKEN[:4], "重大", *BROKEN[5:9], "13812345678", *BROKEN[10:]]
TITLE = "玉潭街道2023年第14周隐患排查治理台账"


def ledger(tmp_path: Path, rows, name: str = "台账.xlsx") -> bytes:
    path = write_xlsx(tmp_path / "made" / name, headers("hazards"), rows, title=TITLE, total=["合计", None, None])
    return path.read_bytes()


def test_a_ledger_with_one_broken_row(tmp_path):
    home = tmp_path / "home"
    result = check_submission(home, "hazards", CLERK, "台账.xlsx", ledger(tmp_path, [GOOD, BROKEN]), now=NOW)
    assert result.status == "would_load"
    # title row 1, header row 2, data rows 3-4, 合计 row 5: 4 rows counted, 2 skipped
    assert (result.rows_total, result.rows_loaded, result.rows_quarantined, result.rows_skipped) == (4, 1, 1, 2)
    cells = [(p.row_number, p.column_header, p.value, p.rule) for p in result.problems]
    assert cells == [(4, "隐患等级", "特别", "enum"), (4, "联系电话", "138***4567", "format")]
    assert "只能填写：一般、重大" in result.problems[0].reason
    assert result.summary().startswith("将入库 1 行，隔离 1 行，跳过 2 行")
    assert not (home / "landing").exists()  # a check writes nothing
    assert not list(tmp_path.rglob("*.duckdb"))


def test_the_check_says_what_the_run_then_does(tmp_path):
    home = tmp_path / "home"
    data = ledger(tmp_path, [GOOD, BROKEN])
    check = check_submission(home, "hazards", CLERK, "台账.xlsx", data, now=NOW)
    receipt = land_submission(home, "hazards", CLERK, "台账.xlsx", data, now=NOW)
    assert receipt.landed and receipt.path == f"hazards/{CLERK}/台账.xlsx"
    con, _ = ingest_landing(home / "landing", tmp_path / "w.duckdb")
    files = con.execute(
        "SELECT path, status, rows_total, rows_loaded, rows_quarantined, rows_skipped, sha256 FROM meta.files"
    ).fetchall()
    assert files == [
        (
            receipt.path,
            "loaded",
            check.rows_total,
            check.rows_loaded,
            check.rows_quarantined,
            check.rows_skipped,
            check.sha256,
        )
    ]
    cells = con.execute(
        "SELECT row_number, column_header, value, rule, reason FROM meta.quarantine ORDER BY row_number, column_name"
    ).fetchall()
    assert cells == [(p.row_number, p.column_header, p.value, p.rule, p.reason) for p in check.problems]


def test_a_fixed_ledger_loads_whole_and_the_receipt_says_so(tmp_path):
    home = tmp_path / "home"
    data = ledger(tmp_path, [GOOD, FIXED])
    receipt = land_submission(home, "hazards", CLERK, "台账.xlsx", data, now=NOW)
    assert receipt.landed and receipt.check.rows_loaded == 2 and receipt.check.problems == []
    landed = home / "landing" / "hazards" / CLERK / "台账.xlsx"
    assert landed.read_bytes() == data
    assert receipt.received_at == NOW
    # the received time a run reads is the file's modification time, Asia/Shanghai
    from pipelines.lib.inventory import received_at

    assert received_at(landed.stat().st_mtime_ns, "Asia/Shanghai") == NOW
    text = receipt.text()
    assert "数据报送回执" in text and receipt.sha256 in text and "2023-04-10 09:30:00" in text
    assert "将入库 2 行，隔离 0 行" in text
    assert [p.name for p in landed.parent.iterdir()] == ["台账.xlsx"]  # no temporary left behind


def test_a_name_clash_gets_a_number_and_never_overwrites(tmp_path):
    home = tmp_path / "home"
    data = ledger(tmp_path, [GOOD])
    first = land_submission(home, "hazards", CLERK, "台账.xlsx", data, now=NOW)
    second = land_submission(home, "hazards", CLERK, "台账.xlsx", ledger(tmp_path, [GOOD, FIXED]), now=NOW)
    assert (first.filename, second.filename) == ("台账.xlsx", "台账(2).xlsx")
    folder = home / "landing" / "hazards" / CLERK
    assert (folder / "台账.xlsx").read_bytes() == data


def test_an_identical_file_is_a_duplicate_and_does_not_land_again(tmp_path):
    home = tmp_path / "home"
    data = ledger(tmp_path, [GOOD])
    assert land_submission(home, "hazards", CLERK, "a.xlsx", data, now=NOW).landed
    again = land_submission(home, "hazards", CLERK, "b.xlsx", data, now=NOW)
    assert not again.landed and again.check.status == "duplicate"
    assert again.check.duplicate_of == f"hazards/{CLERK}/a.xlsx"
    assert sorted(p.name for p in (home / "landing" / "hazards" / CLERK).iterdir()) == ["a.xlsx"]


def test_a_file_missing_columns_is_rejected_and_does_not_land(tmp_path):
    home = tmp_path / "home"
    path = write_csv(tmp_path / "x.csv", headers("hazards", drop=["level"]), [GOOD[:4] + GOOD[5:]])
    receipt = land_submission(home, "hazards", CLERK, "x.csv", path.read_bytes(), now=NOW)
    assert not receipt.landed and receipt.check.status == "would_reject"
    assert receipt.check.reject_code == "missing_columns" and "隐患等级" in receipt.check.reason
    assert not (home / "landing").exists()
    assert "数据报送未被接收" in receipt.text()


@pytest.mark.parametrize(
    "given, landed",
    [
        ("台账.xlsx", "台账.xlsx"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\Users\\clerk\\桌面\\第14周.xlsx", "第14周.xlsx"),
        (".hidden.xlsx", "hidden.xlsx"),
        ("~$台账.xlsx", "台账.xlsx"),
        ("_notes.csv", "notes.csv"),
        ("a<b>|c.csv", "a_b__c.csv"),
        ("...", "hazards报送"),
        (".xlsx", "hazards报送.xlsx"),
    ],
)
def test_safe_file_names(given, landed):
    assert safe_filename(given, "hazards") == landed


def test_a_path_in_the_name_lands_in_the_senders_folder_only(tmp_path):
    home = tmp_path / "home"
    receipt = land_submission(home, "hazards", CLERK, "../../YJJ/台账.xlsx", ledger(tmp_path, [GOOD]), now=NOW)
    assert receipt.path == f"hazards/{CLERK}/台账.xlsx"
    assert [p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()] == [
        f"landing/hazards/{CLERK}/台账.xlsx"
    ]


def test_write_atomically_leaves_no_partial_file_when_the_write_fails(tmp_path):
    folder = tmp_path / "f"
    with pytest.raises(TypeError):
        write_atomically(folder, "a.csv", object())  # type: ignore[arg-type]
    assert list(folder.iterdir()) == []  # the temporary is gone, nothing under the real name


def test_a_submission_stages_outside_the_landing_tree(tmp_path):
    """A temporary file in landing/ would be seen by a run's scan as a hidden name and
    recorded as a rejection: the temporary lives in the staging folder until the link."""
    folder, staging = tmp_path / "landing" / "hazards" / CLERK, tmp_path / ".incoming"
    with pytest.raises(TypeError):
        write_atomically(folder, "a.csv", object(), staging=staging)  # type: ignore[arg-type]
    assert list(folder.iterdir()) == [] and list(staging.iterdir()) == []
    assert write_atomically(folder, "a.csv", b"x", staging=staging) == "a.csv"
    assert [p.name for p in folder.iterdir()] == ["a.csv"] and list(staging.iterdir()) == []


def test_the_sender_and_feed_must_exist(tmp_path):
    data = ledger(tmp_path, [GOOD])
    with pytest.raises(SubmissionError, match="不在本县名录"):
        check_submission(tmp_path, "hazards", "430182999", "a.xlsx", data, now=NOW)
    with pytest.raises(SubmissionError, match="不存在"):
        check_submission(tmp_path, "weather", CLERK, "a.xlsx", data, now=NOW)


def test_the_feeds_a_sender_sends():
    assert sender_feeds(CLERK) == ["hazards", "drills"]
    assert sender_feeds("ZJJ") == ["hazards", "enterprises"]
    assert sender_feeds("LYJ") == ["forest_fires"]
    assert sender_feeds("nobody") == []


def test_references_come_from_the_published_copy(tmp_path):
    """A township's drill names a rescue team: checked against the published register."""
    home = tmp_path / "home"
    write_csv(
        tmp_path / "reg" / "rescue_teams" / "YJJ" / "t.csv",
        headers("rescue_teams"),
        [["T-01", "玉潭街道应急救援队", "综合", "玉潭", "20"]],
    )
    (home / "published").mkdir(parents=True)
    con, results = ingest_landing(tmp_path / "reg", home / "published" / "warehouse.duckdb")
    con.close()
    assert results["rescue_teams"].rows_loaded == 1
    drill = lambda team: write_csv(  # noqa: E731
        tmp_path / f"{team}.csv",
        headers("drills"),
        [["YL-1", "2023-04-05", team, "玉潭", "演练", "防汛", "30"]],
    ).read_bytes()
    assert check_submission(home, "drills", CLERK, "d.csv", drill("T-01"), now=NOW).rows_loaded == 1
    result = check_submission(home, "drills", CLERK, "d.csv", drill("T-99"), now=NOW)
    assert [(p.row_number, p.column, p.rule) for p in result.problems] == [(2, "team_id", "reference")]


# --- bad input: a clear Chinese answer, nothing lands, nothing crashes -----------------


def refused(tmp_path, filename: str, data: bytes, profile=None):
    home = tmp_path / "home"
    receipt = land_submission(home, "hazards", CLERK, filename, data, now=NOW, profile=profile)
    assert not receipt.landed and receipt.check.status == "would_reject"
    assert not (home / "landing").exists()
    return receipt.check.reason


def with_upload_limit(mb: float):
    import dataclasses

    from pipelines.lib.profile import load_profile

    profile = load_profile()
    return dataclasses.replace(profile, config={**profile.config, "submissions": {"max_upload_mb": mb}})


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    data = ledger(tmp_path, [GOOD])
    assert "超过报送上限" in refused(tmp_path, "a.xlsx", data, profile=with_upload_limit(len(data) / 2**20 * 0.9))
    small = with_upload_limit(len(data) / 2**20 * 1.1)
    assert land_submission(tmp_path / "home", "hazards", CLERK, "a.xlsx", data, now=NOW, profile=small).landed


def test_the_default_size_limit_is_20_mb():
    from pipelines.lib.profile import load_profile
    from pipelines.lib.submission import Limits

    assert Limits.of(load_profile()).max_bytes == 20 * 2**20


def test_a_file_that_is_no_workbook_or_text_is_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    reason = refused(tmp_path, "照片.png", png)
    assert "请报送 .xlsx 或 .csv" in reason or "另存为" in reason
    reason = refused(tmp_path, "台账.xlsx", png)
    assert "不是" in reason or "另存为" in reason


def test_an_empty_file_is_refused(tmp_path):
    assert "0 字节" in refused(tmp_path, "a.csv", b"")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in entries.items():
            book.writestr(name, content)
    return buffer.getvalue()


def test_a_macro_enabled_workbook_is_refused(tmp_path):
    good = zipfile.ZipFile(io.BytesIO(ledger(tmp_path, [GOOD])))
    entries = {i.filename: good.read(i.filename) for i in good.infolist()}
    with_macro = _zip({**entries, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512})
    assert "含有宏" in refused(tmp_path, "台账.xlsx", with_macro)
    assert "宏" in refused(tmp_path, "台账.xlsm", _zip(entries))
    ole_with_vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "_VBA_PROJECT".encode("utf-16-le") + b"\0" * 100
    assert "含有宏" in refused(tmp_path, "台账.xls", ole_with_vba)
    # the same workbook without the macro part loads
    assert land_submission(tmp_path / "home", "hazards", CLERK, "台账.xlsx", _zip(entries), now=NOW).landed


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path):
    good = zipfile.ZipFile(io.BytesIO(ledger(tmp_path, [GOOD])))
    entries = {i.filename: good.read(i.filename) for i in good.infolist()}
    bomb = _zip({**entries, "xl/media/padding.bin": b"\0" * (201 * 2**20)})  # ~200 KB compressed
    assert len(bomb) < 2**20
    assert "解压后" in refused(tmp_path, "台账.xlsx", bomb)


# --- the workbook back, failing cells marked -------------------------------------------


def test_the_marked_workbook_highlights_and_comments_each_failing_cell(tmp_path):
    import openpyxl

    from pipelines.lib.submission import MARK_FILL, marked_workbook

    data = ledger(tmp_path, [GOOD, BROKEN])
    result = check_submission(tmp_path / "home", "hazards", CLERK, "台账.xlsx", data, now=NOW)
    sheet = openpyxl.load_workbook(io.BytesIO(marked_workbook(result, data))).worksheets[0]
    marked = sorted(c.coordinate for row in sheet.iter_rows() for c in row if c.comment is not None)
    assert marked == ["E4", "J4"]  # 隐患等级 and 联系电话 of Excel row 4
    assert sheet["E4"].fill.start_color.rgb == MARK_FILL and "一般、重大" in sheet["E4"].comment.text
    assert sheet["E3"].fill.fill_type is None
    assert sheet["A1"].value == TITLE and sheet["E4"].value == "特别"  # the sender's own cells, unchanged


def test_a_csv_comes_back_as_a_workbook_with_no_formula(tmp_path):
    import openpyxl

    from pipelines.lib.submission import marked_workbook

    evil = [*BROKEN[:5], '=HYPERLINK("http://x")', *BROKEN[6:]]
    data = write_csv(tmp_path / "a.csv", headers("hazards"), [GOOD, evil], encoding="gb18030").read_bytes()
    result = check_submission(tmp_path / "home", "hazards", CLERK, "a.csv", data, now=NOW)
    assert [(p.row_number, p.column) for p in result.problems] == [(3, "level"), (3, "phone")]
    book = openpyxl.load_workbook(io.BytesIO(marked_workbook(result, data)))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "隐患编号" and sheet["E3"].comment is not None and sheet["J3"].comment is not None
    assert sheet["F3"].data_type == "s" and sheet["F3"].value.startswith("=")  # text, not a formula
