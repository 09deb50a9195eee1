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
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from pipelines.lib.rules import Rejection
from pipelines.lib.xlsx_scan import (
    LARGE_SHEET_BYTES,
    STUB_SHEET,
    SheetFacts,
    scan_sheet,
    with_sheets,
)

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".et")  # files are read by content, these are the usual names

# The characters Python's str.isspace(), str.strip() and re's \s treat as white space: the
# vectorised (polars) row logic uses exactly the set the row-by-row logic used.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Marks a value a merged area gave a cell other than its first (private use: no sender types
# it). Such a value belongs to the row, but a row holding nothing else is no record.
MERGED_MARK = "\ue000"
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
    name: str | None = None  # the sheet's name in its workbook (None for text files)
    # a text file read in chunks (TextReading.chunk_rows): ``frame`` holds its first rows,
    # this iterator the frames after them, read from the file as they are asked for
    more: object = None

    def rows(self, limit: int | None = None) -> list[list[str | None]]:
        """The cells as lists (merge marks removed, dates as Excel shows them); ``limit``: only the first rows."""
        frame = self.frame if limit is None else self.frame.head(limit)
        if frame.width:
            frame = frame.with_columns(pl.all().str.strip_prefix(MERGED_MARK))
        if self.midnight_dates and frame.width:
            frame = frame.with_columns(pl.all().str.replace(EXCEL_MIDNIGHT, "${1}"))
        return [list(row) for row in frame.iter_rows()]


def rows_to_frame(rows: list[list[str | None]]) -> pl.DataFrame:
    """Rows of cells (ragged allowed) -> one String column per position, missing cells null."""
    columns = list(itertools.zip_longest(*rows)) if rows else []
    if not columns:  # no cell at all: keep the row count
        return pl.DataFrame({"0": [None] * len(rows)}, schema={"0": pl.String})
    return pl.DataFrame(
        {str(i): col for i, col in enumerate(columns)}, schema={str(i): pl.String for i in range(len(columns))}
    )


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


def _xlsx_sheet_frame(data: bytes) -> pl.DataFrame:
    """The first sheet by calamine alone (compared with openpyxl in tests/test_reading.py)."""
    import fastexcel

    return _calamine_frame(fastexcel.read_excel(data), 0)


def _calamine_frame(reader, index: int) -> pl.DataFrame:
    """Sheet ``index`` as text cells. ``skip_rows=0`` keeps the empty rows above the first
    value (row numbers stay Excel's); columns are named by their absolute position (calamine
    starts the range at the first column holding a value), missing leading ones added."""
    sheet = reader.load_sheet(index, header_row=None, dtypes="string", skip_rows=0)
    infos = sheet.available_columns()
    frame = sheet.to_polars()
    if not infos:
        return pl.DataFrame({"0": [None] * frame.height}, schema={"0": pl.String})
    offset = infos[0].absolute_index
    columns = [pl.lit(None, pl.String).alias(str(i)) for i in range(offset)]
    columns += [pl.col(name).cast(pl.String).alias(str(offset + i)) for i, name in enumerate(frame.columns)]
    return frame.select(columns)


def _read_xlsx_fast(data: bytes) -> list[list[str | None]]:
    return SheetFrame(_xlsx_sheet_frame(data), "xlsx", midnight_dates=True).rows()


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
    encoding = text_encoding(lambda: io.BytesIO(data))
    return data.decode(_CODECS[encoding]), encoding


# encoding name as recorded (meta.files.encoding) -> Python codec
_CODECS = {"utf-16": "utf-16", "utf-8-bom": "utf-8-sig", "utf-8": "utf-8-sig", "gb18030": "gb18030"}
# Bytes decoded at a time when a text file's encoding is checked (the file is never held whole).
TEXT_PIECE_BYTES = 4 * 2**20


def _decodes(opener, codec: str) -> bool:
    """Whether the whole stream decodes strictly, read in pieces (an incremental decoder
    keeps a character cut at a piece's end for the next piece)."""
    import codecs

    decoder = codecs.getincrementaldecoder(codec)("strict")
    with opener() as stream:
        try:
            while piece := stream.read(TEXT_PIECE_BYTES):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def text_encoding(opener) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030, strictly: the first of
    these the whole content decodes in. ``opener`` opens the content as a binary stream;
    it is read in pieces, never whole."""
    with opener() as stream:
        head = stream.read(3)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not _decodes(opener, "utf-16"):
            raise Rejection("encoding", "UTF-16 内容损坏")
        return "utf-16"
    with opener() as stream:
        while piece := stream.read(TEXT_PIECE_BYTES):
            if b"\x00" in piece:
                raise Rejection("encoding", "文件含有空字节，可能是二进制文件或 UTF-16 无 BOM 文本")
    if _decodes(opener, "utf-8-sig"):
        return "utf-8-bom" if head == b"\xef\xbb\xbf" else "utf-8"
    if _decodes(opener, "gb18030"):
        return "gb18030"
    raise Rejection("encoding")


def _text_rows(opener, encoding: str):
    """The cells of a text file row by row (blank cells None), read as a stream."""
    with opener() as stream, io.TextIOWrapper(stream, encoding=_CODECS[encoding], newline="") as text:
        sample = text.read(4096)
    # Excel's "Unicode text" export is tab-separated; everything else senders make is commas.
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    with opener() as stream, io.TextIOWrapper(stream, encoding=_CODECS[encoding], newline="") as text:
        try:
            for row in csv.reader(text, delimiter=delimiter):
                yield [cell if cell.strip() else None for cell in row]
        except csv.Error as exc:
            raise Rejection("not_a_table", f"CSV 无法解析（{exc}）") from exc


def _csv_rows(data: bytes) -> tuple[list[list[str | None]], str]:
    opener = lambda: io.BytesIO(data)  # noqa: E731
    encoding = text_encoding(opener)
    return list(_text_rows(opener, encoding)), encoding


def read_csv_frame(data: bytes) -> SheetFrame:
    rows, encoding = _csv_rows(data)
    return SheetFrame(rows_to_frame(rows), "csv", encoding)


@dataclass(frozen=True)
class TextReading:
    """How a text ledger (CSV, TSV) is read (county profile, ``ingest``): in frames of
    ``chunk_rows`` rows, streamed from the file, so memory is bounded by the chunk and not
    by the file; a file larger than ``max_file_mb`` is rejected unread."""

    chunk_rows: int | None = None  # None: the whole file in one frame
    max_file_mb: float | None = None


def _text_sheet(opener, encoding: str, chunk_rows: int | None) -> SheetFrame:
    rows = _text_rows(opener, encoding)
    if chunk_rows is None:
        return SheetFrame(rows_to_frame(list(rows)), "csv", encoding)
    first = list(itertools.islice(rows, chunk_rows))

    def more():
        # the rows after the first frame, chunk_rows at a time; closed with the file
        try:
            while batch := list(itertools.islice(rows, chunk_rows)):
                yield rows_to_frame(batch)
        finally:
            rows.close()

    sheet = SheetFrame(rows_to_frame(first), "csv", encoding)
    sheet.more = more() if len(first) == chunk_rows else None
    if sheet.more is None:
        rows.close()
    return sheet


# --- Workbooks recognised by content ------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Contents that are surely not a ledger, named so the clerk knows what was sent.
OTHER_MAGICS = {
    b"%PDF": "PDF 文档",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
    b"\x1f\x8b": "gzip 压缩包",
}
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".et", ".xlsm", ".ett")
SAVE_AS = "请在 Excel 或 WPS 中打开后另存为 .xlsx 再报送"


@dataclass(frozen=True)
class WorkbookLimits:
    """Checked before a workbook is expanded (county profile, ``workbook_limits``)."""

    max_uncompressed_mb: float = 512
    max_compression_ratio: float = 100
    max_cells: int = 50_000_000

    @classmethod
    def from_config(cls, config: dict | None) -> WorkbookLimits:
        return cls(**(config or {}))


@dataclass
class Book:
    """A landing file as a list of sheets, each loaded only when asked for."""

    file_format: str
    sheet_names: list[str]
    _load: object  # index -> SheetFrame
    encoding: str | None = None
    claimed_workbook: str | None = None  # text content under a workbook's extension (.xlsx)

    def sheet(self, index: int) -> SheetFrame:
        try:
            return self._load(index)
        except Rejection:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged part is the sender's file, not a broken run
            name = self.sheet_names[index] if index < len(self.sheet_names) else index + 1
            raise Rejection(
                "not_a_table", f"工作表「{name}」无法读取（{type(exc).__name__}），文件可能已损坏。{SAVE_AS}"
            ) from exc


def read_book(
    path: Path, data: bytes | None = None, limits: WorkbookLimits | None = None, text: TextReading | None = None
) -> Book:
    """Recognise the file by its content (feeds.md: zip workbook, OLE2 workbook, text), not
    its extension: a WPS .et or a misnamed file whose content is a workbook loads. A text
    file on disk is read as a stream (``text``: in chunks, and its size limit)."""
    if data is None:
        with path.open("rb") as handle:
            head = handle.read(512)
        if head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
            data = path.read_bytes()
    else:
        head = data[:512]
    opener = (lambda: path.open("rb")) if data is None else (lambda: io.BytesIO(data))
    try:
        return _read_book(path, data, head, opener, limits, text or TextReading())
    except Rejection:
        raise
    except OSError:
        raise  # the file vanished or cannot be read: the caller says so
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file makes a reader raise
        raise Rejection("not_a_table", f"文件无法读取（{type(exc).__name__}），可能已损坏。{SAVE_AS}") from exc


def _read_book(
    path: Path, data: bytes | None, head: bytes, opener, limits: WorkbookLimits | None, text: TextReading
) -> Book:
    limits = limits or WorkbookLimits()
    if data is not None and data.startswith(ZIP_MAGIC):
        return _zip_book(data, limits)
    if data is not None and data.startswith(OLE2_MAGIC):
        return _ole2_book(data)
    for magic, what in OTHER_MAGICS.items():
        if head.startswith(magic):
            raise Rejection("not_a_table", f"文件内容是{what}，不是表格。{SAVE_AS}")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise Rejection(
            "not_a_table", f"文件内容是网页或 XML 格式（常见于系统导出的“假 .xls”），不是 Excel 工作簿。{SAVE_AS}"
        )
    claimed = path.suffix.lower() if path.suffix.lower() in WORKBOOK_SUFFIXES else None
    size = len(data) if data is not None else path.stat().st_size
    if text.max_file_mb is not None and size > text.max_file_mb * 2**20:
        raise Rejection("text_too_large", f"文件 {size / 2**20:,.0f} MB，超过上限 {text.max_file_mb:g} MB")
    try:
        encoding = text_encoding(opener)
        sheet = _text_sheet(opener, encoding, text.chunk_rows)
    except Rejection as rejection:
        if claimed:  # named a workbook, neither a workbook nor text: say what to do
            raise Rejection("not_a_table", f"文件扩展名为 {claimed}，但内容不是 Excel 工作簿。{SAVE_AS}") from rejection
        raise
    return Book("csv", [path.name], lambda _i: sheet, encoding, claimed)


def _zip_book(data: bytes, limits: WorkbookLimits) -> Book:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        names = set(book.namelist())
    except zipfile.BadZipFile as exc:
        raise Rejection("not_a_table", f"压缩包已损坏，无法作为 Excel 工作簿打开。{SAVE_AS}") from exc
    if "xl/workbook.xml" not in names:
        what = "Word 文档" if "word/document.xml" in names else "压缩包（zip）"
        raise Rejection("not_a_table", f"文件内容是{what}，不是 Excel 工作簿。{SAVE_AS}")
    _check_expansion(book, data, limits)  # before any part is expanded, [Content_Types].xml included
    types = book.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise Rejection("macro")
    paths = _sheet_paths(book)

    import fastexcel

    # calamine holds its own copy of the file: while a sheet is large (formatting down to row
    # 1,048,576, say), the sheets are listed from a copy without the large sheets and the
    # whole file is opened only for a sheet read as it is (a cut sheet has its own copy)
    large = {
        p: STUB_SHEET for p in paths.values() if p in book.NameToInfo and book.getinfo(p).file_size > LARGE_SHEET_BYTES
    }
    opened: dict[str, object] = {}

    def whole():
        if "whole" not in opened:
            opened["whole"] = fastexcel.read_excel(data)
        return opened["whole"]

    try:
        sheet_names = list((fastexcel.read_excel(with_sheets(data, large, None)) if large else whole()).sheet_names)
    except Exception as exc:  # noqa: BLE001 - calamine's errors are many; openpyxl may still read it
        return _openpyxl_book(data, exc)

    def load(index: int) -> SheetFrame:
        path = paths.get(sheet_names[index])
        facts = scan_sheet(book, path, data, limits.max_uncompressed_mb * 2**20) if path else SheetFacts(0, [])
        if facts.cells > limits.max_cells:
            raise Rejection(
                "too_large",
                f"工作表「{sheet_names[index]}」的范围有 {facts.cells:,} 个单元格，超过上限 {limits.max_cells:,}",
            )
        try:
            if facts.compact_xml is None:
                source = whole()
            else:  # the other large sheets stay out of this copy too
                source = fastexcel.read_excel(with_sheets(data, {**large, path: facts.compact_xml}))
            frame = _calamine_frame(source, index)
        except Exception:  # noqa: BLE001 - openpyxl reads some sheets calamine cannot
            fallback = _openpyxl_book(data, None)
            return fallback.sheet(fallback.sheet_names.index(sheet_names[index]))
        frame = _fill_merges(frame, facts.merges)
        return SheetFrame(frame, "xlsx", midnight_dates=True, name=sheet_names[index])

    return Book("xlsx", sheet_names, load)


def _openpyxl_book(data: bytes, error: Exception | None) -> Book:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise Rejection("not_a_table", f"Excel 工作簿无法打开（{type(error or exc).__name__}）。{SAVE_AS}") from exc

    def load(index: int) -> SheetFrame:
        sheet = book.worksheets[index]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        return SheetFrame(_fill_merges(rows_to_frame(rows), merges), "xlsx", name=sheet.title)

    return Book("xlsx", [s.title for s in book.worksheets], load)


def _check_expansion(book: zipfile.ZipFile, data: bytes, limits: WorkbookLimits) -> None:
    """A zip bomb is refused from the zip directory alone, before anything is expanded."""
    infos = book.infolist()
    expanded = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if expanded > limits.max_uncompressed_mb * 2**20:
        raise Rejection("too_large", f"解压后 {expanded / 2**20:,.0f} MB，超过上限 {limits.max_uncompressed_mb:g} MB")
    ratio = max([expanded / packed] + [i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 2**20])
    if expanded > 2**20 and ratio > limits.max_compression_ratio:
        raise Rejection(
            "too_large", f"压缩比 {ratio:,.0f} 倍，超过上限 {limits.max_compression_ratio:g} 倍（疑似压缩炸弹）"
        )


_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet XML, in workbook order (calamine lists sheets by name)."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {el.get("Id"): el.get("Target") for el in rels}
    out = {}
    for sheet in (el for el in workbook.iter() if el.tag.endswith("}sheet")):
        target = targets.get(sheet.get(_REL_ID)) or ""
        out[sheet.get("name")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
    return out


def _fill_merges(frame: pl.DataFrame, merges: list[tuple[int, int, int, int]]) -> pl.DataFrame:
    """feeds.md: a value merged over several cells belongs to every cell of the area (a
    township merged down the rows of its hazards; a header merged down a two-row header).
    A row of the area holding nothing else gets nothing: a merge that runs on below the
    records (a template's pre-merged rows) makes no row out of its value alone."""
    if not merges or not frame.height:
        return frame
    occupied = frame.select(pl.any_horizontal(pl.all().is_not_null())).to_series().to_list()
    by_column: dict[int, list[tuple[int, int, str]]] = {}
    areas_first: dict[tuple[int, int], int] = {}
    for r0, c0, r1, c1 in merges:
        if r0 >= frame.height or str(c0) not in frame.columns:
            continue
        value = frame.get_column(str(c0))[r0]
        if value is None:
            continue
        for c in range(c0, c1 + 1):
            by_column.setdefault(c, []).append((r0, min(r1, frame.height - 1), value))
            areas_first[(r0, c)] = c0
    width = max([int(c) for c in frame.columns] + list(by_column))
    frame = frame.with_columns(
        [pl.lit(None, pl.String).alias(str(i)) for i in range(width + 1) if str(i) not in frame.columns]
    )
    replaced = []
    for c, areas in by_column.items():
        values = frame.get_column(str(c)).to_list()
        for r0, r1, value in areas:
            for r in range(r0, r1 + 1):
                if r == r0 and c == areas_first[(r0, c)]:
                    values[r] = value
                elif occupied[r]:
                    values[r] = MERGED_MARK + value
        replaced.append(pl.Series(str(c), values, dtype=pl.String))
    return frame.with_columns(replaced).select(sorted(frame.columns, key=int))


def _ole2_book(data: bytes) -> Book:
    """Excel 97-2003 (.xls, a WPS .et saved as BIFF8): values by calamine from bytes,
    merged ranges by xlrd (calamine has no API for them)."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise Rejection("password")
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        sheet_names = list(reader.sheet_names)
    except Exception as exc:  # noqa: BLE001
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise Rejection("password") from exc
        raise Rejection("not_a_table", f"文件是 Office 97-2003 格式，但不是可读取的 Excel 工作簿。{SAVE_AS}") from exc
    merges = _xls_merges(data)

    def load(index: int) -> SheetFrame:
        frame = _fill_merges(_calamine_frame(reader, index), merges.get(index, []))
        return SheetFrame(frame, "xls", midnight_dates=True, name=sheet_names[index])

    return Book("xls", sheet_names, load)


def _xls_merges(data: bytes) -> dict[int, list[tuple[int, int, int, int]]]:
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:  # noqa: BLE001 - without merge information the values still read
        return {}
    out = {}
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        out[index] = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        book.unload_sheet(index)
    return out


def read_sheet(path: Path, data: bytes | None = None) -> SheetRows:
    """The first sheet's cells as lists (see read_book for every sheet)."""
    sheet = read_sheet_frame(path, data)
    return SheetRows(rows=sheet.rows(), file_format=sheet.file_format, encoding=sheet.encoding)


def read_sheet_frame(path: Path, data: bytes | None = None) -> SheetFrame:
    """The first sheet as a frame."""
    book = read_book(path, data)
    if not book.sheet_names:
        raise Rejection("not_a_table", "工作簿中没有工作表")
    return book.sheet(0)
