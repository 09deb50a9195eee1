"""The four attachment tables (附件1-4) as rows of text, shared by the PDF and the DOCX so
both print the same cells. A header may hold a line break (\\n)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.lib import labels
from pipelines.lib.bulletin.fonts import SIZE_TABLE
from pipelines.lib.bulletin.wording import NONE
from pipelines.lib.labels import word

RANKING, SCOREBOARD, HAZARDS, QUALITY = (
    "township_rankings",
    "kpi_scoreboard_daily",
    "major_and_supervised_hazards",
    "data_quality_by_sender",
)
NARROW = 8  # a column this narrow (percent of the type area) breaks a header of 4+ characters in two lines


@dataclass
class Table:
    headers: list[str]
    widths: list[int]  # relative column widths (percent of the type area)
    rows: list[list[str]] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)  # indexes into rows
    note: str = ""
    css_class: str = ""
    font_size: float = SIZE_TABLE  # points; the widest tables a little smaller, to fit a page


def _dash(value: Any) -> str:
    return NONE if value is None else str(value)


def _headers(model: str, columns: list[str | tuple[str, int]]) -> tuple[list[str], list[int]]:
    """(headers, widths) for (column, width) pairs: the label of the registry (dbt meta,
    contract, vocabulary), broken in two lines in a narrow column (挂牌\n督办)."""
    texts, widths = [], []
    for column, width in columns:
        text = labels.headers([column], model=model)[column]
        if width <= NARROW and len(text) >= 4 and "\n" not in text:
            text = f"{text[:2]}\n{text[2:]}"
        texts.append(text)
        widths.append(width)
    return texts, widths


def ranking_table(c: dict[str, Any]) -> Table:
    comps = c["components"]
    headers, widths = _headers(
        RANKING,
        [
            ("rank", 6),
            ("movement", 6),
            ("township_name", 14),
            ("total", 8),
            *[(k["key"], 10) for k in comps],
            ("band", 10),
            ("vetoed", 6),
        ],
    )
    for i, k in enumerate(comps, start=4):
        headers[i] = f"{headers[i]}\n（{k['max']:g}）"
    table = Table(
        headers=headers,
        widths=widths,
        css_class="ranking",
        font_size=9.5,  # with the 版记 under it, on one page
    )
    for i, r in enumerate(c["ranking"]):
        table.rows.append(
            [
                str(r["rank"]),
                r["movement"],
                r["township_name"],
                r["total"],
                *[r[k["key"]] for k in comps],
                r["band"],
                word("value", "true") if r["vetoed"] else NONE,
            ]
        )
        if r["named"]:
            table.bold_rows.add(i)
    table.note = f"注：升降为与上期相比的名次变化，“{NONE}”为上期无排名；加粗的为本期通报的乡镇（街道）。"
    return table


def scoreboard_table(c: dict[str, Any]) -> Table:
    headers, widths = _headers(
        SCOREBOARD,
        [
            ("seq", 6),
            ("label", 31),
            ("value", 13),
            ("ly_value", 13),
            ("change_text", 14),
            ("target", 12),
            ("status", 11),
        ],
    )
    table = Table(headers=headers, widths=widths, css_class="scoreboard")
    for i, r in enumerate(c["scoreboard"], 1):
        table.rows.append(
            [str(i), r["label"], r["value"], r["ly_value"], r["change_text"], r["target"], r["status_cn"]]
        )
        if r["status"] == "breached":
            table.bold_rows.add(i - 1)
    table.note = (
        f"注：目标依据{c['county']}年度应急管理重点工作要点；“{NONE}”为无可比数据或无目标；"
        "森林火灾受害率以千分比（‰）计；加粗的为未达标指标。"
    )
    return table


def hazards_table(c: dict[str, Any]) -> Table:
    headers, widths = _headers(
        HAZARDS,
        [
            ("seq", 5),
            ("township_name", 10),
            ("hazard_id", 19),
            ("enterprise_name", 16),
            ("description", 16),
            ("level", 6),
            ("is_supervised", 6),
            ("deadline", 14),
            ("days_overdue", 8),
        ],
    )
    table = Table(headers=headers, widths=widths, css_class="hazards", font_size=9.5)
    for i, h in enumerate(c["supervised_hazards"]):
        table.rows.append(
            [
                str(i + 1),
                _dash(h["township_name"]),
                h["hazard_id"],
                _dash(h["enterprise_name"]),
                _dash(h["description"]),
                _dash(h["level"]),
                _dash(h["is_supervised"]),
                _dash(h["deadline"]),
                str(h["days_overdue"]) if h["is_overdue"] else NONE,
            ]
        )
        if h["is_overdue"]:
            table.bold_rows.add(i)
    table.note = (
        "注：列入清单的是截至统计日未整改销号的重大隐患和挂牌督办隐患；加粗的已超过整改期限。"
        if table.rows
        else "截至统计日，全市无未整改销号的重大隐患和挂牌督办隐患。"
    )
    return table


def reporting_table(c: dict[str, Any]) -> Table:
    headers, widths = _headers(
        QUALITY,
        [
            ("seq", 5),
            ("sender_name", 23),
            ("files_due", 7),
            ("files_on_time", 7),
            ("files_late", 7),
            ("files_missing", 7),
            ("events_late", 7),
            ("files_received", 7),
            ("files_rejected", 7),
            ("rows_loaded", 7),
            ("rows_quarantined", 7),
            ("pass_rate", 8),
        ],
    )
    table = Table(headers=headers, widths=widths, css_class="reporting")
    for i, r in enumerate(c["data_quality"]["problems"], 1):
        table.rows.append(
            [
                str(i),
                r["sender_name"],
                _dash(r["files_due"]),
                _dash(r["files_on_time"]),
                _dash(r["files_late"]),
                _dash(r["files_missing"]),
                _dash(r["events_late"]),
                str(r["files_received"]),
                str(r["files_rejected"]),
                str(r["rows_loaded"]),
                str(r["rows_quarantined"]),
                r["pass_rate_text"],
            ]
        )
    table.note = (
        "注：列出本期有迟报、未报、事件信息超时报送、数据被隔离或文件被退回的单位；各单位完整情况见同期 Excel 附表。"
        if table.rows
        else "本期各单位均按时报送，数据全部通过校验。"
    )
    return table


BUILDERS = {
    "ranking": ranking_table,
    "scoreboard": scoreboard_table,
    "hazards": hazards_table,
    "reporting": reporting_table,
}


def build_table(key: str, c: dict[str, Any]) -> Table:
    return BUILDERS[key](c)
