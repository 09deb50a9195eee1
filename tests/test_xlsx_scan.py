"""The streamed scan of a worksheet's XML (pipelines/lib/xlsx_scan.py): the cases its byte
searches could get wrong, each with a sheet that must be cut and one that must not.

Pieces and the tail threshold are made small here so a few kB of XML cross many pieces.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from pipelines.lib import xlsx_scan

SHEET = "xl/worksheets/sheet1.xml"
MERGES = b'<mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>'


def scan(monkeypatch, rows: bytes, after: bytes = MERGES, prefix: bytes = b"") -> xlsx_scan.SheetFacts:
    monkeypatch.setattr(xlsx_scan, "CHUNK", 4096)
    monkeypatch.setattr(xlsx_scan, "FORMATTING_TAIL_BYTES", 2000)
    p = prefix + b":" if prefix else b""
    xml = (
        b'<?xml version="1.0"?><'
        + p
        + b"worksheet><"
        + p
        + b'dimension ref="A1:G300"/><'
        + p
        + b"sheetData>"
        + rows
        + b"</"
        + p
        + b"sheetData>"
        + after
        + b"</"
        + p
        + b"worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(SHEET, xml)
    data = out.getvalue()
    facts = xlsx_scan.scan_sheet(zipfile.ZipFile(io.BytesIO(data)), SHEET, data)
    assert facts.cells == 7 * 300
    return facts


def value_row(r: int, p: bytes = b"") -> bytes:
    return b'<%srow r="%d"><%sc r="A%d" t="n"><%sv>%d</%sv></%sc></%srow>' % (p, r, p, r, p, r, p, p, p)


def styled(first: int, last: int, attrs: bytes = b"", p: bytes = b"") -> bytes:
    return b"".join(
        b'<%srow r="%d"%s><%sc r="A%d" s="1"/><%sc r="B%d" s="1"/></%srow>' % (p, r, attrs, p, r, p, r, p)
        for r in range(first, last)
    )


@pytest.mark.parametrize("late", [False, True])
def test_a_rowbreaks_element_after_the_rows_is_not_a_row(monkeypatch, late):
    """<rowBreaks> begins like <row: the end of the rows is still found, and the merged ranges."""
    rows = value_row(1) + styled(2, 300) + (value_row(300) if late else b"")
    facts = scan(monkeypatch, rows, MERGES + b'<rowBreaks count="1"><brk id="5"/></rowBreaks>')
    assert facts.merges == [(1, 2, 2, 2)]
    assert (facts.compact_xml is None) == late
    if not late:
        assert facts.compact_xml.count(b"<row ") == 1 and b"<rowBreaks" in facts.compact_xml
        assert facts.compact_xml.index(b"</row>") < facts.compact_xml.index(b"</sheetData>")


@pytest.mark.parametrize("late", [False, True])
def test_a_long_inline_string_whose_end_lies_a_piece_after_its_type(monkeypatch, late):
    """The piece holding </is> has neither a v nor an l (Chinese text, styled rows after it):
    the piece before it had t="inlineStr", so the value is found and kept in the cut sheet."""
    text = "隐患描述".encode() * 600  # 7.2 kB: more than a piece
    inline = b'<row r="300"><c r="A300" t="inlineStr"><is><t>' + text + b"</t></is></c></row>"
    facts = scan(monkeypatch, value_row(1) + styled(2, 300) + (inline if late else b"") + styled(301, 400))
    assert facts.compact_xml.count(b"<row ") == (300 if late else 1)  # rows 1-300 kept, or row 1 alone
    assert (text in facts.compact_xml) == late


def test_rows_with_outline_levels_are_searched_and_still_cut(monkeypatch):
    """outlineLevel holds a v on every row: the slow search runs, with the same answer."""
    facts = scan(monkeypatch, value_row(1) + value_row(2) + styled(3, 300, b' outlineLevel="1"'))
    assert facts.compact_xml is not None and facts.compact_xml.count(b"<row ") == 2
    assert facts.merges == [(1, 2, 2, 2)]


def test_an_empty_sheet_data_keeps_the_merges_after_it(monkeypatch):
    monkeypatch.setattr(xlsx_scan, "CHUNK", 4096)
    xml = b'<worksheet><dimension ref="A1:G300"/><sheetData/>' + MERGES + b"</worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(SHEET, xml)
    data = out.getvalue()
    facts = xlsx_scan.scan_sheet(zipfile.ZipFile(io.BytesIO(data)), SHEET, data)
    assert (facts.cells, facts.merges, facts.compact_xml) == (2100, [(1, 2, 2, 2)], None)


@pytest.mark.parametrize("late", [False, True])
def test_prefixed_elements(monkeypatch, late):
    p = b"x"
    rows = value_row(1, p + b":") + styled(2, 300, p=p + b":") + (value_row(300, p + b":") if late else b"")
    facts = scan(monkeypatch, rows, b'<x:mergeCells count="1"><x:mergeCell ref="C2:C3"/></x:mergeCells>', prefix=p)
    assert facts.merges == [(1, 2, 2, 2)]
    assert (facts.compact_xml is None) == late


@pytest.mark.parametrize("large_bytes", [1000, 2**30])
def test_a_workbook_with_a_large_sheet_lists_and_reads_every_sheet(monkeypatch, large_bytes):
    """An instructions sheet formatted to the bottom before the ledger: listed from a copy
    without it (threshold lowered) or from the file itself, the same sheets and cells read."""
    from pathlib import Path

    import xlsxwriter

    from pipelines.lib import reading
    from pipelines.lib.contracts import get_contract
    from pipelines.lib.layout_detect import find_sheet
    from tests.test_real_ledgers import rewrite_sheet

    monkeypatch.setattr(reading, "LARGE_SHEET_BYTES", large_bytes)
    monkeypatch.setattr(xlsx_scan, "FORMATTING_TAIL_BYTES", 1000)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet("填表说明").write(0, 0, "每周一报送")
    ledger = book.add_worksheet("台账")
    ledger.write_row(0, 0, ["隐患编号", "排查日期", "所属乡镇", "隐患等级", "隐患描述", "整改期限", "挂牌督办"])
    ledger.write_row(1, 0, ["F-1", "2023-04-03", "玉潭", "一般", "描述", "2023-05-01", "否"])
    book.close()
    data = rewrite_sheet(
        buffer.getvalue(), SHEET, lambda x: x.replace(b"</sheetData>", styled(2, 400) + b"</sheetData>" + MERGES)
    )
    book = reading.read_book(Path("a.xlsx"), data)
    assert book.sheet_names == ["填表说明", "台账"]
    assert book.sheet(0).frame.height == 1 and book.sheet(0).rows()[0][0] == "每周一报送"  # cut to its one row
    sheet, header = find_sheet(book, get_contract("hazards"))
    assert (sheet.name, header.header_row, sheet.rows()[1][:3]) == ("台账", 1, ["F-1", "2023-04-03", "玉潭"])
