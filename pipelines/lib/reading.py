"""Read a landing file into rows of text cells with their spreadsheet row numbers.

Row numbers are those the sender sees in Excel (1-based, title and blank rows counted),
so every quarantine message points at the row the clerk will fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

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


def read_xlsx(data: bytes) -> SheetRows:
    import openpyxl  # lazily: only spreadsheets need it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Rejection("not_a_table", "文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
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
