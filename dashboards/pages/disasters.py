"""防灾减灾: forest fires and the damage rate, flood transfers, relief coverage."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.data import disasters as q
from dashboards.data import overview
from dashboards.cards import scoreboard_cards


def body(viewer: Viewer) -> None:
    st.title("防灾减灾")
    as_of = ui.as_of_picker(viewer)
    scoreboard_cards(overview.scoreboard(viewer, as_of, q.METRICS), per_row=4)

    ui.section("森林火灾", f"{as_of.year}年1月1日至{as_of:%m月%d日}；受害率 = 受害森林面积 ÷ 森林面积 × 1000（‰）。")
    ui.table(
        q.forest_fires(viewer, as_of),
        {"fire_id": "火灾编号", "started_at": "起火时间", "township_name": "乡镇", "burned_area_ha": "过火面积(公顷)",
         "damaged_forest_ha": "受害森林面积(公顷)", "deaths": "死亡", "serious_injuries": "重伤", "cause": "起火原因",
         "grade": "等级"},
        key="fires", file_name=f"森林火灾_{as_of}", empty="本年尚无森林火灾",
    )
    ui.table(
        q.forest_by_township(viewer, as_of).filter(pl.col("forest_fires") + pl.col("forest_fires_ly").fill_null(0) > 0),
        {"township_name": "乡镇", "forest_fires": "火灾起数", "forest_fires_ly": "去年同期", "forest_fire_damaged_ha":
         "受害森林面积(公顷)", "forest_area_ha": "森林面积(公顷)", "damage_permille": "受害率(‰)"},
        key="fires-township", file_name=f"分乡镇森林火灾_{as_of}", empty="本年及去年同期各乡镇均无森林火灾",
    )

    ui.section("防汛紧急转移", "本年累计，按乡镇和预警等级。")
    flood = q.flood_by_township(viewer, as_of)
    if flood.height:
        st.altair_chart(charts.bars(flood, "township_name", "people_transferred", "转移人数"), width="stretch")
    ui.table(
        flood,
        {"township_name": "乡镇", "transfers": "转移次数", "people_transferred": "转移人数", "red": "红色预警",
         "orange": "橙色预警", "yellow": "黄色预警", "blue": "蓝色预警", "last_on": "最近一次"},
        key="flood", file_name=f"防汛转移_{as_of}", empty="本年尚无紧急转移",
    )

    ui.section("受灾群众救助", "本年受灾的生活困难群众中，截至所选日期已发放救助的比例（只显示人数，不显示个人信息）。")
    relief = q.relief_by_township(viewer, as_of)
    if relief.height:
        st.altair_chart(charts.stacked_bars(relief, "township_name", {"relieved": "已救助", "waiting": "待救助"},
                                            "困难群众救助（人）", colors=["#3a8d4f", "#e8a33d"]), width="stretch")
    ui.table(
        relief,
        {"township_name": "乡镇", "cases": "困难群众(人)", "relieved": "已救助", "waiting": "待救助",
         "coverage_pct": "救助覆盖率(%)", "amount_cny": "已发放金额(元)"},
        key="relief", file_name=f"受灾群众救助_{as_of}", empty="本年尚无困难群众救助记录",
    )


ui.run_page(body)
