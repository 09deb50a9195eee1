"""The five sections of a bulletin, in the order and wording of a Chinese 通报:
一、总体情况 二、乡镇排名 三、隐患治理 四、数据报送 五、工作要求, with the numbers written into
the sentences. Each returns {"heading", "paragraphs": [{"lead", "text"}]}; content.py numbers
the headings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipelines.lib.bulletin.periods import PeriodInfo, cn_date, cn_range
from pipelines.lib.bulletin.wording import STATUS_CN, fmt_count, fmt_num, fmt_value, join_cn, pct_text, yoy_clause


def paragraph(text: str, lead: str | None = None) -> dict[str, str | None]:
    """One body paragraph; ``lead`` is its run-in sub-heading, e.g. （一）事故情况。"""
    return {"lead": lead, "text": text}


def has_reporting_problem(r: dict) -> bool:
    return bool((r["files_late"] or 0) + (r["files_missing"] or 0) + (r["events_late"] or 0)
                + r["rows_quarantined"] + r["files_rejected"])


# ---------------------------------------------------------------- 一、总体情况

def overview(info: PeriodInfo, as_of: dt.date, complete: bool, this: dict | None, last_year: dict | None,
              scoreboard: list[dict]) -> dict[str, Any]:
    this = this or {}
    base = last_year or {}
    when = f"{info.this_cn}（{cn_range(info.start, info.end)}）"
    if not complete:
        when = f"{info.this_cn}（{cn_range(info.start, as_of)}，本期尚未结束）"
    acc, deaths, fires = this.get("accidents", 0), this.get("deaths", 0), this.get("forest_fires", 0)
    yoy = yoy_clause([(acc, base.get("accidents"), "起"), (deaths, base.get("deaths"), "人")]) if last_year else "无去年同期数据可比"
    fire_clause = f"发生森林火灾{fires}起"
    if last_year:
        fire_clause += f"（去年同期{base.get('forest_fires', 0)}起）"
    period_text = f"{when}，全市发生生产安全事故{acc}起、死亡{deaths}人，{yoy}；{fire_clause}。"

    by_id = {r["metric_id"]: r for r in scoreboard}
    ytd = _ytd_sentence(info, as_of, by_id)
    counts = {key: [r for r in scoreboard if r["status"] == key] for key in STATUS_CN}
    judged = sum(len(v) for v in counts.values())
    parts = [f"{STATUS_CN[k]}{len(v)}项" for k, v in counts.items() if v]
    kpi_text = f"对照年度目标，截至{cn_date(as_of, with_year=False)}，{judged}项有目标的主要指标中{join_cn(parts, '暂无可评价指标')}。"
    behind = counts["breached"] + counts["at_risk"]
    if counts["breached"]:
        kpi_text += f"未达标的指标：{join_cn(_kpi_brief(r) for r in counts['breached'])}。"
    if counts["at_risk"]:
        kpi_text += f"尚未达到目标、需加快推进的指标：{join_cn(_kpi_brief(r) for r in counts['at_risk'])}。"
    if not behind:
        kpi_text += "各项指标均在目标范围内。"
    kpi_text += "各项指标完成情况见附件2。"
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
        f"今年以来（截至{cn_date(as_of, with_year=False)}），全市累计发生生产安全事故{fmt_count(a)}起、死亡{fmt_count(d)}人，"
        f"{yoy_clause([(a, accidents['ly_value_raw'], '起'), (d, deaths['ly_value_raw'], '人')])}"
    )
    if accidents["target_raw"] is not None and deaths["target_raw"] is not None:
        text += (
            f"；按照“起数和死亡人数同比下降”的年度目标，同期控制线分别为{fmt_num(accidents['target_raw'], 1)}起、"
            f"{fmt_num(deaths['target_raw'], 1)}人，事故起数{_within(accidents)}，死亡人数{_within(deaths)}"
        )
    text += "。"
    major = by_id.get("major_accidents")
    major_fires = by_id.get("major_forest_fires")
    damage = by_id.get("forest_fire_damage_permille")
    extras = []
    if major:
        extras.append(f"较大及以上生产安全事故{fmt_count(major['value_raw'])}起")
    if major_fires:
        extras.append(f"较大及以上森林火灾{fmt_count(major_fires['value_raw'])}起")
    if damage and damage["value_raw"] is not None:
        extras.append(f"森林火灾受害率{fmt_value(damage['value_raw'], '‰')}（目标{damage['target']}）")
    if extras:
        text += f"今年以来全市{'，'.join(extras)}。"
    return text


def _within(row: dict) -> str:
    return "在控制线以内" if row["status"] in ("on_track", "met") else "超出控制线"


def _kpi_brief(row: dict) -> str:
    return f"{row['label']}（{row['value']}，目标{row['target']}）"


# ---------------------------------------------------------------- 二、乡镇排名

def ranking_section(info: PeriodInfo, rows: list[dict], red_list: list[str], named: list[dict]) -> dict[str, Any]:
    scored = [r for r in rows if not r["vetoed"]]
    vetoed = [r for r in rows if r["vetoed"]]
    bands: dict[str, int] = {}
    for r in rows:
        bands[r["band"]] = bands.get(r["band"], 0) + 1
    average = sum(r["total_raw"] for r in scored) / len(scored) if scored else None
    top = [r for r in scored if r["rank"] <= 3]
    text = (
        f"{info.this_cn}对全市{len(rows)}个乡镇（街道）进行考核排名"
        + (f"，未被一票否决的乡镇（街道）平均得分{fmt_num(average)}分" if average is not None else "")
        + f"。其中{join_cn(f'{band}{n}个' for band, n in bands.items())}。"
    )
    if top:
        tied = "（含并列）" if len(top) > 3 else ""
        text += f"排名前三位{tied}的是{join_cn(_name_score(r) for r in top)}。"
    risers = [r for r in scored if (r["movement_raw"] or 0) > 0]
    if risers:
        best = max(r["movement_raw"] for r in risers)
        movers = [r["township_name"] for r in risers if r["movement_raw"] == best]
        previous = {"week": "上周", "month": "上月", "quarter": "上季度"}[info.kind]
        text += f"与{previous}相比，排名上升幅度最大的是{join_cn(movers)}（上升{best}位）。"
    text += "考核排名情况见附件1。"

    red_text = (
        f"{info.this_cn}未发生生产安全事故、列入红榜的乡镇（街道）共{len(red_list)}个：{join_cn(red_list)}。"
        if red_list else f"{info.this_cn}各乡镇（街道）均发生了生产安全事故，红榜空缺。"
    )
    named_scored = [r for r in named if not r["vetoed"]]
    named_text = ""
    if named_scored:
        named_text += "排名后三位、予以通报的乡镇（街道）：" + "；".join(_named_clause(r) for r in named_scored) + "。"
    for r in vetoed:
        named_text += (
            f"{r['township_name']}{info.this_cn}发生{r['veto_reason'] or '一票否决事项'}，实行安全生产“一票否决”，"
            f"考核得分计为0分，排名列最后。"
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


def _name_score(r: dict) -> str:
    return f"{r['township_name']}（{r['total']}分）"


def _named_clause(r: dict) -> str:
    clause = f"{r['township_name']}（第{r['rank']}名，{r['total']}分"
    if r["weakest_component_label"]:
        clause += f"，失分最多的是{r['weakest_component_label']}，失{fmt_num(r['weakest_component_lost'])}分"
    return clause + "）"


# ---------------------------------------------------------------- 三、隐患治理

def hazard_section(info: PeriodInfo, as_of: dt.date, this: dict | None, last_year: dict | None,
                    hazards: list[dict]) -> dict[str, Any]:
    this = this or {}
    due, ontime = this.get("hazards_due", 0), this.get("hazards_due_ontime", 0)
    if due:
        rate = ontime / due
        text = f"{info.this_cn}全市到期应整改隐患{due}项，按期整改{ontime}项，按期整改率{pct_text(rate)}"
        if last_year and last_year.get("hazards_due"):
            text += f"（去年同期{pct_text(last_year['hazards_due_ontime'] / last_year['hazards_due'])}）"
        text += "。"
    else:
        text = f"{info.this_cn}全市无到期应整改的隐患。"
    overdue = [h for h in hazards if h["is_overdue"]]
    majors = [h for h in hazards if h["level"] == "重大"]
    list_text = (
        f"截至{cn_date(as_of, with_year=False)}，全市未整改销号的重大隐患和挂牌督办隐患共{len(hazards)}项"
        f"（其中重大隐患{len(majors)}项），"
    )
    if overdue:
        worst = overdue[0]
        where = worst["enterprise_name"] or worst["township_name"]
        list_text += (
            f"已超过整改期限仍未整改的{len(overdue)}项，涉及{join_cn(_unique(h['township_name'] for h in overdue))}；"
            f"逾期最长的是{worst['township_name']}{'' if where == worst['township_name'] else where}"
            f"“{worst['description']}”隐患（{worst['hazard_id']}），已逾期{worst['days_overdue']}天。"
        )
    else:
        list_text += "均在整改期限内。"
    list_text += "挂牌督办隐患清单见附件3。"
    return {"heading": "隐患治理", "paragraphs": [paragraph(text), paragraph(list_text)]}


def _unique(items) -> list[str]:
    seen: list[str] = []
    for i in items:
        if i and i not in seen:
            seen.append(i)
    return seen


# ---------------------------------------------------------------- 四、数据报送

def reporting_section(info: PeriodInfo, rows: list[dict], source: str) -> dict[str, Any]:
    received = sum(r["files_received"] for r in rows)
    rejected = sum(r["files_rejected"] for r in rows)
    loaded = sum(r["rows_loaded"] for r in rows)
    quarantined = sum(r["rows_quarantined"] for r in rows)
    pass_rate = loaded / (loaded + quarantined) if loaded + quarantined else None
    paragraphs = []
    if source == "mart":
        due = sum(r["files_due"] or 0 for r in rows)
        on_time = sum(r["files_on_time"] or 0 for r in rows)
        late = sum(r["files_late"] or 0 for r in rows)
        missing = sum(r["files_missing"] or 0 for r in rows)
        text = (
            f"{info.this_cn}各单位应报送定期台账{due}份，按时报送{on_time}份、迟报{late}份、未报{missing}份"
            + (f"，按时报送率{pct_text(on_time / due)}" if due else "")
            + "；"
        )
    else:
        text = f"{info.this_cn}（报送时限统计暂缺）"
    text += (
        f"共接收台账文件{received}个（其中整份退回{rejected}个），入库数据{loaded}行，"
        f"因不符合报送规范被隔离{quarantined}行，数据合格率{pct_text(pass_rate)}。"
    )
    paragraphs.append(paragraph(text))
    late_rows = [r for r in rows if (r["files_late"] or 0) + (r["files_missing"] or 0) + (r["events_late"] or 0)]
    q_rows = [r for r in rows if r["rows_quarantined"] or r["files_rejected"]]
    if late_rows:
        paragraphs.append(paragraph(
            "迟报、漏报的单位：" + join_cn(f"{r['sender_name']}（{_late_words(r)}）" for r in late_rows) + "。"
        ))
    if q_rows:
        paragraphs.append(paragraph(
            "报送数据被隔离或退回的单位：" + join_cn(f"{r['sender_name']}（{_quarantine_words(r)}）" for r in q_rows)
            + "。请上述单位对照报送规范更正后重新报送，问题明细见系统发送的数据质量提醒。"
        ))
    if not late_rows and not q_rows:
        paragraphs.append(paragraph(f"{info.this_cn}各单位均按时报送，数据全部通过校验。"))
    paragraphs.append(paragraph("报送问题单位名单见附件4。"))
    return {"heading": "数据报送", "paragraphs": paragraphs}



def _late_words(r: dict) -> str:
    words = []
    if r["files_late"]:
        words.append(f"迟报{r['files_late']}份")
    if r["files_missing"]:
        words.append(f"未报{r['files_missing']}份")
    if r["events_late"]:
        words.append(f"事件信息超时报送{r['events_late']}条")
    return "，".join(words)


def _quarantine_words(r: dict) -> str:
    words = []
    if r["rows_quarantined"]:
        words.append(f"隔离{r['rows_quarantined']}行")
    if r["files_rejected"]:
        words.append(f"退回文件{r['files_rejected']}个")
    return "，".join(words)


# ---------------------------------------------------------------- 五、工作要求

def requirements(info: PeriodInfo, named: list[dict], hazards: list[dict]) -> dict[str, Any]:
    next_period = {"week": "下周三", "month": "下月10日", "quarter": "下季度首月15日"}[info.kind]
    named_names = join_cn(r["township_name"] for r in named)
    first = (
        f"{named_names}要认真分析失分原因，制定整改措施，于{next_period}前将整改情况书面报市应急管理局。"
        if named else ""
    ) + "各乡镇（街道）要对照考核细则查漏补缺，巩固提升安全生产工作水平。"
    overdue = [h for h in hazards if h["is_overdue"]]
    second = (
        "各乡镇（街道）和行业主管部门要严格落实重大隐患“一单四制”，"
        + ("对逾期未整改的挂牌督办隐患逐项明确责任人和整改时限，" if overdue else "")
        + "确保重大隐患动态清零。"
    )
    third = "各单位要严格按照报送规范，于每周一12:00前报送上周台账，事故和森林火灾信息在24小时内报送，确保数据及时、准确、完整。"
    paragraphs = [
        paragraph(first, "（一）抓好问题整改。"),
        paragraph(second, "（二）推进隐患清零。"),
        paragraph(third, "（三）规范信息报送。"),
    ]
    if info.kind == "quarter":
        paragraphs.append(paragraph("本季度考核结果纳入年度安全生产目标管理考核。", "（四）强化结果运用。"))
    return {"heading": "工作要求", "paragraphs": paragraphs}


# ---------------------------------------------------------------- 风险预警

def risk_section(as_of: dt.date | None, levels: list[dict], overdue: list[dict]) -> dict[str, Any]:
    """The townships at 红 and 橙 as of the bulletin's date with their two main indicators,
    and the warnings not acknowledged within 24 hours (README "Early warning"). Short: the
    bulletin keeps to its page budget."""
    if as_of is None:
        return {"heading": "风险预警", "paragraphs": [paragraph("暂无风险预警结果。", "（一）风险等级。")]}
    parts = []
    for level, name in (("红", "红色（重大风险）"), ("橙", "橙色（较大风险）")):
        rows = [r for r in levels if r["level"] == level]
        if rows:
            parts.append(f"{name}乡镇{len(rows)}个：" + "、".join(
                f"{r['township_name']}（{r['score']}分，{r['top_indicators'] or '—'}）" for r in rows))
    text = f"截至{cn_date(as_of, with_year=False)}，" + (
        "；".join(parts) + "。" if parts else "全市没有红色、橙色风险乡镇。")
    text += "风险等级由隐患、执法、事故、应急准备等先行指标计分得出，是风险提示，不是考核结论。"
    if overdue:
        ack = "超过24小时未确认收到预警（叫应）的乡镇：" + "、".join(
            f"{r['township_name']}（{r['level']}色，{r['created_at']:%m月%d日}发出）" for r in overdue) + "，请督促落实。"
    else:
        ack = "已发出的橙色、红色预警均已在24小时内确认收到，或尚未超过24小时。"
    return {"heading": "风险预警", "paragraphs": [paragraph(text, "（一）风险等级。"), paragraph(ack, "（二）预警叫应。")]}
