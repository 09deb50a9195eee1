"""Read a landing file into rows of text cells with their spreadsheet row numbers.

Row numbers are those the sender sees in Excel (1-based, title and blank rows counted),
so every quarantine message points at the row the clerk will fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from pipelines.lib.rules import Rejection

SUPPORTED_SUFFIXES = (".csv", ".xlsx")

# The characters Python's str.isspace(), str.strip() and re's \s treat as white space: the
# vectorised (polars) row logic uses exactly the set the row-by-row logic used.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# calamine writes Excel dates as "2023-04-03 00:00:00"; Excel shows them as 2023-04-03
EXCEL_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"


@dataclass
class SheetRows:
    rows: list[list[str | None]]  # rows[i] is spreadsheet row i + 1
    file_format: str
    encoding: str | None = None


@dataclass
class SheetFrame:
    """A sheet as a polars frame: column "i" holds the cells at position i, frame row k is
    spreadsheet row k + 1 (leading empty rows included, so row numbers are Excel's)."""

    frame: pl.DataFrame
    file_format: str
    encoding: str | None = None
    # read by calamine: date cells still carry " 00:00:00" (trimmed where values are used)
    midnight_dates: bool = False

    def rows(self) -> list[list[str | None]]:
        frame = self.frame
        if self.midnight_dates and frame.width:
            frame = frame.with_columns(pl.all().str.replace(EXCEL_MIDNIGHT, "${1}"))
        return [list(row) for row in frame.iter_rows()]


def rows_to_frame(rows: list[list[str | None]]) -> pl.DataFrame:
    """Rows of cells (ragged allowed) -> one String column per position, missing cells null."""
    columns = list(itertools.zip_longest(*rows)) if rows else []
    if not columns:  # no cell at all: keep the row count
        return pl.DataFrame({"0": [None] * len(rows)}, schema={"0": pl.String})
    return pl.DataFrame({str(i): col for i, col in enumerate(columns)}, schema={str(i): pl.String for i in range(len(columns))})


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


_VALUE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)[\s/>]")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>][^>]*")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")


def _first_sheet_path(book: zipfile.ZipFile) -> str:
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = next(el for el in workbook.iter() if el.tag.endswith("}sheet"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(el.get("Target") for el in rels if el.get("Id") == first.get(rel_ns))
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _first_sheet_first_row(book: zipfile.ZipFile) -> int:
    """Spreadsheet row number of the first row holding a value in the first sheet.

    calamine (fastexcel) returns the used range without saying where it starts, so the
    offset is read from the sheet XML: row numbers must be the ones the clerk sees in Excel.
    The XML is scanned as bytes only up to the first value (<v> or <is>) inside a <row>,
    which lies near its start: a full XML parse of the sheet cost more than reading it.
    """
    buffer, searched = b"", 0
    with book.open(_first_sheet_path(book)) as sheet:
        while True:
            chunk = sheet.read(1 << 14)
            buffer += chunk
            for value in _VALUE_TAG.finditer(buffer, searched):
                row = None
                for row in _ROW_TAG.finditer(buffer, 0, value.start()):
                    pass
                if row is not None:
                    number = _ROW_NUMBER.search(row.group(0))
                    if number is None:
                        raise ValueError("a <row> without its r attribute")
                    return int(number.group(1))
                searched = value.end()
            if not chunk:
                return 1
            searched = max(searched, len(buffer) - 64)  # a tag may straddle two chunks


def _read_xlsx_frame(data: bytes) -> pl.DataFrame:
    import fastexcel

    frame = fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string").to_polars()
    frame = frame.select([pl.col(name).cast(pl.String).alias(str(i)) for i, name in enumerate(frame.columns)])
    if not frame.height:
        return frame
    offset = _first_sheet_first_row(zipfile.ZipFile(io.BytesIO(data))) - 1
    if offset > 0:
        blank = pl.DataFrame({name: [None] * offset for name in frame.columns}, schema=frame.schema)
        frame = pl.concat([blank, frame])
    return frame


def _read_xlsx_fast(data: bytes) -> list[list[str | None]]:
    return SheetFrame(_read_xlsx_frame(data), "xlsx", midnight_dates=True).rows()


def read_xlsx(data: bytes) -> SheetRows:
    sheet = read_xlsx_frame(data)
    return SheetRows(rows=sheet.rows(), file_format="xlsx")


def read_xlsx_frame(data: bytes) -> SheetFrame:
    """calamine through fastexcel (about 25x faster than openpyxl on small ledgers);
    openpyxl reads what calamine cannot."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Rejection("not_a_table", "文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
    try:
        return SheetFrame(_read_xlsx_frame(data), "xlsx", midnight_dates=True)
    except Exception:  # noqa: BLE001 - any calamine failure falls back to the slower reader
        pass
    return SheetFrame(rows_to_frame(_read_xlsx_openpyxl(data).rows), "xlsx")


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


def _csv_rows(data: bytes) -> tuple[list[list[str | None]], str]:
    text, encoding = decode_text(data)
    sample = text[:4096]
    # Excel's "Unicode text" export is tab-separated; everything else senders make is commas.
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = [[cell if cell.strip() else None for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise Rejection("not_a_table", f"CSV 无法解析（{exc}）") from exc
    return rows, encoding


def read_csv(data: bytes) -> SheetRows:
    rows, encoding = _csv_rows(data)
    return SheetRows(rows=rows, file_format="csv", encoding=encoding)


def read_csv_frame(data: bytes) -> SheetFrame:
    rows, encoding = _csv_rows(data)
    return SheetFrame(rows_to_frame(rows), "csv", encoding)


def _check_suffix(suffix: str) -> None:
    if suffix in (".xls", ".et", ".wps"):
        raise Rejection("not_a_table", f"不支持 {suffix} 格式，请在 Excel 中另存为 .xlsx 或 .csv")
    raise Rejection("not_a_table", f"不支持的文件类型 {suffix or '（无扩展名）'}，请报送 .xlsx 或 .csv")


def read_sheet(path: Path, data: bytes | None = None) -> SheetRows:
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(data)
    if suffix == ".csv":
        return read_csv(data)
    _check_suffix(suffix)


def read_sheet_frame(path: Path, data: bytes | None = None) -> SheetFrame:
    """The sheet as a frame (what ingestion uses; read_sheet gives the same cells as lists)."""
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx_frame(data)
    if suffix == ".csv":
        return read_csv_frame(data)
    _check_suffix(suffix)
