"""应急准备: team training coverage, depots, plan filing, dual prevention."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.data import overview
from dashboards.data import preparedness as q
from dashboards.cards import scoreboard_cards


def body(viewer: Viewer) -> None:
    st.title("应急准备")
    as_of = ui.as_of_picker(viewer)
    scoreboard_cards(overview.scoreboard(viewer, as_of, q.METRICS), per_row=2)

    teams, depots, plans, dual = st.tabs(["救援队伍训练", "物资储备库", "预案备案", "双重预防机制"])
    with teams:
        st.caption(f"{as_of.year}年1月1日至{as_of:%m月%d日}，队伍名录中至少开展1次演练或培训的队伍计为已覆盖。")
        ui.table(
            q.teams(viewer, as_of),
            {"team_id": "队伍编号", "name": "队伍名称", "team_type": "类型", "township_name": "所属乡镇",
             "members": "队员人数", "drills": "演练", "trainings": "培训", "last_held_on": "最近一次", "trained": "已覆盖"},
            key="teams", file_name=f"救援队伍训练_{as_of}", height=400,
        )
    with depots:
        st.caption("状态为已建成且建成日期不晚于所选日期的储备库计为已建成。")
        depot_rows = q.depots(viewer, as_of)
        if depot_rows.height:
            st.altair_chart(charts.bars(depot_rows, "township_name", "item_count", "各乡镇储备物资（件）"),
                            width="stretch")
        ui.table(
            depot_rows,
            {"township_name": "乡镇", "status": "建设状态", "completed_on": "建成日期", "item_kinds": "物资品类数",
             "item_count": "物资总件数", "counted": "计入已建成"},
            key="depots", file_name=f"物资储备库_{as_of}", height=400,
        )
    with plans:
        st.caption("所选日期前发布的预案中，已备案的比例，按编制单位。")
        ui.table(
            q.plans_by_unit(viewer, as_of),
            {"owner_unit": "编制单位", "township_name": "所属乡镇", "issued": "已发布", "filed": "已备案",
             "not_filed": "未备案", "filing_pct": "备案率(%)"},
            key="plans", file_name=f"预案备案_{as_of}", height=400,
        )
    with dual:
        st.caption("企业名录中的高危企业（现行版本）建立双重预防机制的情况。")
        dual_towns = q.dual_prevention_by_township(viewer)
        if dual_towns.height:
            st.altair_chart(charts.bars(dual_towns.drop_nulls("established_pct"), "township_name", "established_pct",
                                        "双重预防机制建立率(%)", domain=(0, 100)), width="stretch")
        ui.table(
            dual_towns,
            {"township_name": "乡镇", "high_risk": "高危企业", "established": "已建立", "established_pct": "建立率(%)"},
            key="dual", file_name="双重预防机制_分乡镇",
        )
        st.markdown("**未建立双重预防机制的高危企业**")
        ui.table(
            q.dual_prevention_missing(viewer),
            {"credit_code": "统一社会信用代码", "name": "企业名称", "township_name": "乡镇", "sector": "行业类别",
             "risk_level": "风险等级", "updated_on": "更新日期"},
            key="dual-missing", file_name="未建立双重预防机制的高危企业", empty="高危企业均已建立",
        )


ui.run_page(body)
