"""执法检查: inspections by township against the quota, by action, and by month."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import scoreboard_cards
from dashboards.data import enforcement as q
from dashboards.data import overview

METRICS = ("inspections", "penalties", "fines_10k_cny")


def body(viewer: Viewer) -> None:
    st.title("执法检查")
    as_of = ui.as_of_picker(viewer)
    board = overview.scoreboard(viewer, as_of, METRICS)
    scoreboard_cards(board, per_row=len(METRICS))

    monthly = q.by_month(viewer, as_of)
    left, right = st.columns(2)
    titles = ui.headers("county_activity_daily", ["inspections_mtd", "penalties_mtd"])
    left.altair_chart(charts.monthly_by_year(monthly, titles["inspections_mtd"], value="inspections"), width="stretch")
    right.altair_chart(charts.monthly_by_year(monthly, titles["penalties_mtd"], value="penalties"), width="stretch")

    ui.section("分乡镇", f"{as_of.year}年1月1日至{as_of:%m月%d日}；应检次数按排名办法每7天2次计。")
    ui.table(
        q.by_township(viewer, as_of),
        ui.headers(
            "inspections_by_township_daily",
            [
                "township_name",
                "inspections",
                "inspections_ly",
                "quota",
                "quota_pct",
                "hazards_found",
                "penalties",
                "fines_10k_cny",
            ],
        ),
        key="enf-township",
        file_name=f"分乡镇执法检查_{as_of}",
        height=400,
    )

    ui.section("按处理措施")
    ui.table(
        q.by_action(viewer, as_of),
        ui.headers(
            "inspections_by_action_daily", ["action", "inspections", "hazards_found", "fines_10k_cny", "is_penalty"]
        ),
        key="enf-action",
        file_name=f"按处理措施_{as_of}",
        empty="本年尚无执法检查",
    )


ui.run_page(body)
