"""The five sections of a bulletin, in the order and wording of a Chinese 通报:
一、总体情况 二、乡镇排名 三、隐患治理 四、数据报送 五、工作要求, with the numbers written into
the sentences. Each returns {"heading", "paragraphs": [{"lead", "text"}]}; content.py numbers
the headings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipelines.lib.bulletin.periods import PeriodInfo, cn_date, cn_range
from pipelines.lib.bulletin.wording import NONE, STATUS_CN, fmt_count, fmt_num, join_cn, yoy_clause

# How many names a sentence lists before it says 等N个 (the full list is in the XLSX): a 周通报
# is read in five minutes.
MAX_NAMES = 4


class Refer:
    """Where a table can be read: 见附件N when it is attached to the PDF and DOCX, else the
    XLSX published with them (content.py decides which tables are attached)."""

    def __init__(self, attachments: list[dict]):
        self.numbers = {a["key"]: n for n, a in enumerate(attachments, 1)}

    def __call__(self, key: str) -> str:
        number = self.numbers.get(key)
        return f"见附件{number}" if number else "见同期Excel附表"


def some_names(names: list[str], unit: str = "个单位") -> str:
    """A、B、C, or A、B…H等12个单位 when there are more than MAX_NAMES."""
    if len(names) <= MAX_NAMES:
        return join_cn(names)
    return f"{join_cn(names[:MAX_NAMES])}等{len(names)}{unit}"


def paragraph(text: str, lead: str | None = None) -> dict[str, str | None]:
    """One body paragraph; ``lead`` is its run-in sub-heading, e.g. （一）事故情况。"""
    return {"lead": lead, "text": text}


def has_reporting_problem(r: dict) -> bool:
    return bool(
        (r["files_late"] or 0)
        + (r["files_missing"] or 0)
        + (r["events_late"] or 0)
        + r["rows_quarantined"]
        + r["files_rejected"]
    )


# ---------------------------------------------------------------- 一、总体情况


def overview(
    info: PeriodInfo,
    as_of: dt.date,
    complete: bool,
    figures: dict,
    scoreboard: list[dict],
    refer: Refer,
    brief: bool = False,
) -> dict[str, Any]:
    """figures: the period's row of marts.bulletin_figures. brief: the breached metrics are
    counted, not named (a 周通报 that would not fit on 4 pages)."""
    when = info.this_cn  # the dates are in the opening sentence
    if not complete:
        when = f"{info.this_cn}（{cn_range(info.start, as_of)}，本期尚未结束）"
    acc, deaths, fires = figures["accidents"], figures["deaths"], figures["forest_fires"]
    yoy = "无去年同期数据可比"
    fire_clause = f"发生森林火灾{fires}起"
    if figures["has_last_year"]:
        yoy = yoy_clause([(figures["accidents_change_text"], acc, "起"), (figures["deaths_change_text"], deaths, "人")])
        fire_clause += f"（去年同期{figures['ly_forest_fires']}起）"
    period_text = f"{when}，全市发生生产安全事故{acc}起、死亡{deaths}人，{yoy}；{fire_clause}。"

    by_id = {r["metric_id"]: r for r in scoreboard}
    ytd = _ytd_sentence(info, as_of, by_id)
    counts = {key: [r for r in scoreboard if r["status"] == key] for key in STATUS_CN}
    judged = sum(len(v) for v in counts.values())
    parts = [f"{STATUS_CN[k]}{len(v)}项" for k, v in counts.items() if v]
    kpi_text = (
        f"截至{cn_date(as_of, with_year=False)}，{judged}项有年度目标的主要指标中{join_cn(parts, '暂无可评价指标')}。"
    )
    behind = counts["breached"] + counts["at_risk"]
    if counts["breached"] and not brief:
        kpi_text += f"未达标的是{join_cn(_kpi_brief(r) for r in counts['breached'])}。"
    if not behind:
        kpi_text += "各项指标均在目标范围内。"
    kpi_text += f"各项指标{refer('scoreboard')}。"
    return {
        "heading": "总体情况",
        "paragraphs": [
            paragraph(period_text + ytd, "（一）事故灾害情况。"),
            paragraph(kpi_text, "（二）主要指标完成情况。"),
        ],
    }


def _ytd_sentence(info: PeriodInfo, as_of: dt.date, by_id: dict[str, dict]) -> str:
    accidents, deaths = by_id.get("accidents"), by_id.get("accident_deaths")
    if not accidents or not deaths:
        return ""
    a, d = accidents["value_raw"], deaths["value_raw"]
    text = (
        f"今年以来全市累计发生生产安全事故{fmt_count(a)}起、死亡{fmt_count(d)}人，"
        f"{yoy_clause([(accidents['change_text'], a, '起'), (deaths['change_text'], d, '人')])}"
    )
    if accidents["target_raw"] is not None and deaths["target_raw"] is not None:
        # a count's control line is a whole number (kpis.md): 23 deaths, never 23.2
        text += f"，同期控制线分别为{fmt_count(accidents['target_raw'])}起、{fmt_count(deaths['target_raw'])}人，" + (
            f"均{_within(accidents)}"
            if _within(accidents) == _within(deaths)
            else f"事故起数{_within(accidents)}，死亡人数{_within(deaths)}"
        )
    text += "。"
    return text


def _within(row: dict) -> str:
    return "在控制线以内" if row["status"] in ("on_track", "met") else "超出控制线"


def _kpi_brief(row: dict) -> str:
    return row["label"]


# ---------------------------------------------------------------- 二、乡镇排名


def ranking_section(
    info: PeriodInfo, rows: list[dict], red_list: list[str], named: list[dict], refer: Refer, brief: bool = False
) -> dict[str, Any]:
    """brief: a red list longer than the townships left off it is written as its complement
    (除……以外的各乡镇), which says the same in fewer lines."""
    scored = [r for r in rows if not r["vetoed"]]
    vetoed = [r for r in rows if r["vetoed"]]
    bands: dict[str, int] = {}
    for r in rows:
        bands[r["band"]] = bands.get(r["band"], 0) + 1
    average = sum(r["total_raw"] for r in scored) / len(scored) if scored else None
    text = (
        f"全市{len(rows)}个乡镇（街道）"
        + (f"平均{fmt_num(average)}分" if average is not None else "")
        + f"，{join_cn(f'{band}{n}个' for band, n in bands.items())}。"
    )
    text += f"考核排名{refer('ranking')}。"

    # ranking.md: the red list is the townships with no accident that are not named
    left_off = [r["township_name"] for r in rows if r["township_name"] not in set(red_list)]
    if not red_list:
        red_text = f"{info.this_cn}没有列入红榜（未发生生产安全事故且未被通报）的乡镇（街道）。"
    elif brief and left_off and len(left_off) < len(red_list):
        red_text = (
            f"列入红榜（未发生生产安全事故且未被通报）的共{len(red_list)}个，"
            f"即除{join_cn(left_off)}以外的各乡镇（街道）。"
        )
    else:
        red_text = f"列入红榜（未发生生产安全事故且未被通报）的共{len(red_list)}个：{join_cn(red_list)}。"
    named_scored = [r for r in named if not r["vetoed"]]
    named_text = ""
    if named_scored:
        lowest = "排名后三位（含并列）" if len(named_scored) > 3 else "排名后三位"
        named_text += f"{lowest}予以通报：" + "；".join(_named_clause(r) for r in named_scored) + "。"
    if vetoed:
        reasons = _unique(r["veto_reason"] or "一票否决事项" for r in vetoed)
        named_text += (
            f"{join_cn(r['township_name'] for r in vetoed)}发生{join_cn(reasons)}，实行“一票否决”，得分计为0分。"
        )
    if not named_text:
        named_text = f"{info.this_cn}无被通报的乡镇（街道）。"
    return {
        "heading": "乡镇排名",
        "paragraphs": [
            paragraph(text),
            paragraph(red_text, "（一）红榜。"),
            paragraph(named_text, "（二）通报乡镇。"),
        ],
    }


def _named_clause(r: dict) -> str:
    """玉潭街道（第25名，69.00分，执法检查失15.00分）: the component that cost most."""
    clause = f"{r['township_name']}（第{r['rank']}名，{r['total']}分"
    if r["weakest_component_label"]:
        clause += f"，{r['weakest_component_label']}失{fmt_num(r['weakest_component_lost'])}分"
    return clause + "）"


# ---------------------------------------------------------------- 三、隐患治理


def hazard_section(
    info: PeriodInfo, as_of: dt.date, figures: dict, hazards: list[dict], refer: Refer
) -> dict[str, Any]:
    """The period's rate counts hazards due in P (the ranking's rule); the year's is the
    scoreboard's and the dashboard's (deadline before the date), both from bulletin_figures."""
    due, ontime = figures["hazards_due"], figures["hazards_due_ontime"]
    if due:
        text = f"{info.this_cn}到期应整改隐患{due}项，按期整改{ontime}项（{figures['hazard_ontime_pct_text']}"
        if figures["ly_hazard_ontime_pct_text"]:
            text += f"，去年同期{figures['ly_hazard_ontime_pct_text']}"
        text += "）。"
    else:
        text = f"{info.this_cn}无到期应整改的隐患。"
    if figures["ytd_hazard_ontime_pct_text"]:
        text += f"今年以来隐患按期整改率{figures['ytd_hazard_ontime_pct_text']}。"
    overdue = [h for h in hazards if h["is_overdue"]]
    majors = [h for h in hazards if h["level"] == "重大"]
    supervised = [h for h in hazards if h["is_supervised"] == "是"]
    text += (
        f"截至{cn_date(as_of, with_year=False)}，未整改销号的重大隐患和挂牌督办隐患共{len(hazards)}项"
        f"（重大{len(majors)}项、挂牌督办{len(supervised)}项），"
    )
    if overdue:
        worst = overdue[0]
        text += (
            f"逾期未整改{len(overdue)}项，涉及{len(_unique(h['township_name'] for h in overdue))}个乡镇（街道），"
            f"最长的是{worst['township_name']}{worst['hazard_id']}，已逾期{worst['days_overdue']}天。"
        )
    else:
        text += "均在整改期限内。"
    text += f"清单{refer('hazards')}。"
    return {"heading": "隐患治理", "paragraphs": [paragraph(text)]}


def _unique(items) -> list[str]:
    seen: list[str] = []
    for i in items:
        if i and i not in seen:
            seen.append(i)
    return seen


# ---------------------------------------------------------------- 四、数据报送


def _short_name(name: str, county: str) -> str:
    """宁乡市市场监督管理局 -> 市场监督管理局: the county is the bulletin's own."""
    return name.removeprefix(county) if county and name.startswith(county) and len(name) > len(county) else name


def reporting_section(
    info: PeriodInfo, rows: list[dict], figures: dict, refer: Refer, county: str = "", brief: bool = False
) -> dict[str, Any]:
    """rows: the senders (data_quality_by_sender); figures: their totals and rates
    (bulletin_figures). brief: the senders with problems are counted, not named (their
    list is in the XLSX)."""
    paragraphs = []
    f = figures
    if not f["has_reporting"]:
        text = f"{info.this_cn}不在报送统计期内，暂无报送情况统计。"
        return {"heading": "数据报送", "paragraphs": [paragraph(text)]}
    text = (
        f"{info.this_cn}应报定期台账{f['files_due']}份，按时{f['files_on_time']}份、迟报{f['files_late']}份、"
        f"未报{f['files_missing']}份"
        + (f"（按时报送率{f['reporting_on_time_pct_text']}）" if f["reporting_on_time_pct_text"] else "")
        + "；"
        f"接收文件{f['files_received']}个（退回{f['files_rejected']}个），入库{f['rows_loaded']}行、"
        f"隔离{f['rows_quarantined']}行，合格率{f['pass_pct_text'] or NONE}。"
    )
    late_rows = [r for r in rows if (r["files_late"] or 0) + (r["files_missing"] or 0) + (r["events_late"] or 0)]
    q_rows = [r for r in rows if r["rows_quarantined"] or r["files_rejected"]]
    if late_rows or q_rows:
        words = (
            "迟报、漏报或数据被隔离、退回"
            if late_rows and q_rows
            else "迟报、漏报"
            if late_rows
            else "数据被隔离或退回"
        )
        problem_rows = [r for r in rows if r in late_rows or r in q_rows]
        names = [_short_name(r["sender_name"], county) for r in problem_rows]
        text += f"{words}的有{len(names)}个单位。" if brief else f"{words}的有{some_names(names)}。"
    else:
        text += f"{info.this_cn}各单位均按时报送，数据全部通过校验。"
    if late_rows or q_rows:
        text += f"名单{refer('reporting')}。"
    paragraphs.append(paragraph(text))
    return {"heading": "数据报送", "paragraphs": paragraphs}


# ---------------------------------------------------------------- 五、工作要求


def report_deadline(info: PeriodInfo) -> dt.date:
    """The date named townships report their rectification by, written as a date (never
    下周三 / 下季度首月15日): the Wednesday after a week, the 10th of the month after a
    month, the 15th of the first month after a quarter (2023-Q4 -> 2024年1月15日)."""
    if info.kind == "week":
        return info.end + dt.timedelta(days=3)
    after = info.end + dt.timedelta(days=1)
    return after.replace(day=10 if info.kind == "month" else 15)


def requirements(info: PeriodInfo, named: list[dict], hazards: list[dict]) -> dict[str, Any]:
    first = (
        f"被通报的乡镇（街道）要分析失分原因，于{cn_date(report_deadline(info))}前书面报送整改情况。"
        if named
        else "各乡镇（街道）要对照考核细则查漏补缺。"
    )
    overdue = [h for h in hazards if h["is_overdue"]]
    second = "逾期隐患要逐项明确责任人和整改时限。" if overdue else "确保重大隐患动态清零。"
    if info.kind == "quarter":
        second += "本季度考核结果纳入年度安全生产目标管理考核。"
    paragraphs = [paragraph(first + second)]
    return {"heading": "工作要求", "paragraphs": paragraphs}


# ---------------------------------------------------------------- 风险预警


def risk_section(as_of: dt.date | None, levels: list[dict], overdue: list[dict], brief: bool = False) -> dict[str, Any]:
    """The townships at 红 and 橙 as of the bulletin's date with their main indicators, and
    the warnings not acknowledged within 24 hours (README "Early warning"). One paragraph,
    and in the brief wording names only: the bulletin keeps to its page budget."""
    if as_of is None:
        return {"heading": "风险预警", "paragraphs": [paragraph("暂无风险预警结果。")]}
    parts = []
    for level, name in (("红", "红色（重大风险）"), ("橙", "橙色（较大风险）")):
        rows = [r for r in levels if r["level"] == level]
        if rows:
            parts.append(
                f"{name}乡镇{len(rows)}个："
                + "、".join(
                    r["township_name"]
                    if brief
                    else f"{r['township_name']}（{r['score']}分，{r['top_indicators'] or '—'}）"
                    for r in rows
                )
            )
    text = f"截至{cn_date(as_of, with_year=False)}，" + (
        "；".join(parts) + "（先行指标计分，为风险提示，非考核结论）。" if parts else "全市没有红色、橙色风险乡镇。"
    )
    if overdue:
        text += (
            "超过24小时未确认收到预警（叫应）的乡镇："
            + "、".join(f"{r['township_name']}（{r['level']}色，{r['created_at']:%m月%d日}发出）" for r in overdue)
            + "，请督促落实。"
        )
    return {"heading": "风险预警", "paragraphs": [paragraph(text)]}
