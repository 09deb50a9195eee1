"""A ledger whose formatting runs to row 1,048,576 against the same ledger without it.

    python -m bench.formatted_sheet [--rows 50] [--repeat 3]

feeds.md: rows holding only formatting are not rows, and such a sheet reads in about the
time and memory of the same ledger without them. Three files of one 50-row hazards ledger
(a title row, a two-row header with merged group cells, a township merged over rows, as
tests/test_real_ledgers.py builds them): plain; with 7 styled cells on every row down to
1,048,576 (a clerk's drag-selected borders: ~197 MB of sheet XML, its merged ranges after
the rows); with row styles down to 1,048,576 (Excel's whole-row formatting). Each is read
in a fresh process through the pipeline's reading path (read_book, find_sheet,
classify_rows); prints one JSON object: per file the size, the medians of wall and CPU
seconds (CPU moves less when other work shares the machine) and of the peak RSS, and the
rows read.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

SHEET = "xl/worksheets/sheet1.xml"
LAST_ROW = 1_048_576


def ledger(rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "隐患台账"
    sheet.append(["宁乡市玉潭街道2023年第14周隐患排查治理台账"])
    sheet.merge_cells("A1:G1")
    sheet.append(["隐患编号", "基本信息", None, "隐患等级", "隐患描述", "整改期限", "挂牌督办"])
    sheet.append([None, "排查日期", "所属乡镇", None, None, None, None])
    sheet.merge_cells("B2:C2")
    for col in "ADEFG":
        sheet.merge_cells(f"{col}2:{col}3")
    for i in range(rows):
        sheet.append([f"F-{i}", "2023-04-03", "玉潭" if i % 2 == 0 else None, "一般", "描述", "2023-05-01", "否"])
        if i % 2 == 0:
            sheet.merge_cells(f"C{i + 4}:C{i + 5}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_tail(data: bytes, kind: str) -> bytes:
    """The workbook with formatting-only rows after its last row, down to 1,048,576."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename != SHEET:
                dst.writestr(info.filename, part)
                continue
            head, rest = part.split(b"</sheetData>")
            first = int(head.rsplit(b'<row r="', 1)[1].split(b'"')[0]) + 1
            with dst.open(SHEET, "w", force_zip64=True) as stream:
                stream.write(re.sub(rb'<dimension ref="A1:G\d+"', b'<dimension ref="A1:G1048576"', head))
                for start in range(first, LAST_ROW + 1, 10_000):
                    rows = range(start, min(start + 10_000, LAST_ROW + 1))
                    if kind == "cells":
                        text = "".join(
                            f'<row r="{r}" spans="1:7">'
                            + "".join(f'<c r="{c}{r}" s="1"/>' for c in "ABCDEFG")
                            + "</row>"
                            for r in rows
                        )
                    else:
                        text = "".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in rows)
                    stream.write(text.encode())
                stream.write(b"</sheetData>" + rest)
    return out.getvalue()


def read_once(path: Path) -> dict:
    """In this process: the pipeline's reading path over one file."""
    from pipelines.lib.contracts import get_contract
    from pipelines.lib.layout_detect import classify_rows, find_sheet
    from pipelines.lib.reading import read_book

    contract = get_contract("hazards")
    data = path.read_bytes()
    began, cpu = time.perf_counter(), time.process_time()
    sheet, header = find_sheet(read_book(path, data), contract)
    rows = classify_rows([sheet.frame], [header], [0], contract)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rows": rows.height,
        "data_rows": int((rows["_kind"] == "data").sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.formatted_sheet")
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.read:
        print(json.dumps(read_once(args.read)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-formatted-"))
    plain = ledger(args.rows)
    files = {
        "plain": plain,
        "styled cells to 1,048,576": with_tail(plain, "cells"),
        "row styles to 1,048,576": with_tail(plain, "rows"),
    }
    out = {}
    for label, data in files.items():
        path = folder / f"{len(out)}.xlsx"
        path.write_bytes(data)
        with zipfile.ZipFile(path) as book:
            xml_mb = book.getinfo(SHEET).file_size / 2**20
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-m", "bench.formatted_sheet", "--read", str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(args.repeat)
        ]
        if len({(r["rows"], r["data_rows"]) for r in runs}) != 1 or runs[0]["data_rows"] != args.rows:
            raise RuntimeError(f"{label}: unexpected rows {runs}")
        out[label] = {
            "file_mb": round(len(data) / 2**20, 1),
            "sheet_xml_mb": round(xml_mb, 1),
            "wall_s": statistics.median(r["wall_s"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            "rows": runs[0]["rows"],
            "runs": [r["wall_s"] for r in runs],
        }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
