"""The four attachment tables (附件1-4) as rows of text, shared by the PDF and the DOCX so
both print the same cells. A header may hold a line break (\\n)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.lib.bulletin.fonts import SIZE_TABLE
from pipelines.lib.bulletin.wording import NONE


@dataclass
class Table:
    headers: list[str]
    widths: list[int]              # relative column widths (percent of the type area)
    rows: list[list[str]] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)  # indexes into rows
    note: str = ""
    css_class: str = ""
    font_size: float = SIZE_TABLE  # points; the widest tables a little smaller, to fit a page


def _dash(value: Any) -> str:
    return NONE if value is None else str(value)


def ranking_table(c: dict[str, Any]) -> Table:
    comps = c["components"]
    table = Table(
        headers=["排名", "升降", "乡镇（街道）", "总分", *[f"{k['label']}\n（{k['max']:g}）" for k in comps], "等次",
                 "一票\n否决"],
        widths=[6, 6, 14, 8, *[10] * len(comps), 10, 6],
        css_class="ranking",
        font_size=9.5,  # with the 版记 under it, on one page
    )
    for i, r in enumerate(c["ranking"]):
        table.rows.append([str(r["rank"]), r["movement"], r["township_name"], r["total"],
                           *[r[k["key"]] for k in comps], r["band"], "是" if r["vetoed"] else NONE])
        if r["named"]:
            table.bold_rows.add(i)
    table.note = f"注：升降为与上期相比的名次变化，“{NONE}”为上期无排名；加粗的为本期通报的乡镇（街道）。"
    return table


def scoreboard_table(c: dict[str, Any]) -> Table:
    table = Table(headers=["序号", "指标", "今年以来", "去年同期", "同比", "年度目标", "状态"],
                  widths=[6, 31, 13, 13, 14, 12, 11], css_class="scoreboard")
    for i, r in enumerate(c["scoreboard"], 1):
        table.rows.append([str(i), r["label"], r["value"], r["ly_value"], r["change_text"], r["target"], r["status_cn"]])
        if r["status"] == "breached":
            table.bold_rows.add(i - 1)
    table.note = (
        f"注：目标依据{c['county']}年度应急管理重点工作要点；“{NONE}”为无可比数据或无目标；"
        "森林火灾受害率以千分比（‰）计；加粗的为未达标指标。"
    )
    return table


def hazards_table(c: dict[str, Any]) -> Table:
    table = Table(headers=["序号", "乡镇（街道）", "隐患编号", "单位", "隐患内容", "等级", "挂牌\n督办", "整改期限", "逾期\n天数"],
                  widths=[5, 10, 19, 16, 16, 6, 6, 14, 8], css_class="hazards", font_size=9.5)
    for i, h in enumerate(c["supervised_hazards"]):
        table.rows.append([str(i + 1), _dash(h["township_name"]), h["hazard_id"], _dash(h["enterprise_name"]),
                           _dash(h["description"]), _dash(h["level"]), _dash(h["is_supervised"]), _dash(h["deadline"]),
                           str(h["days_overdue"]) if h["is_overdue"] else NONE])
        if h["is_overdue"]:
            table.bold_rows.add(i)
    table.note = (
        "注：列入清单的是截至统计日未整改销号的重大隐患和挂牌督办隐患；加粗的已超过整改期限。"
        if table.rows else "截至统计日，全市无未整改销号的重大隐患和挂牌督办隐患。"
    )
    return table


def reporting_table(c: dict[str, Any]) -> Table:
    table = Table(headers=["序号", "报送单位", "应报\n台账", "按时", "迟报", "未报", "事件\n超时", "接收\n文件", "退回\n文件",
                           "入库\n行数", "隔离\n行数", "数据\n合格率"],
                  widths=[5, 23, 7, 7, 7, 7, 7, 7, 7, 7, 7, 9], css_class="reporting")
    for i, r in enumerate(c["data_quality"]["problems"], 1):
        table.rows.append([str(i), r["sender_name"], _dash(r["files_due"]), _dash(r["files_on_time"]),
                           _dash(r["files_late"]), _dash(r["files_missing"]), _dash(r["events_late"]),
                           str(r["files_received"]), str(r["files_rejected"]), str(r["rows_loaded"]),
                           str(r["rows_quarantined"]), r["pass_rate_text"]])
    table.note = (
        "注：列出本期有迟报、未报、事件信息超时报送、数据被隔离或文件被退回的单位；各单位完整情况见同期 Excel 附表。"
        if table.rows else "本期各单位均按时报送，数据全部通过校验。"
    )
    return table


BUILDERS = {"ranking": ranking_table, "scoreboard": scoreboard_table, "hazards": hazards_table,
            "reporting": reporting_table}


def build_table(key: str, c: dict[str, Any]) -> Table:
    return BUILDERS[key](c)
