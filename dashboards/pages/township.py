"""乡镇详情: one township — score components over time, accidents, open and overdue hazards,
inspections, depot / plan / drill status, reporting record.

A township login can pick only its own township, and every query below refuses any other.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import metric_card
from dashboards.data import township as q

YES_NO = {True: ":green-badge[已具备]", False: ":red-badge[未具备]"}


def headline(viewer: Viewer, code: str, as_of) -> None:
    k = q.kpis(viewer, code, as_of)
    if k.height == 0:
        st.info("该日期没有本乡镇的汇总数据")
        return
    r = k.row(0, named=True)
    cols = st.columns(4)
    metric_card(cols[0], "事故起数（本年累计）", f"{r['accidents']} 起", change=r["accidents_change"],
                change_text=r["accidents_change_text"], rise_is_good=False,
                help=f"去年同期：{ui.fmt_value(r['accidents_ly'], '起')} 起")
    metric_card(cols[1], "死亡人数（本年累计）", f"{r['deaths']} 人", change=r["deaths_change"],
                change_text=r["deaths_change_text"], rise_is_good=False,
                help=f"去年同期：{ui.fmt_value(r['deaths_ly'], '人')} 人")
    cols[2].metric("未整改重大隐患", f"{r['open_major_hazards']} 项", border=True,
                   help=f"其中逾期 {r['overdue_major_hazards']} 项")
    cols[3].metric("执法检查（本年累计）", f"{r['inspections']} 次", border=True,
                   help=f"去年同期：{ui.fmt_value(r['inspections_ly'], '次')} 次")
    cols = st.columns(4)
    cols[0].metric("逾期重大隐患", f"{r['overdue_major_hazards']} 项", border=True)
    cols[1].metric("森林火灾（本年累计）", f"{r['forest_fires']} 起", border=True)
    cols[2].metric("受害森林面积", f"{r['forest_fire_damaged_ha']:.2f} 公顷", border=True)


def trend_section(viewer: Viewer, code: str, as_of) -> None:
    ui.section("重大隐患走势", "近两年每周末（周日）未整改和逾期的重大隐患数。")
    trend = q.weekly_trend(viewer, code, as_of)
    if trend.height == 0:
        st.info("没有可显示的走势")
        return
    st.altair_chart(charts.lines_over_time(trend, "as_of", {"open_major_hazards": "未整改重大隐患",
                                                            "overdue_major_hazards": "逾期重大隐患"}, ""),
                    width="stretch")


def score_section(viewer: Viewer, code: str) -> None:
    ui.section("考核得分", "各期得分构成；一票否决的期次总分记 0。")
    period_type = st.segmented_control("考核周期", options=["week", "month", "quarter"], default="month",
                                       format_func=ui.PERIOD_TYPE_TEXT.get, required=True, key="detail-period-type")
    comps = q.components(viewer, code, period_type)
    if comps.height == 0:
        st.info("没有排名记录")
        return
    latest = comps.filter(pl.col("is_complete")).tail(1)
    if latest.height:
        r = latest.row(0, named=True)
        st.markdown(
            f"最近一期（{r['period']}）：第 **{r['rank']}** 名，总分 **{r['total']:.2f}**，等级 **{r['band']}**"
            + (f"，一票否决：{r['veto_reason']}" if r["vetoed"] else "")
            + (f"；失分最多：{r['weakest_component_label']}" if r["weakest_component_label"] else "")
        )
    shown = comps.tail(26) if period_type == "week" else comps
    st.altair_chart(charts.components_stacked(shown), width="stretch")
    ui.table(
        comps.sort("period_end", descending=True).with_columns(
            pl.col("movement").map_elements(ui.movement_text, return_dtype=pl.String, skip_nulls=False)
        ),
        {"period": "期次", "rank": "排名", "movement": "升降", "total": "总分", "s_acc": "事故控制(30)",
         "s_haz": "隐患治理(25)", "s_enf": "执法检查(15)", "s_prep": "应急准备(15)", "s_rep": "信息报送(15)",
         "band": "等级", "weakest_component_label": "失分最多"},
        key="components", file_name=f"得分构成_{code}_{period_type}", colors={"等级": ui.BAND_HEX}, height=300,
    )


def preparedness_section(viewer: Viewer, code: str, as_of) -> None:
    ui.section("应急准备", f"截至 {as_of:%Y-%m-%d}：储备库、总体预案备案、近365天演练培训。")
    status = q.preparedness_status(viewer, code, as_of)
    depot = q.depot(viewer, code)
    plans = q.plans(viewer, code)
    drills = q.drills(viewer, code, as_of)
    left, middle, right = st.columns(3)
    with left.container(border=True):
        st.markdown("**应急物资储备库**")
        if status["depot_status"] is None:
            st.markdown(":red-badge[未报送]")
        else:
            done = status["depot_completed_on"]
            st.markdown(f"{YES_NO[status['has_depot']]} {status['depot_status']}"
                        + (f"（{done:%Y-%m-%d} 建成）" if done else ""))
            if depot.height:
                st.caption(f"物资 {depot['item_kinds'][0]} 类，{depot['item_count'][0]} 件")
    with middle.container(border=True):
        st.markdown("**总体应急预案**")
        filed = status["overall_plans_filed"]
        st.markdown(f"{YES_NO[filed > 0]} 已备案总体预案 {filed} 件")
        st.caption(f"本乡镇预案共 {status['plans']} 件")
    with right.container(border=True):
        st.markdown("**演练与培训（近365天）**")
        st.markdown(f"{YES_NO[status['drills_365'] > 0]} 共 {status['drills_365']} 次")
        if status["last_drill_on"]:
            st.caption(f"最近一次：{status['last_drill_on']:%Y-%m-%d}")
    tabs = st.tabs(["预案", "演练培训"])
    with tabs[0]:
        ui.table(plans, ui.headers("plans", ["plan_id", "owner_unit", "plan_type", "issued_on", "filed_on"]),
                 key="plans", file_name=f"预案_{code}", empty="本乡镇没有预案记录")
    with tabs[1]:
        ui.table(drills, ui.headers("drills", ["held_on", "kind", "subject", "team_id", "participants"]),
                 key="drills", file_name=f"演练培训_{code}", empty="近365天没有演练或培训")


def body(viewer: Viewer) -> None:
    st.title("乡镇详情")
    left, right = st.columns([2, 1])
    with left:
        code, name = ui.township_picker(viewer, key="detail-township")
    with right:
        as_of = ui.as_of_picker(viewer)
    st.header(name)
    headline(viewer, code, as_of)

    score_section(viewer, code)
    trend_section(viewer, code, as_of)

    ui.section("生产安全事故", f"{as_of.year}年1月1日至{as_of:%m月%d日}。")
    ui.table(
        q.accidents(viewer, code, as_of),
        ui.headers("accidents", ["accident_id", "occurred_at", "sector", "accident_type", "deaths", "serious_injuries",
                                 "direct_loss_10k_cny", "grade"], {"grade": "事故等级"}),
        key="accidents", file_name=f"事故_{code}_{as_of}", empty="本年尚无事故",
    )

    hazards = q.open_hazards(viewer, code, as_of)
    ui.section("未整改隐患", f"截至 {as_of:%Y-%m-%d} 未整改销号的隐患，逾期的排在前面。")
    ui.table(
        hazards,
        ui.headers("hazards", ["hazard_id", "level", "is_supervised", "description", "enterprise_name", "found_on",
                               "deadline", "is_overdue", "days_overdue"],
                   {"enterprise_name": "企业", "is_overdue": "已逾期", "days_overdue": "逾期天数"}),
        key="open-hazards", file_name=f"未整改隐患_{code}_{as_of}", empty="没有未整改的隐患", height=300,
    )

    ui.section("执法检查", "本年各月。")
    ui.table(
        q.inspections_by_month(viewer, code, as_of),
        {"month": "月份", "inspections": "检查次数", "hazards_found": "发现隐患", "penalties": "行政处罚",
         "fines_10k_cny": "罚款(万元)"},
        key="inspections", file_name=f"执法检查_{code}_{as_of.year}", empty="本年尚无执法检查",
    )

    preparedness_section(viewer, code, as_of)

    ui.section("信息报送记录", "每月应报、按时、迟报、缺报的台账，以及载入和被隔离的数据行。")
    reporting = q.reporting(viewer, code)
    ui.table(
        reporting.with_columns((pl.col("pass_rate") * 100).round(2), (pl.col("on_time_rate") * 100).round(2)),
        {"period": "月份", "files_due": "应报", "files_on_time": "按时", "files_late": "迟报", "files_missing": "缺报",
         "files_received": "收到文件", "files_rejected": "拒收", "rows_loaded": "载入行", "rows_quarantined": "隔离行",
         "pass_rate": "合格率(%)", "on_time_rate": "及时率(%)"},
        key="reporting", file_name=f"报送记录_{code}", height=300,
    )
    ui.table(
        q.quarantine_reasons(viewer, code),
        {"column_header": "列", "reason": "原因", "rows": "隔离行数", "cells": "问题单元格"},
        key="quarantine", file_name=f"隔离原因_{code}", empty="本乡镇报送的数据没有被隔离的行",
    )


ui.run_page(body)
