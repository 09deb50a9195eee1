"""隐患治理: the 挂牌督办 list with days overdue; rectification rates by township and by sender."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, ui
from dashboards.auth import Viewer
from dashboards.cards import metric_card
from dashboards.data import hazards as q

LISTED = "major_and_supervised_hazards"
RATES = [
    "found_ytd",
    "rectified_ytd",
    "rectification_pct",
    "due",
    "due_ontime",
    "ontime_pct",
    "major_found",
    "major_rectified",
    "major_rectification_pct",
    "major_open",
    "major_overdue",
]


def body(viewer: Viewer) -> None:
    st.title("隐患治理")
    as_of = ui.as_of_picker(viewer)

    listed = q.supervised(viewer, as_of)
    counts = q.supervised_counts(viewer, as_of)
    cols = st.columns(4)
    for col, key in zip(cols, ("listed", "major", "overdue", "max_days_overdue")):
        metric_card(col, ui.figure(key), f"{counts[key] or 0} {ui.figure_unit(key)}")

    ui.section("重大及挂牌督办隐患清单", f"截至 {as_of:%Y-%m-%d} 未整改的重大隐患和挂牌督办隐患，逾期最久的排在前面。")
    ui.table(
        listed,
        ui.headers(
            LISTED,
            [
                "hazard_id",
                "township_name",
                "days_overdue",
                "deadline",
                "level",
                "is_supervised",
                "description",
                "enterprise_name",
                "sector",
                "found_on",
                "days_open",
                "funds_10k_cny",
                "sender_code",
            ],
        ),
        column_config=ui.long_text(ui.label(LISTED, "description")),
        key="supervised",
        file_name=f"重大及挂牌督办隐患清单_{as_of}",
        empty="没有未整改的重大隐患和挂牌督办隐患",
        height=400,
    )

    ui.section(
        "分乡镇整改情况", f"{as_of.year}年1月1日至{as_of:%m月%d日}；按期整改率 = 期限已到的隐患中按期整改的比例。"
    )
    towns = q.by_township(viewer, as_of)
    left, right = st.columns([2, 3])
    by_town = "hazard_rectification_by_township_daily"
    left.altair_chart(
        charts.bars(
            towns.drop_nulls("ontime_pct"),
            "township_name",
            "ontime_pct",
            ui.label(by_town, "ontime_pct"),
            domain=(0, 100),
        ),
        width="stretch",
    )
    with right:
        ui.table(
            towns,
            ui.headers(by_town, ["township_name", *RATES]),
            key="rates-township",
            file_name=f"分乡镇隐患整改_{as_of}",
            height=ui.rows_height(towns.height),
        )

    ui.section("分报送单位整改情况", "按隐患台账的报送单位（乡镇和行业部门）统计。")
    ui.table(
        q.by_sender(viewer, as_of),
        ui.headers("hazard_rectification_by_sender_daily", ["sender_name", *RATES]),
        key="rates-sender",
        file_name=f"分报送单位隐患整改_{as_of}",
    )


ui.run_page(body)
