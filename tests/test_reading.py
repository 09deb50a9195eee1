"""Reading files as senders make them, and rejecting what cannot be read."""

from pathlib import Path

import pytest

from pipelines.lib.contracts import get_contract
from pipelines.lib.layout_detect import detect_layout, header_key
from pipelines.lib.reading import read_sheet
from pipelines.lib.rules import Rejection
from tests.ledgers import headers, write_csv, write_xlsx

ROW = ["SG-1", "2023-05-08 10:20", "玉潭", "建筑施工", "", "物体打击", "1", "0", "45", ""]


@pytest.mark.parametrize(
    "encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-bom"), ("gbk", "gb18030"), ("gb18030", "gb18030")]
)
def test_csv_encodings(tmp_path, encoding, detected):
    path = write_csv(
        tmp_path / "a.csv", headers("accidents"), [ROW], encoding=encoding, title="宁乡市2023年5月生产安全事故统计表"
    )
    sheet = read_sheet(path)
    assert sheet.encoding == detected
    assert sheet.rows[1][0] == "事故编号"
    assert sheet.rows[2][2] == "玉潭"


def test_title_blank_and_total_rows_are_skipped_with_excel_row_numbers(tmp_path):
    rows = [ROW, [None] * 10, ["SG-2", *ROW[1:]]]
    path = write_xlsx(
        tmp_path / "a.xlsx",
        headers("accidents"),
        rows,
        title="标题",
        total=["合计", None, None, None, None, None, 1, 0, 45],
    )
    layout = detect_layout(read_sheet(path).rows, get_contract("accidents"))
    assert layout.header_row == 2
    assert [n for n, _ in layout.data_rows] == [3, 5]
    assert layout.skipped == {"title": [1], "blank": [4], "total": [6], "footer": []}
    assert layout.rows_total == 5  # every row but the header


def test_xlsx_leading_blank_rows_keep_row_numbers(tmp_path):
    import openpyxl

    path = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for c, h in enumerate(headers("accidents"), start=1):
        sheet.cell(row=3, column=c, value=h)
    for c, v in enumerate(ROW, start=1):
        sheet.cell(row=4, column=c, value=v)
    book.save(path)
    layout = detect_layout(read_sheet(path).rows, get_contract("accidents"))
    assert layout.header_row == 3
    assert layout.data_rows[0][0] == 4


def test_header_variants_match():
    assert header_key("直接经济损失(万元)") == header_key("直接经济损失（万元）")
    assert header_key(" 隐患 编号* ") == header_key("隐患编号")
    assert header_key("Hazard_ID") == "hazard_id"


def test_canonical_english_headers_are_accepted(tmp_path):
    names = [c.name for c in get_contract("accidents").columns]
    path = write_csv(tmp_path / "a.csv", names, [ROW])
    layout = detect_layout(read_sheet(path).rows, get_contract("accidents"))
    assert sorted(layout.columns.values()) == sorted(names)


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("a.xlsx", b"this is not a zip", "not_a_table"),
        ("a.xls", b"\xd0\xcf\x11\xe0", "not_a_table"),
        ("a.pdf", b"%PDF-1.4", "not_a_table"),
        ("a.csv", "事故编号,发生时间\n".encode() + b"\xff\xfe\xff,\x80\n", "encoding"),
        ("a.csv", b"", "no_rows"),
    ],
)
def test_unreadable_files_are_rejected(tmp_path, name, content, code):
    from pipelines.lib.layout_detect import find_sheet
    from pipelines.lib.reading import read_book

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(Rejection) as caught:
        find_sheet(read_book(path), get_contract("accidents"))
    assert caught.value.code == code


def test_missing_required_column_names_it(tmp_path):
    path = write_csv(tmp_path / "a.csv", headers("accidents", drop=["deaths"]), [ROW[:6] + ROW[7:]])
    with pytest.raises(Rejection) as caught:
        detect_layout(read_sheet(path).rows, get_contract("accidents"))
    assert caught.value.code == "missing_columns"
    assert "死亡人数" in caught.value.reason


def test_a_misplaced_file_is_named(tmp_path):
    path = write_csv(tmp_path / "a.csv", headers("hazards"), [["H1"] * 12])
    with pytest.raises(Rejection) as caught:
        detect_layout(read_sheet(path).rows, get_contract("accidents"))
    assert "隐患排查治理台账" in caught.value.reason


def test_header_only_file_has_no_rows(tmp_path):
    path = write_csv(tmp_path / "a.csv", headers("accidents"), [], title="标题", total=["合计"])
    with pytest.raises(Rejection) as caught:
        detect_layout(read_sheet(path).rows, get_contract("accidents"))
    assert caught.value.code == "no_rows"


def test_the_fast_reader_and_openpyxl_agree(tmp_path):
    """calamine does the work; openpyxl is the reference for row numbers and cell text."""
    import datetime as dt

    from pipelines.lib.reading import _read_xlsx_fast, _read_xlsx_openpyxl

    def trimmed(rows):
        out = [list(r) for r in rows]
        for r in out:
            while r and r[-1] is None:
                r.pop()
        while out and not out[-1]:
            out.pop()
        return out

    rows = [
        ["SG-1", dt.datetime(2023, 5, 8, 10, 20), "玉潭", "建筑施工", None, "物体打击", 1, 0, 0.3, None],
        [None] * 10,
        ["SG-2", dt.date(2023, 5, 9), "430124105", "建筑施工", None, "物体打击", "０", 2, "1,050", "备注"],
    ]
    path = write_xlsx(
        tmp_path / "a.xlsx", headers("accidents"), rows, title="标题", blank_after_header=True, total=["合计"]
    )
    data = path.read_bytes()
    assert trimmed(_read_xlsx_fast(data)) == trimmed(_read_xlsx_openpyxl(data).rows)
    from pipelines.paths import REPO_ROOT

    example = REPO_ROOT.parent / "shared" / "domain" / "examples" / "hazards-430182102-2023W20.xlsx"  # beside the clone
    if example.exists():
        data = example.read_bytes()
        assert trimmed(_read_xlsx_fast(data)) == trimmed(_read_xlsx_openpyxl(data).rows)


@pytest.mark.parametrize("late_value", [False, True])
def test_a_formatting_only_tail_is_cut_and_a_late_value_is_kept(monkeypatch, late_value):
    """The sheet handed to calamine loses rows holding only formatting past the last value
    (threshold lowered here so the file stays small); a value after them keeps them all."""
    import io
    import zipfile

    from pipelines.lib import reading, xlsx_scan
    from tests.test_real_ledgers import rewrite_sheet, small_hazards_xlsx

    monkeypatch.setattr(xlsx_scan, "FORMATTING_TAIL_BYTES", 1000)

    def change(xml: bytes) -> bytes:
        rows = "".join(f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(5, 300))
        if late_value:
            rows += '<row r="300"><c r="A300" t="inlineStr"><is><t>F-9</t></is></c></row>'
        return xml.replace(
            b"</sheetData>", rows.encode() + b'</sheetData><mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>'
        )

    data = rewrite_sheet(small_hazards_xlsx(), "xl/worksheets/sheet1.xml", change)
    facts = xlsx_scan.scan_sheet(zipfile.ZipFile(io.BytesIO(data)), "xl/worksheets/sheet1.xml", data)
    assert facts.merges == [(1, 2, 2, 2)]
    assert (facts.compact_xml is None) == late_value
    sheet = reading.read_book(Path("a.xlsx"), data).sheet(0)
    assert sheet.frame.height == (300 if late_value else 4)
    assert sheet.rows()[1][:3] == ["F-0", "2023-04-03", "玉潭"]
    assert sheet.rows()[2][2] == "玉潭"  # C3 filled from the merge C2:C3


def test_a_two_row_header_without_merges_and_a_footer_in_a_gbk_csv(tmp_path):
    """A CSV keeps no merges: the ungrouped columns' names sit in the upper row only, the
    grouped ones in the lower row; both rows are the header (not counted)."""
    from pipelines.lib.layout_detect import classify_rows, find_sheet
    from pipelines.lib.reading import read_book

    lines = [
        "宁乡市事故统计表,,,,,,,,,",
        "事故编号,发生时间,所属乡镇,行业类别,统一社会信用代码,事故类别,伤亡情况,,直接经济损失(万元),事故简况",
        ",,,,,,死亡人数,重伤人数,,",
        ",".join(ROW),
        ",,,,,,,,,",
        "填表人：王五,,,联系电话：13900001111,,,,,,",
    ]
    path = tmp_path / "a.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    contract = get_contract("accidents")
    sheet, header = find_sheet(read_book(path), contract)
    assert (header.top_row, header.header_row) == (2, 3)
    rows = classify_rows([sheet.frame], [header], [1], contract)
    assert rows.select("_row_number", "_kind").rows() == [(1, "title"), (4, "data"), (5, "blank"), (6, "footer")]
    assert rows.filter(rows["_kind"] == "data").select("accident_id", "deaths", "serious_injuries").rows() == [
        ("SG-1", "1", "0")
    ]
