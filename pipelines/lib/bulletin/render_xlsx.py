"""XLSX: the figures behind the bulletin, one sheet per table, for the clerk who sorts,
filters and re-uses them. Numbers are stored as numbers (formatted, not text); each sheet
has a title row, a header row, frozen panes and a filter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter

from pipelines.lib.bulletin.fonts import Fonts
from pipelines.lib.labels import header_for, headers, word
from pipelines.lib.safe_cells import safe_text

YES_NO = {True: word("value", "true"), False: word("value", "false"), None: ""}
RANKING, SCOREBOARD, HAZARDS, QUALITY = (
    "township_rankings",
    "kpi_scoreboard_daily",
    "major_and_supervised_hazards",
    "data_quality_by_sender",
)

# (header, width, value of a row, number format or None)
Column = tuple[str, float, Callable[[dict], Any], str | None]


def _col(
    model: str, column: str, width: float, value: Callable[[dict], Any] | None = None, num_format: str | None = None
) -> Column:
    """A sheet column headed with the registry's label of the mart column (default value: the row's)."""
    return headers([column], model=model)[column], width, value or (lambda r: r[column]), num_format


def _ranking_columns(content: dict[str, Any]) -> list[Column]:
    cols: list[Column] = [
        _col(RANKING, "rank", 6, None, "0"),
        _col(RANKING, "movement", 6, lambda r: r["movement_raw"], "+0;-0;0"),
        _col(RANKING, "township_code", 11),
        _col(RANKING, "township_name", 13),
        _col(RANKING, "total", 8, lambda r: r["total_raw"], "0.00"),
    ]
    for comp in content["components"]:
        header, width, value, num_format = _col(
            RANKING, comp["key"], 11, lambda r, k=comp["key"]: r[f"{k}_raw"], "0.00"
        )
        cols.append((f"{header}（{comp['max']:g}分）", width, value, num_format))
    cols += [
        _col(RANKING, "band", 9),
        _col(RANKING, "vetoed", 9, lambda r: YES_NO[r["vetoed"]]),
        _col(RANKING, "veto_reason", 18),
        _col(RANKING, "red_list", 6, lambda r: YES_NO[r["red_list"]]),
        _col(RANKING, "named", 9, lambda r: YES_NO[r["named"]]),
        _col(RANKING, "weakest_component_label", 11),
        _col(RANKING, "weakest_component_lost", 9, None, "0.00"),
        _col(RANKING, "accidents", 9, None, "0"),
        _col(RANKING, "deaths", 9, None, "0"),
        _col(RANKING, "forest_fires", 12, None, "0"),
    ]
    return cols


SCOREBOARD_COLUMNS: list[Column] = [
    _col(SCOREBOARD, "seq", 6, lambda r: r["_n"], "0"),
    _col(SCOREBOARD, "label", 30),
    _col(SCOREBOARD, "unit", 7),
    _col(SCOREBOARD, "value", 12, lambda r: r["value_raw"], "0.00##"),
    _col(SCOREBOARD, "ly_value", 12, lambda r: r["ly_value_raw"], "0.00##"),
    _col(SCOREBOARD, "change_text", 13),
    _col(SCOREBOARD, "target", 12),
    _col(SCOREBOARD, "status", 9, lambda r: word("status", r["status"]) if r["status"] else ""),
    _col(SCOREBOARD, "metric_id", 30),
]

HAZARD_COLUMNS: list[Column] = [
    _col(HAZARDS, "seq", 6, lambda r: r["_n"], "0"),
    _col(HAZARDS, "hazard_id", 16),
    _col(HAZARDS, "township_code", 11),
    _col(HAZARDS, "township_name", 12),
    _col(HAZARDS, "enterprise_name", 28),
    _col(HAZARDS, "sector", 12),
    _col(HAZARDS, "description", 30),
    _col(HAZARDS, "level", 9),
    _col(HAZARDS, "is_supervised", 9),
    _col(HAZARDS, "found_on", 12),
    _col(HAZARDS, "deadline", 12),
    _col(HAZARDS, "is_overdue", 9, lambda r: YES_NO[r["is_overdue"]]),
    _col(HAZARDS, "days_overdue", 9, None, "0"),
    _col(HAZARDS, "days_open", 10, None, "0"),
    _col(HAZARDS, "funds_10k_cny", 14, None, "0.00"),
]

QUALITY_COLUMNS: list[Column] = [
    _col(QUALITY, "sender_code", 12),
    _col(QUALITY, "sender_name", 30),
    _col(QUALITY, "sender_kind", 9, lambda r: word("sender_kind", r["sender_kind"])),
    _col(QUALITY, "files_due", 9, None, "0"),
    _col(QUALITY, "files_on_time", 7, None, "0"),
    _col(QUALITY, "files_late", 7, None, "0"),
    _col(QUALITY, "files_missing", 7, None, "0"),
    _col(QUALITY, "events_reported", 9, None, "0"),
    _col(QUALITY, "events_late", 9, None, "0"),
    _col(QUALITY, "files_received", 9, None, "0"),
    _col(QUALITY, "files_rejected", 9, None, "0"),
    _col(QUALITY, "rows_loaded", 9, None, "0"),
    _col(QUALITY, "rows_quarantined", 9, None, "0"),
    _col(QUALITY, "pass_rate", 11, None, "0.0%"),
    _col(QUALITY, "on_time_rate", 11, None, "0.0%"),
]


class XlsxWriter:
    def __init__(self, content: dict[str, Any], fonts: Fonts, target: Path):
        self.c = content
        face = fonts.heading  # a sans face reads best in a grid
        self.book = xlsxwriter.Workbook(
            str(target), {"default_format_properties": {"font_name": face, "font_size": 10.5}}
        )
        base = {"font_name": face, "font_size": 10.5, "border": 1, "valign": "vcenter"}
        self.title = self.book.add_format(
            {"font_name": face, "bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
        )
        self.header = self.book.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}
        )
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
        ws = self.book.add_worksheet("说明")  # label-ok: a sheet's name
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 70)
        ws.merge_range(0, 0, 0, 1, doc["title"], self.title)
        items = [
            ("文号", doc["doc_number"]),
            ("文种", doc["kind_cn"]),
            (
                header_for("period_type", model=RANKING),
                f"{period['name_cn']}（{period['label']}，{period['start']} 至 {period['end']}）",
            ),
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
        self.sheet(
            "排名",  # label-ok: a sheet's name
            titles["ranking"],
            _ranking_columns(c),
            c["ranking"],
        )
        numbered = lambda rows: [{**r, "_n": i} for i, r in enumerate(rows, 1)]  # noqa: E731
        self.sheet(
            "指标",  # label-ok: a sheet's name
            titles["scoreboard"],
            SCOREBOARD_COLUMNS,
            numbered(c["scoreboard"]),
        )
        self.sheet(
            "重大及挂牌督办隐患",  # label-ok: a sheet's name
            titles["hazards"],
            HAZARD_COLUMNS,
            numbered(c["supervised_hazards"]),
        )
        self.sheet("数据报送", f"{period['name_cn']}各单位数据报送情况", QUALITY_COLUMNS, c["data_quality"]["rows"])
        self.about()
        self.book.set_properties(
            {"title": c["document"]["title"], "author": c["bureau"], "subject": c["document"]["doc_number"]}
        )
        self.book.close()


def write_xlsx(content: dict[str, Any], fonts: Fonts, target: Path) -> Path:
    XlsxWriter(content, fonts, target).write()
    return target
