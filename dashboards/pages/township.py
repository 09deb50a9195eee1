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
from pipelines.lib.labels import feed_label, word


def badge(ready: bool) -> str:
    return f":green-badge[{word('readiness', 'yes')}]" if ready else f":red-badge[{word('readiness', 'no')}]"


KPIS = "township_kpis_daily"
QUALITY = "data_quality_by_sender"


def ytd(column: str) -> str:
    """A card's name: the mart column's label, year to date."""
    return f"{ui.label(KPIS, column)}（本年累计）"


def last_year(column: str, value) -> str:
    unit = ui.unit(KPIS, column)
    return f"{ui.label(KPIS, column)}：{ui.fmt_value(value, unit)} {unit}"


def figure(r: dict, column: str) -> str:
    return f"{r[column]} {ui.unit(KPIS, column)}"


def headline(viewer: Viewer, code: str, as_of) -> None:
    k = q.kpis(viewer, code, as_of)
    if k.height == 0:
        st.info("该日期没有本乡镇的汇总数据")
        return
    r = k.row(0, named=True)
    cols = st.columns(4)
    metric_card(
        cols[0],
        ytd("accidents"),
        figure(r, "accidents"),
        change=r["accidents_change"],
        change_text=r["accidents_change_text"],
        rise_is_good=False,
        help=last_year("accidents_ly", r["accidents_ly"]),
    )
    metric_card(
        cols[1],
        ytd("deaths"),
        figure(r, "deaths"),
        change=r["deaths_change"],
        change_text=r["deaths_change_text"],
        rise_is_good=False,
        help=last_year("deaths_ly", r["deaths_ly"]),
    )
    metric_card(
        cols[2],
        ui.label(KPIS, "open_major_hazards"),
        figure(r, "open_major_hazards"),
        help=f"其中逾期 {figure(r, 'overdue_major_hazards')}",
    )
    metric_card(
        cols[3],
        ytd("inspections"),
        figure(r, "inspections"),
        help=last_year("inspections_ly", r["inspections_ly"]),
    )
    cols = st.columns(4)
    metric_card(cols[0], ui.label(KPIS, "overdue_major_hazards"), figure(r, "overdue_major_hazards"))
    metric_card(cols[1], ytd("forest_fires"), figure(r, "forest_fires"))
    metric_card(cols[2], ui.label(KPIS, "forest_fire_damaged_ha"), f"{r['forest_fire_damaged_ha']:.2f}")


def trend_section(viewer: Viewer, code: str, as_of) -> None:
    ui.section("重大隐患走势", "近两年每周末（周日）未整改和逾期的重大隐患数。")
    trend = q.weekly_trend(viewer, code, as_of)
    if trend.height == 0:
        st.info("没有可显示的走势")
        return
    st.altair_chart(
        charts.lines_over_time(trend, "as_of", ui.headers(KPIS, ["open_major_hazards", "overdue_major_hazards"]), ""),
        width="stretch",
    )


def score_section(viewer: Viewer, code: str) -> None:
    ui.section("考核得分", "各期得分构成；一票否决的期次总分记 0。")
    period_type = st.segmented_control(
        ui.label(ui.RANKING, "period_type"),
        options=["week", "month", "quarter"],
        default="month",
        format_func=ui.PERIOD_TYPE_TEXT.get,
        required=True,
        key="detail-period-type",
    )
    comps = q.components(viewer, code, period_type)
    if comps.height == 0:
        st.info("没有排名记录")
        return
    latest = comps.filter(pl.col("is_complete")).tail(1)
    if latest.height:
        r = latest.row(0, named=True)
        st.markdown(
            f"最近一期（{r['period']}）：第 **{r['rank']}** 名，总分 **{r['total']:.2f}**，{ui.label(ui.RANKING, 'band')} **{r['band']}**"
            + (f"，一票否决：{r['veto_reason']}" if r["vetoed"] else "")
            + (f"；失分最多：{r['weakest_component_label']}" if r["weakest_component_label"] else "")
        )
    shown = comps.tail(26) if period_type == "week" else comps
    st.altair_chart(charts.components_stacked(shown), width="stretch")
    ui.table(
        comps.sort("period_end", descending=True).with_columns(
            pl.col("movement").map_elements(ui.movement_text, return_dtype=pl.String, skip_nulls=False)
        ),
        ui.headers(ui.RANKING, ["period", "rank", "movement", "total"])
        | ui.component_headers()
        | ui.headers(ui.RANKING, ["band", "weakest_component_label"]),
        key="components",
        file_name=f"得分构成_{code}_{period_type}",
        colors={ui.label(ui.RANKING, "band"): ui.band_hex()},
        height=300,
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
            st.markdown(
                f"{badge(status['has_depot'])} {status['depot_status']}" + (f"（{done:%Y-%m-%d} 建成）" if done else "")
            )
            if depot.height:
                st.caption(f"物资 {depot['item_kinds'][0]} 类，{depot['item_count'][0]} 件")
    with middle.container(border=True):
        st.markdown("**总体应急预案**")
        filed = status["overall_plans_filed"]
        st.markdown(f"{badge(filed > 0)} 已备案总体预案 {filed} 件")
        st.caption(f"本乡镇预案共 {status['plans']} 件")
    with right.container(border=True):
        st.markdown("**演练与培训（近365天）**")
        st.markdown(f"{badge(status['drills_365'] > 0)} 共 {status['drills_365']} 次")
        if status["last_drill_on"]:
            st.caption(f"最近一次：{status['last_drill_on']:%Y-%m-%d}")
    tabs = st.tabs(["预案", "演练培训"])
    with tabs[0]:
        ui.table(
            plans,
            ui.headers("plans", ["plan_id", "owner_unit", "plan_type", "issued_on", "filed_on"]),
            key="plans",
            file_name=f"预案_{code}",
            empty="本乡镇没有预案记录",
        )
    with tabs[1]:
        ui.table(
            drills,
            ui.headers("drills", ["held_on", "kind", "subject", "team_id", "participants"]),
            key="drills",
            file_name=f"演练培训_{code}",
            empty="近365天没有演练或培训",
        )


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

    ui.section(feed_label("accidents"), f"{as_of.year}年1月1日至{as_of:%m月%d日}。")
    ui.table(
        q.accidents(viewer, code, as_of),
        ui.headers(
            "accidents",
            [
                "accident_id",
                "occurred_at",
                "sector",
                "accident_type",
                "deaths",
                "serious_injuries",
                "direct_loss_10k_cny",
                "grade",
            ],
        ),
        key="accidents",
        file_name=f"事故_{code}_{as_of}",
        empty="本年尚无事故",
    )

    hazards = q.open_hazards(viewer, code, as_of)
    ui.section("未整改隐患", f"截至 {as_of:%Y-%m-%d} 未整改销号的隐患，逾期的排在前面。")
    ui.table(
        hazards,
        ui.headers(
            "open_hazards_daily",
            [
                "hazard_id",
                "level",
                "is_supervised",
                "description",
                "enterprise_name",
                "found_on",
                "deadline",
                "is_overdue",
                "days_overdue",
            ],
        ),
        key="open-hazards",
        file_name=f"未整改隐患_{code}_{as_of}",
        empty="没有未整改的隐患",
        height=300,
    )

    ui.section("执法检查", "本年各月。")
    ui.table(
        q.inspections_by_month(viewer, code, as_of),
        ui.headers(
            "inspections_by_township_daily", ["month", "inspections", "hazards_found", "penalties", "fines_10k_cny"]
        ),
        key="inspections",
        file_name=f"执法检查_{code}_{as_of.year}",
        empty="本年尚无执法检查",
    )

    preparedness_section(viewer, code, as_of)

    ui.section("信息报送记录", "每月应报、按时、迟报、缺报的台账，以及载入和被隔离的数据行。")
    reporting = q.reporting(viewer, code)
    ui.table(
        reporting.with_columns((pl.col("pass_rate") * 100).round(2), (pl.col("on_time_rate") * 100).round(2)),
        ui.percent_headers(
            ui.headers(
                QUALITY,
                [
                    "period",
                    "files_due",
                    "files_on_time",
                    "files_late",
                    "files_missing",
                    "files_received",
                    "files_rejected",
                    "rows_loaded",
                    "rows_quarantined",
                    "pass_rate",
                    "on_time_rate",
                ],
            ),
            "pass_rate",
            "on_time_rate",
        ),
        key="reporting",
        file_name=f"报送记录_{code}",
        height=300,
    )
    ui.table(
        q.quarantine_reasons(viewer, code),
        ui.headers("data_quality_quarantined_cells", ["column_header", "reason", "rows", "cells"]),
        key="quarantine",
        file_name=f"隔离原因_{code}",
        empty="本乡镇报送的数据没有被隔离的行",
    )


ui.run_page(body)
