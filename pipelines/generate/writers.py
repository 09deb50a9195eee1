"""Writing one sheet as senders lay it out: a title row, the header, data, blank rows, a 合计 row.

Both writers walk the same `Layout.lines()` sequence, so the row number a data row gets (1-based,
as Excel shows it, title and header counted) is the same whichever format the file ends up in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

# Above this many data rows, xlsxwriter streams rows to disk instead of holding the sheet (half as
# fast per cell; one large register snapshot in memory is some 70 MB).
STREAM_ROWS = 50_000


@dataclass
class Layout:
    header: list[str]
    rows: list[list[Any]]
    title: str | None = None
    merge_title: bool = False
    blank_after_title: bool = False
    blank_inside: int | None = None  # a blank row goes before data row i
    total: list[Any] | None = None
    blank_before_total: bool = False
    sheet_name: str = "Sheet1"
    notes: list[str] = field(default_factory=list)  # a second sheet of filling-in notes

    def lines(self) -> Iterator[tuple[str, list[Any] | None]]:
        if self.title is not None:
            yield "title", [self.title]
            if self.blank_after_title:
                yield "blank", None
        yield "header", self.header
        for i, row in enumerate(self.rows):
            if i == self.blank_inside:
                yield "blank", None
            yield "data", row
        if self.total is not None:
            if self.blank_before_total:
                yield "blank", None
            yield "total", self.total

    def data_row_numbers(self) -> list[int]:
        return [n for n, (kind, _) in enumerate(self.lines(), start=1) if kind == "data"]


def write_xlsx(path: Path, layout: Layout) -> None:
    big = len(layout.rows) > STREAM_ROWS
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": big,
            "in_memory": not big,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    # A fixed creation time keeps the bytes identical for a given seed.
    wb.set_properties({"created": datetime(2020, 1, 1)})
    ws = wb.add_worksheet(layout.sheet_name)
    ncols = len(layout.header)
    ws.set_column(0, ncols - 1, 14)
    bold = wb.add_format({"bold": True})
    formats: dict[str, Any] = {}
    for r, (kind, cells) in enumerate(layout.lines()):
        if kind == "blank":
            continue
        if kind == "title":
            if layout.merge_title and ncols > 1:
                ws.merge_range(r, 0, r, ncols - 1, cells[0], wb.add_format({"bold": True, "align": "center"}))
            else:
                ws.write_string(r, 0, cells[0], bold)
            continue
        fmt = bold if kind in ("header", "total") else None
        for c, v in enumerate(cells):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v, fmt)
            elif isinstance(v, tuple):  # ("d", date or datetime, number format)
                _, value, num_format = v
                f = formats.get(num_format)
                if f is None:
                    f = formats[num_format] = wb.add_format({"num_format": num_format})
                ws.write_datetime(r, c, value, f)
            else:
                ws.write_number(r, c, v, fmt)
    if layout.notes:
        notes = wb.add_worksheet("填报说明")
        for i, line in enumerate(layout.notes):
            notes.write_string(i, 0, line)
    wb.close()


def csv_bytes(layout: Layout, encoding: str, newline: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    n = len(layout.header)
    for kind, cells in layout.lines():
        if kind == "blank":
            w.writerow([""] * n)  # Excel pads blank rows inside the used range with commas
        elif kind == "title":
            w.writerow([cells[0]] + [""] * (n - 1))
        else:
            w.writerow(["" if v is None else v for v in cells])
    text = buf.getvalue()
    if encoding == "gbk":
        try:
            return text.encode("gbk")
        except UnicodeEncodeError:
            return text.encode("gb18030")
    return text.encode(encoding)


def write_csv(path: Path, layout: Layout, encoding: str, newline: str) -> None:
    path.write_bytes(csv_bytes(layout, encoding, newline))
