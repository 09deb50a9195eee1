"""应急准备: team training coverage, depots, plan filing, dual prevention."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import scoreboard_cards
from dashboards.data import overview
from dashboards.data import preparedness as q
from pipelines.lib.labels import column_label

DEPOTS = "township_preparedness_daily"
DUAL = "dual_prevention_by_township"


def body(viewer: Viewer) -> None:
    st.title("应急准备")
    as_of = ui.as_of_picker(viewer)
    scoreboard_cards(overview.scoreboard(viewer, as_of, q.METRICS), per_row=2)

    teams, depots, plans, dual = st.tabs(
        ["救援队伍训练", "物资储备库", "预案备案", column_label("enterprises", "dual_prevention")]
    )
    with teams:
        st.caption(f"{as_of.year}年1月1日至{as_of:%m月%d日}，队伍名录中至少开展1次演练或培训的队伍计为已覆盖。")
        ui.table(
            q.teams(viewer, as_of),
            ui.headers(
                "rescue_teams_daily",
                [
                    "team_id",
                    "team_name",
                    "team_type",
                    "township_name",
                    "members",
                    "drills",
                    "trainings",
                    "last_held_on",
                    "is_trained",
                ],
            ),
            key="teams",
            file_name=f"救援队伍训练_{as_of}",
            height=400,
        )
    with depots:
        st.caption("状态为已建成且建成日期不晚于所选日期的储备库计为已建成。")
        depot_rows = q.depots(viewer, as_of)
        if depot_rows.height:
            st.altair_chart(
                charts.bars(depot_rows, "township_name", "depot_item_count", ui.label(DEPOTS, "depot_item_count")),
                width="stretch",
            )
        ui.table(
            depot_rows,
            ui.headers(
                DEPOTS,
                [
                    "township_name",
                    "depot_status",
                    "depot_completed_on",
                    "depot_item_kinds",
                    "depot_item_count",
                    "has_depot",
                ],
            ),
            key="depots",
            file_name=f"物资储备库_{as_of}",
            height=400,
        )
    with plans:
        st.caption("所选日期前发布的预案中，已备案的比例，按编制单位。")
        ui.table(
            q.plans_by_unit(viewer, as_of),
            ui.headers(
                "plan_filing_by_unit_daily",
                ["owner_unit", "township_name", "issued", "filed", "not_filed", "filing_pct"],
            ),
            key="plans",
            file_name=f"预案备案_{as_of}",
            height=400,
        )
    with dual:
        st.caption("企业名录中的高危企业（现行版本）建立双重预防机制的情况。")
        dual_towns = q.dual_prevention_by_township(viewer)
        if dual_towns.height:
            st.altair_chart(
                charts.bars(
                    dual_towns.drop_nulls("established_pct"),
                    "township_name",
                    "established_pct",
                    ui.label(DUAL, "established_pct"),
                    domain=(0, 100),
                ),
                width="stretch",
            )
        ui.table(
            dual_towns,
            ui.headers(DUAL, ["township_name", "high_risk_enterprises", "established", "established_pct"]),
            key="dual",
            file_name="双重预防机制_分乡镇",
        )
        st.markdown("**未建立双重预防机制的高危企业**")
        ui.table(
            q.dual_prevention_missing(viewer),
            ui.headers(
                "enterprises", ["credit_code", "enterprise_name", "township_name", "sector", "risk_level", "updated_on"]
            ),
            key="dual-missing",
            file_name="未建立双重预防机制的高危企业",
            empty="高危企业均已建立",
        )


ui.run_page(body)
