"""Reading files as senders make them, and rejecting what cannot be read."""

from pathlib import Path

import pytest

from pipelines.lib.contracts import get_contract
from pipelines.lib.layout_detect import detect_layout, header_key
from pipelines.lib.reading import read_sheet
from pipelines.lib.rules import Rejection
from tests.ledgers import headers, write_csv, write_xlsx

ROW = ["SG-1", "2023-05-08 10:20", "玉潭", "建筑施工", "", "物体打击", "1", "0", "45", ""]


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-bom"), ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_csv_encodings(tmp_path, encoding, detected):
    path = write_csv(tmp_path / "a.csv", headers("accidents"), [ROW], encoding=encoding, title="宁乡市2023年5月生产安全事故统计表")
    sheet = read_sheet(path)
    assert sheet.encoding == detected
    assert sheet.rows[1][0] == "事故编号"
    assert sheet.rows[2][2] == "玉潭"


def test_title_blank_and_total_rows_are_skipped_with_excel_row_numbers(tmp_path):
    rows = [ROW, [None] * 10, ["SG-2", *ROW[1:]]]
    path = write_xlsx(tmp_path / "a.xlsx", headers("accidents"), rows, title="标题", total=["合计", None, None, None, None, None, 1, 0, 45])
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

    rows = [["SG-1", dt.datetime(2023, 5, 8, 10, 20), "玉潭", "建筑施工", None, "物体打击", 1, 0, 0.3, None],
            [None] * 10,
            ["SG-2", dt.date(2023, 5, 9), "430124105", "建筑施工", None, "物体打击", "０", 2, "1,050", "备注"]]
    path = write_xlsx(tmp_path / "a.xlsx", headers("accidents"), rows, title="标题", blank_after_header=True, total=["合计"])
    data = path.read_bytes()
    assert trimmed(_read_xlsx_fast(data)) == trimmed(_read_xlsx_openpyxl(data).rows)
    from pipelines.paths import REPO_ROOT

    example = REPO_ROOT.parent / "shared" / "domain" / "examples" / "hazards-430182102-2023W20.xlsx"  # beside the clone
    if example.exists():
        data = example.read_bytes()
        assert trimmed(_read_xlsx_fast(data)) == trimmed(_read_xlsx_openpyxl(data).rows)
