"""The vectorised reading of issue 7 gives what the row-by-row reading gave.

Ingestion used to turn every sheet into Python lists, classify rows one by one and build
the feed's frame cell by cell; it now keeps each sheet a polars frame and classifies all
rows of all files of a feed at once (pipelines/lib/layout_detect.classify_rows). Here the
row-by-row logic is kept as the reference and both run on every file of a generated
landing tree (every layout, encoding and defect the generator makes)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

from pipelines.lib.contracts import load_contracts
from pipelines.lib.layout_detect import classify_rows, detect_layout, find_header
from pipelines.lib.reading import _sheet_paths, read_sheet, read_sheet_frame
from pipelines.lib.rules import Rejection

TOTAL_MARKERS = ("合计", "总计", "小计")


def reference_classification(rows: list[list[str | None]], header_row: int) -> list[tuple[int, str]]:
    """The row loop ingestion used before: (row number, kind) for every row but the header."""

    def blank(row):
        return all(cell is None or not cell.strip() for cell in row)

    def total(row):
        first = next((cell for cell in row if cell is not None and cell.strip()), "")
        return re.sub(r"\s+", "", first).startswith(TOTAL_MARKERS)

    out = []
    for i, row in enumerate(rows):
        if i == header_row - 1:
            continue
        kind = "blank" if blank(row) else "title" if i < header_row - 1 else "total" if total(row) else "data"
        out.append((i + 1, kind))
    return out


def reference_first_row(book: zipfile.ZipFile) -> int:
    """The first row holding a value, by a full XML parse (the sheet's path is the reader's
    own: what is compared is where the rows start, not the workbook lookup)."""
    with book.open(next(iter(_sheet_paths(book).values()))) as sheet:
        row_number = None
        for _, element in ElementTree.iterparse(sheet, events=("start",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                row_number = int(element.get("r"))
            elif tag in ("v", "is") and row_number is not None:
                return row_number
    return 1


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    from pipelines.generate import generate

    out = tmp_path_factory.mktemp("equivalence") / "landing"
    generate(out, seed=3, scale=0.3, defect_rate=0.08)
    return out


def test_vectorised_rows_equal_the_row_by_row_reading(landing):
    contracts = load_contracts()
    compared = 0
    for feed, contract in contracts.items():
        frames, headers, keys, midnight, expected = [], [], [], [], []
        for key, path in enumerate(sorted((landing / feed).glob("*/*"))):
            try:
                rows = read_sheet(path).rows
                header = find_header(rows, contract)
            except Rejection:
                continue
            sheet = read_sheet_frame(path)
            assert sheet.rows() == rows, path  # the same cells, in the same places
            frames.append(sheet.frame)
            headers.append(header)
            keys.append(key)
            midnight.append(sheet.midnight_dates)
            positions = {name: pos for pos, name in header.columns.items()}
            for number, kind in reference_classification(rows, header.header_row):
                cells = rows[number - 1]
                values = tuple(
                    cells[positions[n]] if n in positions and positions[n] < len(cells) else None
                    for n in contract.names
                )
                expected.append((key, number, kind, *values))
        got = classify_rows(frames, headers, keys, contract, midnight_dates=midnight)
        assert [tuple(r) for r in got.iter_rows()] == expected, feed
        compared += len(expected)
    assert compared > 10_000


def test_detect_layout_keeps_its_contract(landing):
    contract = load_contracts()["hazards"]
    for path in sorted((landing / "hazards").glob("*/*"))[:200]:
        try:
            rows = read_sheet(path).rows
            layout = detect_layout(rows, contract)
        except Rejection:
            continue
        kinds = dict(reference_classification(rows, layout.header_row))
        assert [n for n, _ in layout.data_rows] == [n for n, k in kinds.items() if k == "data"]
        for kind, numbers in layout.skipped.items():
            assert numbers == [n for n, k in kinds.items() if k == kind]
        assert all(cells is rows[n - 1] for n, cells in layout.data_rows)


def test_the_rows_start_where_the_xml_parse_says(landing, tmp_path):
    """calamine keeps the empty rows above the first value (skip_rows=0): row numbers are Excel's."""
    import openpyxl

    books = [p for p in landing.rglob("*.xlsx") if zipfile.is_zipfile(p)]
    # and sheets that start lower down, written by openpyxl (inline strings, no shared strings)
    for start in (1, 3, 7):
        book = openpyxl.Workbook()
        book.active.cell(row=start, column=2, value="标题")
        book.active.cell(row=start + 2, column=1, value=1.5)
        path = tmp_path / f"start{start}.xlsx"
        book.save(path)
        books.append(path)
    assert len(books) > 100
    for path in books:
        rows = read_sheet(path).rows
        first = next(i for i, row in enumerate(rows, start=1) if any(c is not None for c in row))
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as book:
            assert first == reference_first_row(book), path


def test_csv_blank_cells_follow_python_white_space():
    """A cell of only white space is blank by str.strip(), which the frame reading keeps."""
    from pipelines.lib.reading import PY_WHITESPACE, read_csv_frame

    assert PY_WHITESPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    data = "隐患编号,说明\nH-1,\u3000\nH-2,\x1c\n合 计,\n".encode("utf-8")
    frame = read_csv_frame(data).frame
    assert frame.to_dict(as_series=False) == {"0": ["隐患编号", "H-1", "H-2", "合 计"], "1": ["说明", None, None, None]}
    assert isinstance(frame, pl.DataFrame)
