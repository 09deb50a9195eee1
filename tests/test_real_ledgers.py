"""Ledgers as clerks really keep them (feeds.md): real .xlsx / .xls / UTF-16 files, built
here with merged cells, two-row headers, instruction sheets, footers and placeholders,
ingested through the pipeline's one reading path into a real DuckDB file.

Each rule has a failing and a passing input; the expected figures are counted by hand
in the comments beside each file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from pipelines.lib.dbt_manifest import dbt_executable
from pipelines.paths import DBT_PROJECT_DIR
from tests.conftest import ingest_landing
from warehouse.layout import connect

YUTAN = "430182001"
NOW = dt.datetime(2026, 11, 29, 12, 0)


def uscc(prefix: str) -> str:
    from stdnum.cn import uscc as std

    return prefix + std.calc_check_digit(prefix)


CODE_A, CODE_B = uscc("91430124MA4L0000A"[:17]), uscc("91430182MA4L1234B"[:17])


# ------------------------------------------------------------------ the files


def two_row_hazards(path: Path) -> None:
    """填表说明 first; the ledger: a merged title, a 填报单位 line, a two-row header with group
    cells and headers merged down, a township merged over two rows, placeholders, synonyms,
    units, dotted / single-digit / year-less dates, 序号-only rows, a signature block.

    rows: 1-2 title | 3-4 header | 5-9 data | 10-11 blank (序号 only, and the 挂牌督办 merge of
    row 9 running over them) | 12-14 footer | 15 blank (a note line merged from 序号 across)
    data: 5 YH-1 ok, 6 YH-2 ok, 7 YH-3 ok (township from the merge), 8 YH-4 (4月3日: format;
    5000元 in 万元: format), 9 YH-5 (特大: enum). total 13 = 3 loaded + 2 quarantined + 8 skipped.
    """
    import openpyxl
    from openpyxl.styles import Border, Side

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes["A1"] = "1. 隐患编号按“YH-序号”填写；2. 每周一12:00前报送。"
    # the instructions repeat the header over an example row: still not the ledger
    notes.append([])
    notes.append(["隐患编号", "排查日期", "所属乡镇", "隐患等级", "隐患描述", "整改期限", "挂牌督办"])
    notes.append(["YH-示例", "2023-04-03", "玉潭", "一般", "示例", "2023-05-01", "否"])
    sheet = book.create_sheet("隐患台账")
    sheet["A1"] = "宁乡市玉潭街道2023年第14周隐患排查治理台账"
    sheet.merge_cells("A1:L1")
    sheet["A2"] = "填报单位：玉潭街道（盖章）    填报日期：2023-04-10"
    top = [
        "序号",
        "*隐患编号",
        "基本信息",
        None,
        None,
        "隐患等级",
        "隐 患 描 述",
        "整改情况",
        None,
        "※挂牌督办",
        "整改资金（万元）",
        "备注",
    ]
    low = [
        None,
        None,
        "排查日期",
        "所属乡镇",
        "统一社会信用代码",
        None,
        None,
        "整改\n期限",
        "整改完成日期",
        None,
        None,
        None,
    ]
    for c, (a, b) in enumerate(zip(top, low), start=1):
        sheet.cell(3, c, a)
        sheet.cell(4, c, b)
    for col in "ABFGJKL":
        sheet.merge_cells(f"{col}3:{col}4")
    sheet.merge_cells("C3:E3")
    sheet.merge_cells("H3:I3")
    data = [
        [
            1,
            "YH-1",
            "2023.4.3",
            "宁乡市玉潭街道",
            None,
            "一般隐患",
            "楼道堆放杂物",
            "2023-4-30",
            "/",
            "√",
            "0.5万元",
            None,
        ],
        [
            2,
            "YH-2",
            dt.datetime(2023, 4, 4),
            "湖南省长沙市宁乡市玉潭街道办事处",
            "\u3000",
            "重大隐患",
            " 消防通道堵塞\n",
            dt.datetime(2023, 5, 1),
            "2023-04-20",
            "×",
            "无",
            "已复查",
        ],
        [3, "YH-3", "2023-04-05", "玉潭街道", None, "一般", "配电箱未上锁", "2023-05-01", None, "Y", None, None],
        [4, "YH-4", "4月3日", None, None, "一般", "灭火器过期", "2023-05-01", "—", "N", "5000元", None],
        [5, "YH-5", "2023-04-06", "玉潭", None, "特大", "电线私拉", "2023-05-01", "——", "是", "", None],
        [6],
        [7],
        [None, "填表人：张三", None, None, None, None, "联系电话：13812345678"],  # in the feed's own columns
        ["审核人：李四"],
        ["注：1. 本表每周一报送。"],
        ["2. 整改期限以督办通知为准。"],
    ]
    for r, row in enumerate(data, start=5):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    sheet.merge_cells("D7:D8")  # 玉潭街道 for YH-3 and YH-4
    sheet.merge_cells("J9:J11")  # 是 merged on down over the 序号-only template rows 10-11: still blank
    # a signature line merged across the whole width, as they often are
    sheet.merge_cells("A13:L13")
    sheet.merge_cells("A15:L15")  # the note's second line, merged across
    thin = Side(style="thin")
    for r in range(16, 40):  # borders below the data: formatting only
        for c in range(1, 13):
            sheet.cell(r, c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    book.save(path)


def unicode_text_inspections(path: Path) -> None:
    """Excel's "Unicode text": UTF-16 with BOM, tab-separated. 处理措施 has 无 as a value.
    rows: 2 J-1 ok (无 kept) | 3 J-2 (/ in required 处理措施: required) | 4 J-3 ok (0.5万元)
    | 5 J-4 (5000元 in 万元: format). total 4 = 2 + 2 + 0."""
    header = ["检查编号", "检查日期", "所属乡镇", "统一社会信用代码", "发现隐患数", "处理措施", "罚款金额(万元)"]
    rows = [
        ["J-1", "2023-04-03", "玉潭镇人民政府", CODE_A, "0", "无", ""],
        ["J-2", "2023-04-03", "玉潭街道", CODE_A, "1", "/", ""],
        ["J-3", "2023-4-4", "宁乡县玉潭街道", CODE_B, "2", "罚款", "0.5万元"],
        ["J-4", "2023-04-05", "玉潭", CODE_B, "1", "罚款", "5000元"],
    ]
    text = "\r\n".join("\t".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode("utf-16"))  # BOM + UTF-16LE, as Excel writes it


def biff8_enterprises(path: Path) -> None:
    """An Excel 97-2003 workbook (BIFF8, written by xlwt) saved under WPS's .et name: a merged
    title, a township merged over two rows, colour / risk-word synonyms, Yes/No, real dates.
    rows: 1 title | 2 header | 3 E-1 ok | 4 E-2 ok | 5 E-3 (超高: enum). total 4 = 2 + 1 + 1."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("企业名录")
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    sheet.write_merge(0, 0, 0, 7, "宁乡市企业名录（2023年4月）")
    header = [
        "统一社会信用代码",
        "企业名称",
        "所属乡镇",
        "行业类别",
        "风险等级",
        "是否高危企业",
        "双重预防机制",
        "更新日期",
    ]
    for c, h in enumerate(header):
        sheet.write(1, c, h)
    rows = [
        [CODE_A, "甲公司", None, "建筑施工", "较大风险", "Yes", "已建立", dt.datetime(2023, 4, 3)],
        [CODE_B, "乙公司", None, "燃气", "红色", "No", "未建立", dt.datetime(2023, 4, 4)],
        [uscc("91430182MA4L5678C"[:17]), "丙公司", "玉潭", "燃气", "超高", "否", "已建立", dt.datetime(2023, 4, 5)],
    ]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, dates)
            else:
                sheet.write(r, c, value)
    sheet.write_merge(2, 3, 2, 2, "宁乡市玉潭街道")
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def rewrite_sheet(source: bytes, member: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


def small_hazards_xlsx(rows: int = 3) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, ["隐患编号", "排查日期", "所属乡镇", "隐患等级", "隐患描述", "整改期限", "挂牌督办"])
    for i in range(rows):
        sheet.write_row(i + 1, 0, [f"F-{i}", "2023-04-03", "玉潭", "一般", "描述", "2023-05-01", "否"])
    book.close()
    return buffer.getvalue()


def formatting_to_the_last_row(data: bytes) -> bytes:
    """Borders on two columns down to row 1,048,576, as a clerk's drag-select leaves them."""

    def change(xml: bytes) -> bytes:
        rows = "".join(f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(5, 1_048_577))
        xml = xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
        return xml.replace(b'<dimension ref="A1:G4"/>', b'<dimension ref="A1:G1048576"/>')

    return rewrite_sheet(data, "xl/worksheets/sheet1.xml", change)


def password_protected(xls: bytes) -> bytes:
    """A real OLE2 compound file whose stream is named EncryptedPackage, as Excel stores a
    workbook with an opening password (the stream's content is not encrypted here: the
    warehouse refuses such a file by its structure, before reading any content)."""
    name = "Workbook\x00".encode("utf-16-le")
    at = xls.index(name)
    entry = "EncryptedPackage\x00".encode("utf-16-le")
    patched = bytearray(xls)
    patched[at : at + 64] = entry.ljust(64, b"\x00")
    patched[at + 64 : at + 66] = len(entry).to_bytes(2, "little")
    return bytes(patched)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    home = tmp_path_factory.mktemp("real-ledgers")
    landing = home / "landing"
    place = lambda feed, sender, name: (  # noqa: E731
        (landing / feed / sender).mkdir(parents=True, exist_ok=True) or landing / feed / sender / name
    )
    two_row_hazards(place("hazards", YUTAN, "第14周台账.xlsx"))
    unicode_text_inspections(place("inspections", "ZFDD", "检查台账.txt"))
    biff8_enterprises(place("enterprises", "YJJ", "企业名录.et"))
    place("hazards", YUTAN, "格式到底.xlsx").write_bytes(formatting_to_the_last_row(small_hazards_xlsx()))
    place("hazards", YUTAN, "错扩展名.csv").write_bytes(small_hazards_xlsx(2))  # a workbook named .csv
    # rejections
    buf = io.BytesIO(small_hazards_xlsx())
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    place("hazards", YUTAN, "宏.xlsm").write_bytes(buf.getvalue())
    biff8_enterprises(home / "tmp.xls")
    place("enterprises", "YJJ", "加密.xlsx").write_bytes(password_protected((home / "tmp.xls").read_bytes()))
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small_hazards_xlsx())) as src,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.bin", b"\x00" * (64 * 2**20))  # 64 MB of zeros in ~64 KB
    place("hazards", YUTAN, "炸弹.xlsx").write_bytes(bomb.getvalue())
    huge = rewrite_sheet(
        small_hazards_xlsx(),
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b'<dimension ref="A1:G4"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    place("hazards", YUTAN, "范围过大.xlsx").write_bytes(huge)
    place("hazards", YUTAN, "扫描件.xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    place("hazards", YUTAN, "网页导出.xls").write_bytes(
        "<html><body><table><tr><td>隐患编号</td></tr></table></body></html>".encode()
    )
    other = __import__("openpyxl").Workbook()
    other.active.title = "填表说明"
    other.active["A1"] = "说明"
    other.create_sheet("统计")["B2"] = "本周无隐患"
    other.save(place("hazards", YUTAN, "无表头.xlsx"))
    partial = __import__("openpyxl").Workbook()
    partial.active.title = "填表说明"
    partial.create_sheet("台账").append(["隐患编号", "排查日期", "所属乡镇", "隐患等级", "隐患描述", "整改期限"])
    partial["台账"].append(["P-1", "2023-04-03", "玉潭", "一般", "描述", "2023-05-01"])
    partial.save(place("hazards", YUTAN, "缺列.xlsx"))
    # header on row 2 of 台账, below it rows 3-5 holding only their 序号 and a signature line on 6: no record
    unfilled = __import__("openpyxl").Workbook()
    unfilled.active.title = "填表说明"
    unfilled.active["A1"] = "每周一报送"
    ledger = unfilled.create_sheet("台账")
    ledger.append(["玉潭街道隐患排查治理台账"])
    ledger.append(["序号", "隐患编号", "排查日期", "所属乡镇", "隐患等级", "隐患描述", "整改期限", "挂牌督办"])
    for n in (1, 2, 3):
        ledger.append([n])
    ledger.append(["填表人：王五", None, None, "联系电话：13900001111"])
    unfilled.save(place("hazards", YUTAN, "未填写.xlsx"))

    con, results = ingest_landing(landing, home / "warehouse.duckdb")
    yield {"home": home, "con": con, "results": results}
    con.close()


def files(con) -> dict[str, tuple]:
    rows = con.execute("""SELECT path, status, reject_code, reason, file_format, header_row, rows_total, rows_loaded,
                              rows_quarantined, rows_skipped FROM meta.files""").fetchall()
    return {r[0].split("/")[-1]: r[1:] for r in rows}


def quarantined(con, name: str) -> set[tuple]:
    return set(
        con.execute(
            "SELECT row_number, column_name, rule FROM meta.quarantine WHERE path LIKE ?", [f"%/{name}"]
        ).fetchall()
    )


# ------------------------------------------------------------------ counts and cells


def test_a_two_row_header_ledger_after_an_instruction_sheet_reads_with_hand_counted_rows(landed):
    f = files(landed["con"])["第14周台账.xlsx"]
    # status, code, reason, format, header row (the lower one), total, loaded, quarantined, skipped
    assert f[0:2] == ("loaded", None) and f[3:] == ("xlsx", 4, 13, 3, 2, 8)
    kinds = dict(
        landed["con"]
        .execute("""SELECT kind, list(row_number ORDER BY row_number) FROM meta.skipped_rows
        JOIN meta.files USING (file_id) WHERE path LIKE '%第14周台账.xlsx' GROUP BY kind""")
        .fetchall()
    )
    # row 15, the note's second line merged across from the 序号 column, holds no value of its
    # own in the feed's columns: blank, like the 序号-only rows. Rows 16-39: formatting only.
    assert kinds == {"title": [1, 2], "blank": [10, 11, 15], "footer": [12, 13, 14]}
    assert quarantined(landed["con"], "第14周台账.xlsx") == {
        (8, "found_on", "format"),
        (8, "funds_10k_cny", "format"),
        (9, "level", "enum"),
    }


def test_values_are_read_as_the_rules_say(landed):
    got = {
        r[0]: r[1:]
        for r in landed["con"]
        .execute(
            """SELECT hazard_id, found_on, township, level, description, deadline, rectified_on, is_supervised,
                  funds_10k_cny, credit_code FROM raw.hazards WHERE _source_path LIKE '%第14周台账.xlsx'"""
        )
        .fetchall()
    }
    assert got == {
        # dotted date, county prefix, 一般隐患, / = open, √ = 是, 0.5万元 = 0.5
        "YH-1": (dt.date(2023, 4, 3), YUTAN, "一般", "楼道堆放杂物", dt.date(2023, 4, 30), None, "是", 0.5, None),
        # real Excel dates, province+city+county prefix and 办事处, full-width space = blank, 无 = null not 0
        "YH-2": (
            dt.date(2023, 4, 4),
            YUTAN,
            "重大",
            "消防通道堵塞",
            dt.date(2023, 5, 1),
            dt.date(2023, 4, 20),
            "否",
            None,
            None,
        ),
        # township from the cell merged over rows 7-8, Y = 是
        "YH-3": (dt.date(2023, 4, 5), YUTAN, "一般", "配电箱未上锁", dt.date(2023, 5, 1), None, "是", None, None),
    }


def test_reasons_show_the_full_date_and_the_expected_unit(landed):
    reasons = dict(
        landed["con"]
        .execute(
            "SELECT column_name, reason FROM meta.quarantine WHERE path LIKE '%第14周台账.xlsx' AND row_number = 8"
        )
        .fetchall()
    )
    assert "2023年4月3日" in reasons["found_on"] and "完整日期" in reasons["found_on"]
    assert "万元" in reasons["funds_10k_cny"]


def test_footer_text_reaches_no_table_no_quarantine_entry_and_no_alert(landed):
    from pipelines.lib.alerts.outbox import process_alerts
    from pipelines.lib.profile import load_profile
    from pipelines.lib.reference import write_reference_tables
    from warehouse.home import Home

    con, home = landed["con"], landed["home"]
    write_reference_tables(con, load_profile())
    # the alerts' row problems are a dbt mart (data_quality_row_problems): build it
    con.close()
    built = subprocess.run(
        [
            dbt_executable(),
            "run",
            "--select",
            "+data_quality_row_problems",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(home / "dbt-target"),
            "--log-path",
            str(home / "dbt-logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "SAFETYWH_DUCKDB": str(home / "warehouse.duckdb")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:]
    con = landed["con"] = connect(home / "warehouse.duckdb")
    process_alerts(con, Home.resolve(home), load_profile(), "test-alerts", NOW)
    assert con.execute("SELECT count(*) FROM meta.alerts WHERE sender_code = ?", [YUTAN]).fetchone()[0] >= 1
    secrets = ("张三", "13812345678", "李四")
    for schema, table in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('meta', 'raw', 'marts')"
    ).fetchall():
        text = con.execute(f"SELECT string_agg(CAST(COLUMNS(*) AS VARCHAR), '|') FROM {schema}.\"{table}\"").fetchone()
        for secret in secrets:
            assert all(secret not in (cell or "") for cell in text), f"{secret} found in {schema}.{table}"
    outbox = list((home / "outbox").rglob("*"))
    assert any(p.is_file() for p in outbox)

    def unzipped(blob: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())

    texts = []
    for path in (p for p in outbox if p.is_file()):
        if path.suffix == ".xlsx":  # the attachment: every part of it
            texts.append(unzipped(path.read_bytes()))
        elif path.suffix == ".eml":  # decoded: bodies and the attachment inside the message
            import email
            from email import policy

            for part in email.message_from_bytes(path.read_bytes(), policy=policy.default).walk():
                payload = part.get_payload(decode=True)
                if payload:
                    texts.append(unzipped(payload) if payload[:2] == b"PK" else payload.decode("utf-8", "replace"))
        else:
            texts.append(path.read_text("utf-8"))
    assert any("隐患等级" in t for t in texts)  # the alert names the quarantined cells of this ledger
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_unicode_text_placeholders_and_units(landed):
    f = files(landed["con"])["检查台账.txt"]
    assert f[0] == "loaded" and f[3:] == ("csv", 1, 4, 2, 2, 0)
    assert quarantined(landed["con"], "检查台账.txt") == {(3, "action", "required"), (5, "fine_10k_cny", "format")}
    got = dict(
        (r[0], r[1:])
        for r in landed["con"]
        .execute("SELECT inspection_id, action, fine_10k_cny, township, inspected_on FROM raw.inspections")
        .fetchall()
    )
    # 无 is a value of 处理措施; 宁乡县 is the county's former name; 2023-4-4 single digits
    assert got == {"J-1": ("无", None, YUTAN, dt.date(2023, 4, 3)), "J-3": ("罚款", 0.5, YUTAN, dt.date(2023, 4, 4))}


def test_an_excel_97_workbook_under_a_wps_name_reads_with_its_merges(landed):
    f = files(landed["con"])["企业名录.et"]
    assert f[0] == "loaded" and f[3:] == ("xls", 2, 4, 2, 1, 1)
    assert quarantined(landed["con"], "企业名录.et") == {(5, "risk_level", "enum")}
    got = dict(
        (r[0], r[1:])
        for r in landed["con"]
        .execute("SELECT name, township, risk_level, is_high_risk, updated_on FROM raw.enterprises")
        .fetchall()
    )
    assert got == {
        "甲公司": (YUTAN, "橙", "是", dt.date(2023, 4, 3)),
        "乙公司": (YUTAN, "红", "否", dt.date(2023, 4, 4)),
    }


def test_formatting_down_to_row_1048576_counts_no_phantom_rows(landed):
    assert files(landed["con"])["格式到底.xlsx"][3:] == ("xlsx", 1, 3, 3, 0, 0)
    assert (
        landed["con"]
        .execute(
            "SELECT count(*) FROM meta.skipped_rows JOIN meta.files USING (file_id) WHERE path LIKE '%格式到底.xlsx'"
        )
        .fetchone()[0]
        == 0
    )


def test_a_workbook_misnamed_csv_is_read_by_its_content(landed):
    assert files(landed["con"])["错扩展名.csv"][:1] + files(landed["con"])["错扩展名.csv"][3:] == (
        "loaded",
        "xlsx",
        1,
        2,
        2,
        0,
        0,
    )


# ------------------------------------------------------------------ rejections


@pytest.mark.parametrize(
    "name, code, words",
    [
        ("宏.xlsm", "macro", ["宏", ".xlsx"]),
        ("加密.xlsx", "password", ["请取消工作簿密码后重新报送"]),
        ("炸弹.xlsx", "too_large", ["压缩比", "倍"]),
        ("范围过大.xlsx", "too_large", ["单元格", "「台账」"]),
        ("扫描件.xlsx", "not_a_table", ["PDF", "另存为 .xlsx"]),
        ("网页导出.xls", "not_a_table", ["网页", "另存为 .xlsx"]),
        ("缺列.xlsx", "missing_columns", ["工作表「台账」", "挂牌督办", "第 1 行", "「填表说明」「台账」"]),
        ("无表头.xlsx", "missing_columns", ["「填表说明」「统计」", "前 20 行", "隐患编号"]),
        (
            "未填写.xlsx",
            "no_rows",
            ["工作表「台账」第 2 行为表头", "其下第 3-6 行中没有", "（空白 3 行、签名或备注 1 行）", "表头下方"],
        ),
    ],
)
def test_what_cannot_be_read_is_rejected_whole_saying_what_to_do(landed, name, code, words):
    f = files(landed["con"])[name]
    assert (f[0], f[1]) == ("rejected", code)
    assert all(w in f[2] for w in words), f[2]
    assert "王五" not in f[2] and "13900001111" not in f[2]  # a footer is counted, never quoted
    assert f[5:] == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "top, header, last, kinds, words",
    [
        (3, 4, 4, {}, ["文件第 3-4 行为表头，其下没有任何行"]),  # a two-row header and nothing below it
        (1, 1, 2, {"total": 1}, ["文件第 1 行为表头，其下第 2 行中没有", "（合计 1 行）"]),
    ],
)
def test_a_no_rows_reason_names_the_header_and_the_rows_searched(top, header, last, kinds, words):
    from pipelines.lib.layout_detect import SheetHeader, no_data_rows

    rejection = no_data_rows(SheetHeader(header, {0: "hazard_id"}, top_row=top), last, kinds)
    assert rejection.code == "no_rows" and all(w in rejection.reason for w in words), rejection.reason


def test_a_home_made_before_footer_rows_accepts_them(tmp_path):
    """An existing warehouse file keeps its old CHECK on meta.skipped_rows.kind; connecting
    widens it and keeps the rows it held (a new home gets the new table from meta.sql)."""
    import duckdb

    from warehouse.layout import connect

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute("""CREATE SCHEMA meta; CREATE TABLE meta.skipped_rows (file_id BIGINT NOT NULL, row_number INTEGER NOT NULL,
                   kind VARCHAR NOT NULL CHECK (kind IN ('title', 'blank', 'total'))); INSERT INTO meta.skipped_rows VALUES (1, 1, 'title')""")
    with pytest.raises(duckdb.ConstraintException):
        old.execute("INSERT INTO meta.skipped_rows VALUES (1, 9, 'footer')")
    old.close()
    con = connect(path)
    con.execute("INSERT INTO meta.skipped_rows VALUES (1, 9, 'footer')")
    assert con.execute("SELECT kind FROM meta.skipped_rows ORDER BY row_number").fetchall() == [("title",), ("footer",)]
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO meta.skipped_rows VALUES (1, 10, 'other')")
    con.close()


@pytest.mark.parametrize(
    "cell, code",
    [
        ("宁乡市玉潭街道", YUTAN),
        ("宁乡县玉潭街道", YUTAN),
        ("湖南省长沙市宁乡市玉潭街道办事处", YUTAN),
        ("长沙市宁乡市玉潭", YUTAN),
        ("玉潭街道办事处", YUTAN),
        ("玉潭镇人民政府", YUTAN),
        ("玉潭政府", YUTAN),
        ("长沙县玉潭街道", None),
        ("宁乡市", None),
        ("玉潭街道居委会", None),
        ("湖南省玉潭", None),
    ],
)
def test_township_cells_with_county_and_government(cell, code):
    import polars as pl

    from pipelines.lib.contracts import get_contract
    from pipelines.lib.parsing import parse_rows
    from pipelines.lib.profile import load_profile

    contract = get_contract("rescue_teams")
    frame = pl.DataFrame(
        {n: [cell if n == "township" else None] for n in contract.names}, schema={n: pl.String for n in contract.names}
    )
    assert parse_rows(frame, contract, load_profile().township_lookup())["township"].to_list() == [code]


@pytest.mark.parametrize(
    "limits, rejected",
    [({}, False), ({"max_uncompressed_mb": 0.001}, True), ({"max_cells": 27}, True), ({"max_cells": 28}, False)],
)
def test_workbook_limits_come_from_the_profile(limits, rejected):
    from pipelines.lib.reading import WorkbookLimits, read_book
    from pipelines.lib.rules import Rejection

    data = small_hazards_xlsx()  # dimension A1:G4 = 28 cells
    try:
        book = read_book(Path("a.xlsx"), data, WorkbookLimits.from_config(limits))
        book.sheet(0)
    except Rejection as rejection:
        assert rejected and rejection.code == "too_large", rejection.reason
        return
    assert not rejected


@pytest.mark.parametrize(
    "first_cell, kind",
    [
        ("填表人：王五", "footer"),
        ("负责人（签字）：", "footer"),
        ("联系电话: 0731-1234567", "footer"),
        ("以下空白", "footer"),
        ("注：本表每周报送", "footer"),
        ("说明书缺失", "data"),
        ("注册资本未填", "data"),
        ("填表人", "data"),
    ],
)
def test_footer_markers_need_their_colon(first_cell, kind):
    import polars as pl

    from pipelines.lib.contracts import get_contract
    from pipelines.lib.layout_detect import SheetHeader, classify_rows
    from pipelines.lib.reading import rows_to_frame

    contract = get_contract("hazards")
    frame = rows_to_frame([["隐患编号", "隐患描述"], [first_cell, "描述"]])
    got = classify_rows([frame], [SheetHeader(1, {0: "hazard_id", 1: "description"})], [1], contract)
    assert got["_kind"].to_list() == [kind]
    assert isinstance(got, pl.DataFrame)


@pytest.mark.parametrize(
    "feed, column, cell, value",
    [
        ("hazards", "level", "重大事故隐患", "重大"),
        ("hazards", "level", "一般隐患", "一般"),
        ("hazards", "level", "特大", "特大"),
        ("hazards", "is_supervised", "✓", "是"),
        ("hazards", "is_supervised", "ＹＥＳ", "是"),
        ("hazards", "is_supervised", "✗", "否"),
        ("hazards", "is_supervised", "no", "否"),
        ("hazards", "is_supervised", "是的", "是的"),
        ("enterprises", "risk_level", "低风险", "蓝"),
        ("enterprises", "risk_level", "橙色", "橙"),
        ("enterprises", "risk_level", "紫色", "紫色"),
        ("flood_transfers", "warning_level", "黄色预警", "黄"),
        ("flood_transfers", "warning_level", "一般", "一般"),
        ("inspections", "action", "无", "无"),
        ("inspections", "action", "/", None),
    ],
)
def test_synonyms_load_as_the_value_and_anything_else_stays_as_sent(feed, column, cell, value):
    """What stays as sent (特大, 是的, 紫色; 一般 is a risk word, not a warning level) fails the enum check."""
    import polars as pl

    from pipelines.lib.contracts import get_contract
    from pipelines.lib.parsing import parse_rows
    from pipelines.lib.profile import load_profile

    contract = get_contract(feed)
    frame = pl.DataFrame(
        {n: [cell if n == column else None] for n in contract.names}, schema={n: pl.String for n in contract.names}
    )
    parsed = parse_rows(frame, contract, load_profile().township_lookup())
    assert parsed[column].to_list() == [value]


@pytest.mark.parametrize("damage", ["truncated sheet", "garbage sheet", "half a file", "bad deflate"])
def test_a_damaged_workbook_is_a_rejection_not_a_crash(damage):
    from pipelines.lib.contracts import get_contract
    from pipelines.lib.layout_detect import find_sheet
    from pipelines.lib.reading import read_book
    from pipelines.lib.rules import Rejection

    data = small_hazards_xlsx()
    if damage == "truncated sheet":
        data = rewrite_sheet(data, "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2])
    elif damage == "garbage sheet":
        data = rewrite_sheet(data, "xl/worksheets/sheet1.xml", lambda x: b"\x00\xff garbage")
    elif damage == "half a file":
        data = data[: len(data) // 2]
    else:  # the sheet's compressed bytes overwritten, its directory entry intact
        info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        data = data[:start] + b"\xff" * info.compress_size + data[start + info.compress_size :]
    with pytest.raises(Rejection) as caught:
        find_sheet(read_book(Path("a.xlsx"), data), get_contract("hazards"))
    assert caught.value.code == "not_a_table" and "另存为 .xlsx" in caught.value.reason


def test_a_forged_uncompressed_size_is_caught_while_inflating():
    """The zip directory may understate a part's size; the streamed pass counts what it
    inflates and stops at the profile's limit (here 1 MB) without holding it."""
    import struct

    from pipelines.lib.reading import WorkbookLimits, read_book
    from pipelines.lib.rules import Rejection

    def change(xml: bytes) -> bytes:
        rows = "".join(f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(5, 60_000))
        return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    data = bytearray(rewrite_sheet(small_hazards_xlsx(), "xl/worksheets/sheet1.xml", change))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = struct.pack("<I", 1000)
            at = data.find(signature, at + 4)
    limits = WorkbookLimits(max_uncompressed_mb=1)
    with pytest.raises(Rejection) as caught:
        read_book(Path("a.xlsx"), bytes(data), limits).sheet(0)
    assert caught.value.code == "too_large"
    assert read_book(Path("a.xlsx"), small_hazards_xlsx(), limits).sheet(0).frame.height == 4
