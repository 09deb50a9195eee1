"""Write ledger files the way senders do, for tests: title rows, 合计 rows, GBK, xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.lib.contracts import get_contract

Cell = str | int | float | dt.date | dt.datetime | None
SHANGHAI = ZoneInfo("Asia/Shanghai")


def headers(feed: str, drop: Sequence[str] = ()) -> list[str]:
    return [c.header for c in get_contract(feed).columns if c.name not in drop]


def set_received(path: Path, when: dt.datetime) -> None:
    """A file's received time is its modification time, Asia/Shanghai (feeds.md)."""
    stamp = when.replace(tzinfo=SHANGHAI).timestamp()
    os.utime(path, (stamp, stamp))


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[Cell]],
    *,
    encoding: str = "utf-8",
    title: str | None = None,
    total: list[Cell] | None = None,
    received: dt.datetime | None = None,
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title:
        writer.writerow([title] + [""] * (len(header) - 1))
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    if total:
        writer.writerow(["" if v is None else v for v in total])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    if received:
        set_received(path, received)
    return path


def write_xlsx(
    path: Path,
    header: list[str],
    rows: list[list[Cell]],
    *,
    title: str | None = None,
    total: list[Cell] | None = None,
    blank_after_header: bool = False,
    received: dt.datetime | None = None,
) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ts_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    r = 0
    if title:
        sheet.write(r, 0, title)
        r += 1
    for c, name in enumerate(header):
        sheet.write(r, c, name)
    r += 1
    if blank_after_header:
        r += 1
    for row in [*rows, *([total] if total else [])]:
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, ts_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                sheet.write(r, c, value)
        r += 1
    book.close()
    if received:
        set_received(path, received)
    return path
