"""The .xlsx attached to a data-quality alert: every problem of the message, one line per
Excel row, so the clerk can work through the ledger line by line."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from pipelines.lib.alerts import wording
from pipelines.lib.alerts.render import cn_datetime, cn_due, cn_duration, render_line
from pipelines.lib.safe_cells import safe_text

ROW_SHEET = "未入库数据行"
FILE_SHEET = "被拒收文件"
DEADLINE_SHEET = "报送时限"
RESOLVED_SHEET = "已解决问题"

ROW_HEADER = ["文件", "数据类别", "收到时间", "Excel行号", "编号", "列", "填写的值", "问题", "说明", "修改方法"]
FILE_HEADER = ["文件", "数据类别", "收到时间", "拒收原因", "处理办法"]
DEADLINE_HEADER = ["数据类别", "期间或编号", "截止时间", "状态", "实际报送时间", "迟报时长"]
RESOLVED_HEADER = ["问题", "解决情况"]


def _sheet(book: xlsxwriter.Workbook, name: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text = book.add_format({"text_wrap": True, "valign": "top"})
    for c, (title, width) in enumerate(zip(header, widths)):
        sheet.write_string(0, c, title, bold)
        sheet.set_column(c, c, width, text)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                # strings stay strings: ids and codes must not turn into numbers
                sheet.write_string(r, c, "" if value is None else safe_text(str(value)))
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(header) - 1)


def build_workbook(ctx: dict[str, Any]) -> bytes:
    """ctx is the message context of compose.py (all row problems, not the body's extract)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    row_lines = [
        [
            p["file_name"],
            p["feed_label"],
            cn_datetime(p["received_at"]),
            number,
            p["record_id"] or "",
            p["column_header"],
            p["value"] if p["value"] not in (None, "") else "（空）",
            wording.rule_name(p["rule"]),
            p["reason"],
            wording.rule_fix(p["rule"]),
        ]
        for p in ctx["all_rows"]
        for number in p["rows"]
    ]
    if row_lines:
        _sheet(book, ROW_SHEET, ROW_HEADER, row_lines, [40, 16, 18, 10, 18, 16, 22, 20, 50, 40])
    if ctx["files"]:
        _sheet(
            book,
            FILE_SHEET,
            FILE_HEADER,
            [
                [
                    p["file_name"],
                    p["feed_label"] or "",
                    cn_datetime(p["received_at"]),
                    p["reason"],
                    wording.rejection_fix(p["rule"]),
                ]
                for p in ctx["files"]
            ],
            [40, 16, 18, 50, 60],
        )
    deadline_lines = [
        [p["feed_label"], render_line("period.txt.j2", p=p), cn_due(p["due_at"]), "未报送", "", ""]
        for p in ctx["missing"]
    ] + [
        [
            p["feed_label"],
            render_line("period.txt.j2", p=p),
            cn_due(p["due_at"]),
            "迟报",
            cn_datetime(p["delivered_at"]),
            cn_duration(p["late_seconds"]),
        ]
        for p in ctx["late"]
    ]
    if deadline_lines:
        _sheet(book, DEADLINE_SHEET, DEADLINE_HEADER, deadline_lines, [18, 36, 22, 10, 20, 14])
    if ctx["resolved"]:
        _sheet(
            book,
            RESOLVED_SHEET,
            RESOLVED_HEADER,
            [[render_line("describe.txt.j2", p=p), render_line("resolution.txt.j2", p=p)] for p in ctx["resolved"]],
            [70, 60],
        )
    if not (row_lines or ctx["files"] or deadline_lines or ctx["resolved"]):
        _sheet(book, ROW_SHEET, ROW_HEADER, [], [40, 16, 18, 10, 18, 16, 22, 20, 50, 40])
    book.close()
    return buffer.getvalue()
