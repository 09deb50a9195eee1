"""总览: the scoreboard as of a date, trend charts, accidents by sector and by township."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import scoreboard_cards, scoreboard_table
from dashboards.data import overview as q


def body(viewer: Viewer) -> None:
    st.title("总览")
    as_of = ui.as_of_picker(viewer)
    st.caption(f"{as_of.year}年1月1日至{as_of:%Y年%m月%d日}累计，与去年同期比较；目标来自县级配置。")

    board = q.scoreboard(viewer, as_of)
    scoreboard_cards(board)
    with st.expander("指标明细表（可下载）", expanded=False):
        scoreboard_table(board)

    ui.section("历年趋势", "按月统计，各年并列比较。")
    trends = q.monthly_trends(viewer, as_of)
    metric_ids = list(q.TREND_METRICS)
    for start in range(0, len(metric_ids), 2):
        for column, metric_id in zip(st.columns(2), metric_ids[start : start + 2]):
            data = trends.filter(pl.col("metric_id") == metric_id)
            column.altair_chart(charts.monthly_by_year(data, q.TREND_METRICS[metric_id]), width="stretch")

    sectors_tab, townships_tab = st.tabs(["分行业事故", "分乡镇情况"])
    with sectors_tab:
        ui.table(
            q.accidents_by_sector(viewer, as_of),
            ui.headers(
                "accidents_by_sector_daily",
                [
                    "sector",
                    "accidents",
                    "accidents_ly",
                    "accidents_change_text",
                    "deaths",
                    "deaths_ly",
                    "deaths_change_text",
                ],
            ),
            key="by-sector",
            file_name=f"分行业事故_{as_of}",
            empty="本年尚无事故",
        )
    with townships_tab:
        ui.table(
            q.by_township(viewer, as_of),
            ui.headers(
                "township_kpis_daily",
                [
                    "township_name",
                    "accidents",
                    "accidents_ly",
                    "accidents_change_text",
                    "deaths",
                    "deaths_ly",
                    "open_major_hazards",
                    "overdue_major_hazards",
                    "inspections",
                    "inspections_ly",
                    "forest_fires",
                    "forest_fire_damaged_ha",
                ],
            ),
            key="by-township",
            file_name=f"分乡镇情况_{as_of}",
        )


ui.run_page(body)
