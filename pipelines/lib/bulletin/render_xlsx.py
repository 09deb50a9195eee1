"""XLSX: the figures behind the bulletin, one sheet per table, for the clerk who sorts,
filters and re-uses them. Numbers are stored as numbers (formatted, not text); each sheet
has a title row, a header row, frozen panes and a filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from pipelines.lib.bulletin.fonts import Fonts
from pipelines.lib.bulletin.wording import STATUS_CN
from pipelines.lib.safe_cells import safe_text

YES_NO = {True: "是", False: "否", None: ""}

# (header, width, value of a row, number format or None)
Column = tuple[str, float, Callable[[dict], Any], str | None]


def _ranking_columns(content: dict[str, Any]) -> list[Column]:
    cols: list[Column] = [
        ("排名", 6, lambda r: r["rank"], "0"),
        ("升降", 6, lambda r: r["movement_raw"], "+0;-0;0"),
        ("乡镇代码", 11, lambda r: r["township_code"], None),
        ("乡镇（街道）", 13, lambda r: r["township_name"], None),
        ("总分", 8, lambda r: r["total_raw"], "0.00"),
    ]
    for comp in content["components"]:
        cols.append((f"{comp['label']}（{comp['max']:g}分）", 11, lambda r, k=comp["key"]: r[f"{k}_raw"], "0.00"))
    cols += [
        ("等次", 9, lambda r: r["band"], None),
        ("一票否决", 9, lambda r: YES_NO[r["vetoed"]], None),
        ("否决事由", 18, lambda r: r["veto_reason"], None),
        ("红榜", 6, lambda r: YES_NO[r["red_list"]], None),
        ("通报", 6, lambda r: YES_NO[r["named"]], None),
        ("失分最多项", 11, lambda r: r["weakest_component_label"], None),
        ("该项失分", 9, lambda r: r["weakest_component_lost"], "0.00"),
        ("事故起数", 9, lambda r: r["accidents"], "0"),
        ("死亡人数", 9, lambda r: r["deaths"], "0"),
        ("森林火灾", 9, lambda r: r["forest_fires"], "0"),
    ]
    return cols


SCOREBOARD_COLUMNS: list[Column] = [
    ("序号", 6, lambda r: r["_n"], "0"),
    ("指标", 30, lambda r: r["label"], None),
    ("单位", 7, lambda r: r["unit"], None),
    ("今年以来", 12, lambda r: r["value_raw"], "0.00##"),
    ("去年同期", 12, lambda r: r["ly_value_raw"], "0.00##"),
    ("同比", 13, lambda r: r["change_text"], None),
    ("年度目标", 12, lambda r: r["target"], None),
    ("状态", 9, lambda r: STATUS_CN.get(r["status"], ""), None),
    ("指标代码", 30, lambda r: r["metric_id"], None),
]

HAZARD_COLUMNS: list[Column] = [
    ("序号", 6, lambda r: r["_n"], "0"),
    ("隐患编号", 16, lambda r: r["hazard_id"], None),
    ("乡镇代码", 11, lambda r: r["township_code"], None),
    ("乡镇（街道）", 12, lambda r: r["township_name"], None),
    ("单位", 28, lambda r: r["enterprise_name"], None),
    ("行业", 12, lambda r: r["sector"], None),
    ("隐患内容", 30, lambda r: r["description"], None),
    ("等级", 6, lambda r: r["level"], None),
    ("挂牌督办", 9, lambda r: r["is_supervised"], None),
    ("发现日期", 12, lambda r: r["found_on"], None),
    ("整改期限", 12, lambda r: r["deadline"], None),
    ("是否逾期", 9, lambda r: YES_NO[r["is_overdue"]], None),
    ("逾期天数", 9, lambda r: r["days_overdue"], "0"),
    ("已挂账天数", 10, lambda r: r["days_open"], "0"),
    ("整改资金（万元）", 14, lambda r: r["funds_10k_cny"], "0.00"),
]

QUALITY_COLUMNS: list[Column] = [
    ("单位代码", 11, lambda r: r["sender_code"], None),
    ("报送单位", 30, lambda r: r["sender_name"], None),
    ("类别", 8, lambda r: {"township": "乡镇", "department": "部门"}.get(r["sender_kind"], r["sender_kind"]), None),
    ("应报台账", 9, lambda r: r["files_due"], "0"),
    ("按时", 7, lambda r: r["files_on_time"], "0"),
    ("迟报", 7, lambda r: r["files_late"], "0"),
    ("未报", 7, lambda r: r["files_missing"], "0"),
    ("事件信息", 9, lambda r: r["events_reported"], "0"),
    ("事件超时", 9, lambda r: r["events_late"], "0"),
    ("接收文件", 9, lambda r: r["files_received"], "0"),
    ("退回文件", 9, lambda r: r["files_rejected"], "0"),
    ("入库行数", 9, lambda r: r["rows_loaded"], "0"),
    ("隔离行数", 9, lambda r: r["rows_quarantined"], "0"),
    ("数据合格率", 11, lambda r: r["pass_rate"], "0.0%"),
    ("按时报送率", 11, lambda r: r["on_time_rate"], "0.0%"),
]


class XlsxWriter:
    def __init__(self, content: dict[str, Any], fonts: Fonts, target: Path):
        self.c = content
        face = fonts.heading  # a sans face reads best in a grid
        self.book = xlsxwriter.Workbook(
            str(target), {"default_format_properties": {"font_name": face, "font_size": 10.5}}
        )
        base = {"font_name": face, "font_size": 10.5, "border": 1, "valign": "vcenter"}
        self.title = self.book.add_format({"font_name": face, "bold": True, "font_size": 14, "align": "center",
                                           "valign": "vcenter"})
        self.header = self.book.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                                            "bg_color": "#F2F2F2"})
        self.cell = self.book.add_format(base)
        self.number_formats: dict[str, Any] = {}
        self.base = base

    def _fmt(self, num_format: str | None):
        if num_format is None:
            return self.cell
        if num_format not in self.number_formats:
            self.number_formats[num_format] = self.book.add_format({**self.base, "num_format": num_format})
        return self.number_formats[num_format]

    def sheet(self, name: str, title: str, columns: list[Column], rows: list[dict]) -> None:
        ws = self.book.add_worksheet(name)
        ws.merge_range(0, 0, 0, len(columns) - 1, title, self.title)
        ws.set_row(0, 28)
        ws.set_row(1, 30)
        for col, (header, width, _, _) in enumerate(columns):
            ws.set_column(col, col, width)
            ws.write_string(1, col, header, self.header)
        for r, row in enumerate(rows, start=2):
            for col, (_, _, value, num_format) in enumerate(columns):
                v = value(row)
                if v is None:
                    ws.write_blank(r, col, None, self._fmt(num_format))
                elif isinstance(v, bool):
                    ws.write_string(r, col, YES_NO[v], self.cell)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, col, v, self._fmt(num_format))
                else:
                    ws.write_string(r, col, safe_text(str(v)), self._fmt(num_format))
        ws.freeze_panes(2, 0)
        if rows:
            ws.autofilter(1, 0, 1 + len(rows), len(columns) - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)

    def about(self) -> None:
        """说明: what the workbook is, the period and the date of the figures."""
        c, doc, period = self.c, self.c["document"], self.c["period"]
        ws = self.book.add_worksheet("说明")
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 70)
        ws.merge_range(0, 0, 0, 1, doc["title"], self.title)
        items = [
            ("文号", doc["doc_number"]),
            ("文种", doc["kind_cn"]),
            ("考核周期", f"{period['name_cn']}（{period['label']}，{period['start']} 至 {period['end']}）"),
            ("数据截至", f"{period['as_of']}" + ("" if period["is_complete"] else "（本期尚未结束）")),
            ("成文日期", doc["issue_date"]),
            ("发文机关", c["bureau"]),
            ("报送统计口径", "按数据质量汇总表" if c["data_quality"]["source"] == "mart" else "本期不在报送统计期内"),
        ]
        for r, (key, value) in enumerate(items, start=2):
            ws.write_string(r, 0, key, self.header)
            ws.write_string(r, 1, safe_text(value), self.cell)

    def write(self) -> None:
        c, period = self.c, self.c["period"]
        titles = c["list_titles"]  # every table is in the workbook, attached to the PDF or not
        self.sheet("排名", titles["ranking"], _ranking_columns(c), c["ranking"])
        numbered = lambda rows: [{**r, "_n": i} for i, r in enumerate(rows, 1)]  # noqa: E731
        self.sheet("指标", titles["scoreboard"], SCOREBOARD_COLUMNS, numbered(c["scoreboard"]))
        self.sheet("重大及挂牌督办隐患", titles["hazards"], HAZARD_COLUMNS, numbered(c["supervised_hazards"]))
        self.sheet("数据报送", f"{period['name_cn']}各单位数据报送情况", QUALITY_COLUMNS, c["data_quality"]["rows"])
        self.about()
        self.book.set_properties({"title": c["document"]["title"], "author": c["bureau"],
                                  "subject": c["document"]["doc_number"]})
        self.book.close()


def write_xlsx(content: dict[str, Any], fonts: Fonts, target: Path) -> Path:
    XlsxWriter(content, fonts, target).write()
    return target
