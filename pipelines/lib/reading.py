"""Read a landing file into rows of text cells with their spreadsheet row numbers.

Row numbers are those the sender sees in Excel (1-based, title and blank rows counted),
so every quarantine message points at the row the clerk will fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from pipelines.lib.rules import Rejection

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


@dataclass
class SheetRows:
    rows: list[list[str | None]]  # rows[i] is spreadsheet row i + 1
    file_format: str
    encoding: str | None = None


def _cell_text(value: object) -> str | None:
    """Excel cell -> text; real Excel dates become ISO text the date parser knows."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


def _first_sheet_first_row(book: zipfile.ZipFile) -> int:
    """Spreadsheet row number of the first row holding a value in the first sheet.

    calamine (fastexcel) returns the used range without saying where it starts, so the
    offset is read from the sheet XML: row numbers must be the ones the clerk sees in Excel.
    """
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = next(el for el in workbook.iter() if el.tag.endswith("}sheet"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(el.get("Target") for el in rels if el.get("Id") == first.get(rel_ns))
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    with book.open(path) as sheet:
        row_number = None
        for _, element in ElementTree.iterparse(sheet, events=("start",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                row_number = int(element.get("r"))
            elif tag in ("v", "is") and row_number is not None:
                return row_number
    return 1


def _read_xlsx_fast(data: bytes) -> list[list[str | None]]:
    import fastexcel

    sheet = fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string")
    frame = sheet.to_polars()
    if frame.width:
        # calamine writes Excel dates as "2023-04-03 00:00:00"; show them as Excel does
        frame = frame.with_columns(pl.all().str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "${1}"))
    offset = _first_sheet_first_row(zipfile.ZipFile(io.BytesIO(data))) - 1 if frame.height else 0
    return [[] for _ in range(offset)] + [list(row) for row in frame.iter_rows()]


def read_xlsx(data: bytes) -> SheetRows:
    """calamine through fastexcel (about 25x faster than openpyxl on small ledgers);
    openpyxl reads what calamine cannot."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Rejection("not_a_table", "文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
    try:
        return SheetRows(rows=_read_xlsx_fast(data), file_format="xlsx")
    except Exception:  # noqa: BLE001 - any calamine failure falls back to the slower reader
        pass
    return _read_xlsx_openpyxl(data)


def _read_xlsx_openpyxl(data: bytes) -> SheetRows:
    import openpyxl  # lazily: only the fallback needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise Rejection("not_a_table", f"Excel 工作簿无法打开（{type(exc).__name__}）") from exc
    try:
        if not book.worksheets:
            raise Rejection("not_a_table", "工作簿中没有工作表")
        sheet = book.worksheets[0]  # feeds.md: first sheet
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return SheetRows(rows=rows, file_format="xlsx")


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030, strictly."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise Rejection("encoding", "UTF-16 内容损坏") from exc
    if b"\x00" in data:
        raise Rejection("encoding", "文件含有空字节，可能是二进制文件或 UTF-16 无 BOM 文本")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        name = "utf-8-bom" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else encoding
        return text, "utf-8" if name == "utf-8-sig" else name
    raise Rejection("encoding")


def read_csv(data: bytes) -> SheetRows:
    text, encoding = decode_text(data)
    sample = text[:4096]
    # Excel's "Unicode text" export is tab-separated; everything else senders make is commas.
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = [[cell if cell.strip() else None for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise Rejection("not_a_table", f"CSV 无法解析（{exc}）") from exc
    return SheetRows(rows=rows, file_format="csv", encoding=encoding)


def read_sheet(path: Path, data: bytes | None = None) -> SheetRows:
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(data)
    if suffix == ".csv":
        return read_csv(data)
    if suffix in (".xls", ".et", ".wps"):
        raise Rejection("not_a_table", f"不支持 {suffix} 格式，请在 Excel 中另存为 .xlsx 或 .csv")
    raise Rejection("not_a_table", f"不支持的文件类型 {suffix or '（无扩展名）'}，请报送 .xlsx 或 .csv")
