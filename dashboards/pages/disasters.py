"""防灾减灾: forest fires and the damage rate, flood transfers, relief coverage."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import scoreboard_cards
from dashboards.data import disasters as q
from dashboards.data import overview
from pipelines.lib.labels import feed_label


def body(viewer: Viewer) -> None:
    st.title("防灾减灾")
    as_of = ui.as_of_picker(viewer)
    scoreboard_cards(overview.scoreboard(viewer, as_of, q.METRICS), per_row=4)

    ui.section(
        feed_label("forest_fires"),
        f"{as_of.year}年1月1日至{as_of:%m月%d日}；受害率 = 受害森林面积 ÷ 森林面积 × 1000（‰）。",
    )
    ui.table(
        q.forest_fires(viewer, as_of),
        ui.headers(
            "forest_fires",
            [
                "fire_id",
                "started_at",
                "township_name",
                "burned_area_ha",
                "damaged_forest_ha",
                "deaths",
                "serious_injuries",
                "cause",
                "grade",
            ],
        ),
        key="fires",
        file_name=f"森林火灾_{as_of}",
        empty="本年尚无森林火灾",
    )
    ui.table(
        q.forest_by_township(viewer, as_of).filter(pl.col("forest_fires") + pl.col("forest_fires_ly").fill_null(0) > 0),
        ui.headers(
            "forest_fires_by_township_daily",
            [
                "township_name",
                "forest_fires",
                "forest_fires_ly",
                "forest_fire_damaged_ha",
                "forest_area_ha",
                "damage_permille",
            ],
        ),
        key="fires-township",
        file_name=f"分乡镇森林火灾_{as_of}",
        empty="本年及去年同期各乡镇均无森林火灾",
    )

    ui.section(feed_label("flood_transfers"), "本年累计，按乡镇和预警等级。")
    flood = q.flood_by_township(viewer, as_of)
    flood_columns = ui.headers(
        "flood_transfers_by_township_daily",
        ["township_name", "transfers", "people_transferred", "red", "orange", "yellow", "blue", "last_transfer_on"],
    )
    if flood.height:
        st.altair_chart(
            charts.bars(flood, "township_name", "people_transferred", flood_columns["people_transferred"]),
            width="stretch",
        )
    ui.table(
        flood,
        flood_columns,
        key="flood",
        file_name=f"防汛转移_{as_of}",
        empty="本年尚无紧急转移",
    )

    ui.section(
        feed_label("relief"), "本年受灾的生活困难群众中，截至所选日期已发放救助的比例（只显示人数，不显示个人信息）。"
    )
    relief = q.relief_by_township(viewer, as_of)
    relief_columns = ui.headers(
        "relief_by_township_daily", ["township_name", "cases", "relieved", "waiting", "coverage_pct", "amount_cny"]
    )
    if relief.height:
        parts = {c: relief_columns[c] for c in ("relieved", "waiting")}
        st.altair_chart(
            charts.stacked_bars(relief, "township_name", parts, "困难群众救助（人）", colors=["#3a8d4f", "#e8a33d"]),
            width="stretch",
        )
    ui.table(
        relief,
        relief_columns,
        key="relief",
        file_name=f"受灾群众救助_{as_of}",
        empty="本年尚无困难群众救助记录",
    )


ui.run_page(body)
